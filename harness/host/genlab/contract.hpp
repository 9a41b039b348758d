// The plugin contract as one function, shared by `genlab test-plugin` and the ctest contract
// test: it loads a plugin, checks its description, trains it a few steps through the real
// runner, and checks finiteness, determinism, exact resume, parameter names, the checkpoint
// round trip and every declared capability. It does not judge a model's quality.
#pragma once
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace genlab {

struct ContractCheck {
  std::string name;    // "loads", "deterministic", "capability samples", ...
  bool passed = false;
  bool ran = true;     // false: skipped because a check it needs failed (counts as not passed)
  std::string detail;  // what was found, or why it failed
};

struct ContractOptions {
  // An experiment file to base the runs on (experiments/smoke/<name>.toml); empty: a generated
  // one with [data] name = data, limit 200.
  std::filesystem::path experiment;
  // Empty: fashion_invert for a plugin that translates (it needs two domains), else fashion_mnist.
  std::string data;
  std::vector<std::string> sets;    // --set overrides applied last
  std::filesystem::path work_dir;   // run files go here (created); must be empty or absent
  std::ostream* out = nullptr;      // one "PASS name  detail" line per check, as it completes
};

struct ContractReport {
  std::string plugin;  // name, once loaded, else what was asked for
  std::vector<ContractCheck> checks;
  bool passed() const;
  std::vector<std::string> failed() const;  // names of the checks that failed or did not run
};

// `plugin`: a path to a .so file (anything containing '/' or ending in .so) or a plugin name
// found on the search path. Never throws for a faulty plugin: every fault is a failed check.
ContractReport run_contract(const std::string& plugin, const ContractOptions& options);

// The check names in the order they run (for docs and tests).
const std::vector<std::string>& contract_check_names();

}  // namespace genlab
