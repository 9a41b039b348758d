// Picks which runs of an experiment this process does and where: all of them in this process,
// or a pool of N child processes (one run each, so a crashing plugin cannot take the grid down),
// or one shard of a cluster launch (--shard K/N, or SLURM_ARRAY_TASK_ID/COUNT), or chosen cells.
// Every run is done under its run lock (run_lock.hpp): a run another process writes is skipped.
// It does not train: run_one (runner.hpp) does, in this process or in each child.
#pragma once
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "genlab/runner.hpp"
#include "genlab/spec.hpp"

namespace genlab {

// The exit code of a child ("--only <id>") that skipped its run because another process holds
// the run's lock (EX_TEMPFAIL): the parent then reports the run taken, not trained by it.
inline constexpr int kTakenExitCode = 75;
// The exit code of a child whose run was already finished when it opened it (another process
// may have finished it after the parent looked): the parent reports "already finished", not a
// run of its own.
inline constexpr int kAlreadyFinishedExitCode = 76;

struct ExecutorOptions {
  int jobs = 1;
  std::size_t shard_index = 0, shard_count = 1;
  std::optional<std::vector<std::size_t>> cells;  // set: exactly these cell indices (no shard)
  std::ostream* out = nullptr;
  bool live_progress = false;
  // How a child re-invokes this program for one run: argv before "--only <id>" is appended.
  // With a child command every cell runs in its own process (a crashing plugin costs only its
  // cell), also at jobs = 1, unless in_process is set (debugging; the default without one).
  std::vector<std::string> child_command;
  bool in_process = false;
  // Exit codes of a child that concern every cell (a missing data set, an unwritable folder):
  // no further cell starts and GridOutcome::fatal_exit_code holds the code.
  std::vector<int> fatal_exit_codes;
  bool allow_changed_code = false;   // RunnerOptions::allow_changed_code
  bool restart_unresumable = false;  // RunnerOptions::restart_unresumable
  bool allow_changed_data = false;   // RunnerOptions::allow_changed_data
};

struct GridOutcome {
  std::vector<std::pair<const RunSpec*, RunResult>> results;
  std::size_t not_started = 0;  // cells left out after a stop request or a fatal child error
  int fatal_exit_code = 0;      // see ExecutorOptions::fatal_exit_codes
  std::size_t count(RunStatus status) const;
};

// Loads every plugin the experiment names and finalizes each run against its schema.
Experiment load_and_validate(const std::filesystem::path& file, const std::vector<std::string>& sets);

// The runs of shard `index` of `count`: those whose expansion index is index mod count.
std::vector<const RunSpec*> runs_of_shard(const Experiment& experiment, std::size_t index, std::size_t count);

// The runs this process does: options.cells if set, else the shard's.
std::vector<const RunSpec*> selected_runs(const Experiment& experiment, const ExecutorOptions& options);

GridOutcome run_grid(const Experiment& experiment, const ExecutorOptions& options);

// One run in a child process (options.child_command + "--only <id>"), waited for and read back
// from its run file: a crash costs only this run (used by the MPI workers).
RunResult run_in_child(const RunSpec& run, const ExecutorOptions& options);

// Whether this process is a cell started by run_grid's process pool (it dies with its parent).
bool running_as_cell();

}  // namespace genlab
