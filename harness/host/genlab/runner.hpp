// Runs one cell of an experiment grid end to end: plugin, data, run file, train loop, scheduled
// evaluation and checkpoints, NaN/Inf guard, time budget, exact resume. The executor
// (executor.hpp) decides which cells run where; this file never forks.
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>

#include "genlab/model.hpp"
#include "genlab/spec.hpp"

namespace genlab {

// Taken: another process holds the run's lock (run_lock.hpp) and writes it; this one skipped it.
enum class RunStatus { Finished, AlreadyFinished, Diverged, Failed, Interrupted, Taken };
const char* run_status_str(RunStatus status);

struct RunResult {
  RunStatus status = RunStatus::Failed;
  std::string message;          // why it diverged, failed or stopped
  std::filesystem::path file;
  Metrics final_eval;           // the last evaluation's metrics
  double seconds = 0;
};

struct RunnerOptions {
  std::ostream* out = nullptr;  // progress and evaluation lines (nullptr: silent)
  bool live_progress = false;   // a redrawn progress bar (terminal) instead of periodic lines
  // Resume a run whose plugin file (sha256) or genlab commit differs from the stored one (the
  // change is recorded in attribute resumed_with_changed_code); otherwise such a resume is refused.
  bool allow_changed_code = false;
  // A run file that cannot be resumed (unreadable, or a checkpoint that fails its checks) is
  // renamed to <file>.unresumable and the run starts anew; otherwise its cell fails, naming it.
  bool restart_unresumable = false;
  // Train or resume a run whose data no longer has the identity in its config (data.identity);
  // recorded in attribute started_with_changed_data / resumed_with_changed_data.
  bool allow_changed_data = false;
};

// Trains (or resumes, or skips) the run. Throws ConfigError/PluginError/DataError/StoreError for
// problems found before training starts; once the run file exists, failures are recorded in it
// (status "failed") and returned, not thrown.
RunResult run_one(const RunSpec& spec, const RunnerOptions& options);

// Graceful stop (run/stop_signal.cpp). install_stop_handlers (the CLI calls it) makes the first
// SIGINT/SIGTERM a request: run_one finishes its step, writes a checkpoint and returns Interrupted
// (status "interrupted" in the file); the executor starts no further cell and forwards the signal
// to its children. A second signal a second or more later ends the process at once. SIGPIPE is
// ignored. stop_requested() is the signal number asking to stop, or 0.
void install_stop_handlers();
int stop_requested();
// "SIGTERM (Terminated)": a signal for messages.
std::string signal_name(int sig);

// Recomputes the evaluation at the checkpoint stored in `source` (a run file of this spec) into
// a new run file spec.output_file, training nothing: `genlab verify --eval` compares the two.
RunResult reevaluate_checkpoint(const RunSpec& spec, const std::filesystem::path& source, const RunnerOptions& options);

}  // namespace genlab
