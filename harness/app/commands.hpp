// The genlab subcommands as functions (run, validate, plugins, show, analyze, calibrate); main.cpp
// only parses the command line and maps exceptions to exit codes. Each returns the exit code.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "genlab/analyze.hpp"
#include "genlab/executor.hpp"

namespace genlab::cli {

enum ExitCode { kOk = 0, kRunsFailed = 1, kConfigError = 2, kPluginError = 3, kDataError = 4,
                kStoreError = 5, kOtherError = 6 };

struct RunArgs {
  std::string experiment;
  std::vector<std::string> sets;
  int jobs = 1;
  bool dry_run = false;
  std::string only;   // one run id (used by --jobs children)
  std::string shard;  // "K/N"
  std::string cells;  // "3", "3,7-9" (--cell / --cells)
  bool mpi = false;   // hand cells out over MPI ranks (scale_commands.cpp)
  bool no_progress = false;
  bool in_process = false;  // cells in this process (debugging): a crashing plugin ends the grid
  bool allow_changed_code = false;  // resume runs started by another plugin file or genlab commit
  bool restart_unresumable = false;  // start anew runs whose file or checkpoint cannot be resumed
  bool allow_changed_data = false;   // train runs whose data differs from their data.identity
};

struct CalibrateArgs {
  std::string classifier;                // reference classifier run file
  std::size_t n = 10000;                 // train images scored
  std::vector<double> sigmas{0.05, 0.2};  // noise levels on the test images
  std::size_t k = 3;                     // precision/recall neighbourhood
  std::string data_path = "/usr/share/datasets/fashion-mnist";
};

int cmd_run(const RunArgs& args, const std::string& self_exe);
// The summary of a grid (table unless `table` is false, counts, failures) and its exit code.
int report_outcome(const GridOutcome& outcome, bool table);
int cmd_validate(const std::string& experiment, const std::vector<std::string>& sets);
int cmd_plugins();
int cmd_show(const std::string& run_file);
int cmd_analyze(const analysis::AnalyzeOptions& options);
int cmd_calibrate(const CalibrateArgs& args);

}  // namespace genlab::cli
