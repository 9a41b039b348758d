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

enum class RunStatus { Finished, AlreadyFinished, Diverged, Failed, Interrupted };
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
};

// Trains (or resumes, or skips) the run. Throws ConfigError/PluginError/DataError/StoreError for
// problems found before training starts; once the run file exists, failures are recorded in it
// (status "failed") and returned, not thrown.
RunResult run_one(const RunSpec& spec, const RunnerOptions& options);

// Recomputes the evaluation at the checkpoint stored in `source` (a run file of this spec) into
// a new run file spec.output_file, training nothing: `genlab verify --eval` compares the two.
RunResult reevaluate_checkpoint(const RunSpec& spec, const std::filesystem::path& source, const RunnerOptions& options);

}  // namespace genlab
