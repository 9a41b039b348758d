// The scale-out subcommands (cells, missing, submit --slurm) and the run options that choose
// cells (--cell, --cells, --mpi). ScaleCli registers them with CLI11 and runs the chosen one;
// the work is in libgenlab (cells.hpp, slurm.hpp, executor.hpp) and mpi_grid.hpp.
#pragma once
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "genlab/slurm.hpp"

namespace genlab::cli {

struct CellsArgs {
  std::string experiment;
  std::vector<std::string> sets;
  std::string format = "table";  // table | tsv | json
};

struct SubmitArgs {
  CellsArgs grid;  // experiment and --set (format unused)
  bool slurm = false;
  bool dry_run = false;
  SlurmOptions options;
};

int cmd_cells(const CellsArgs& args);
int cmd_missing(const CellsArgs& args);
int cmd_submit(const SubmitArgs& args, const std::string& self_exe);
// `run --mpi`: the grid over MPI ranks (rank 0 prints the summary), or how to get MPI.
int cmd_run_mpi(const Experiment& experiment, const ExecutorOptions& options);

class ScaleCli {
 public:
  // Adds cells, missing and submit to `app`, and --cell/--cells/--mpi to `run`.
  ScaleCli(CLI::App& app, CLI::App& run, RunArgs& run_args);
  // The exit code of the chosen scale subcommand, or nullopt if another one was chosen.
  std::optional<int> dispatch(const std::string& self_exe) const;

 private:
  CLI::App* cells_ = nullptr;
  CLI::App* missing_ = nullptr;
  CLI::App* submit_ = nullptr;
  CellsArgs cells_args_, missing_args_;
  SubmitArgs submit_args_;
};

}  // namespace genlab::cli
