// The genlab subcommands as functions (run, validate, plugins, show, analyze); main.cpp only parses the
// command line and maps exceptions to exit codes. Each returns the process exit code.
#pragma once
#include <string>
#include <vector>

#include "genlab/analyze.hpp"

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
  bool no_progress = false;
};

int cmd_run(const RunArgs& args, const std::string& self_exe);
int cmd_validate(const std::string& experiment, const std::vector<std::string>& sets);
int cmd_plugins();
int cmd_show(const std::string& run_file);
int cmd_analyze(const analysis::AnalyzeOptions& options);

}  // namespace genlab::cli
