// `genlab verify`: rebuilds a run from its run file alone (the /config text is an experiment
// file with one seed; the plugin is found by name and its file hash compared), re-executes the
// first K training steps into a scratch run file and compares every logged /train value (and
// every /eval row within those steps) bit for bit; with `eval`, reloads the stored checkpoint
// and recomputes the evaluation of that step. On a difference it names the first step and
// metric, both values, and the provenance that differs (the likely reasons). It never writes
// to the verified file.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "genlab/run_compare.hpp"

namespace genlab {

struct VerifyOptions {
  std::int64_t steps = 50;       // training steps to re-execute (fewer if the file holds fewer)
  bool eval = false;             // also recompute the evaluation at the stored checkpoint
  int threads = 1;               // run.threads of the re-execution (results must not depend on it)
  std::filesystem::path scratch; // folder for the re-executed run files; "" = a temp folder, removed after
};

struct VerifyCheck {
  std::string what;                        // "train steps 1..50", "evaluation at step 938"
  bool reproduced = false;
  std::size_t compared_rows = 0;           // steps compared
  std::optional<SeriesDivergence> divergence;
  std::string problem;                     // why it could not be compared ("" if it was)
};

struct VerifyReport {
  std::filesystem::path file;
  std::string run_id, status;
  std::vector<VerifyCheck> checks;
  std::vector<ValueDifference> provenance;  // stored vs now
  std::vector<std::string> notes;           // config rebuilt differently, steps capped, ...
  std::string likely_cause;                 // changed data, else the first telling provenance difference
  bool reproduced() const;
  // "reproduced: ..." or the first difference with both values and the reasons; one line each.
  std::vector<std::string> lines() const;
};

// Throws StoreError for an unreadable file, ConfigError when its /config cannot be rebuilt into
// a run, PluginError when its plugin cannot be loaded. Reads the file's summary through the
// isolated reader (a file that crashes HDF5 is a StoreError naming it).
VerifyReport verify_run(const std::filesystem::path& run_file, const VerifyOptions& options);
// The same, for a caller that has already read `stored` (the summary of run_file) isolated.
VerifyReport verify_run(const std::filesystem::path& run_file, const RunSummary& stored, const VerifyOptions& options);

}  // namespace genlab
