// The subcommands that let a reader check numbers: `genlab diff` (two run files side by side)
// and `genlab verify` (re-execute a run from its file and compare bit for bit). add() registers
// them on the CLI11 app; run() executes the one chosen, if any. Parsing and printing only: the
// comparisons live in libgenlab (run_compare.hpp, verify.hpp).
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace genlab::cli {

class TrustCommands {
 public:
  void add(CLI::App& app);
  // The exit code of the chosen subcommand, or nullopt when neither was chosen.
  std::optional<int> run() const;

 private:
  CLI::App* diff_ = nullptr;
  CLI::App* verify_ = nullptr;
  std::vector<std::string> diff_runs_;
  std::string diff_in_ = "results";
  std::string verify_file_;
  std::int64_t verify_steps_ = 50;
  bool verify_eval_ = false;
  int verify_threads_ = 1;
  std::string verify_scratch_;
};

}  // namespace genlab::cli
