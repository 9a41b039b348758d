// Helpers for tests that train: temporary folders, running the genlab CLI, and a bitwise
// comparison of two run files (series, evaluations and checkpoint tensors; timings excluded).
// It does not decide what a test expects: each test asserts on what these return.
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "genlab/store.hpp"
#include "support/temp_dir.hpp"

namespace genlab::testing {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) r.output += buf.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// Runs the genlab CLI built with these tests: run_cli("run exp.toml --set a=b").
inline CommandResult run_cli(const std::string& args) {
  return run_command(std::string(GENLAB_CLI) + " " + args);
}

// Writes `bytes` (text or binary) to `file`, creating folders; returns the path as a string.
inline std::string write_file(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return file.string();
}

// "" when the two run files hold bitwise-identical metrics (train series except samples_per_s,
// eval series) and checkpoints; otherwise what differs first.
inline std::string compare_runs(const fs::path& a, const fs::path& b) {
  const RunSummary sa = read_run(a), sb = read_run(b);
  auto same_series = [](const std::map<std::string, std::vector<double>>& x,
                        const std::map<std::string, std::vector<double>>& y, const std::string& group) -> std::string {
    if (x.size() != y.size()) return group + ": different metric sets";
    for (const auto& [k, v] : x) {
      if (k == "samples_per_s") continue;
      const auto it = y.find(k);
      if (it == y.end()) return group + "/" + k + " missing";
      if (v.size() != it->second.size()) {
        return group + "/" + k + ": " + std::to_string(v.size()) + " vs " + std::to_string(it->second.size()) + " values";
      }
      if (std::memcmp(v.data(), it->second.data(), v.size() * sizeof(double)) != 0) return group + "/" + k + " differs";
    }
    return "";
  };
  if (auto d = same_series(sa.train, sb.train, "train"); !d.empty()) return d;
  if (auto d = same_series(sa.eval, sb.eval, "eval"); !d.empty()) return d;
  if (sa.checkpoint_step != sb.checkpoint_step) return "checkpoint steps differ";
  std::int64_t step = 0;
  const Checkpoint ca = read_checkpoint(a, &step), cb = read_checkpoint(b, &step);
  if (ca.size() != cb.size()) return "checkpoints hold different entries";
  for (const auto& [k, t] : ca) {
    const auto it = cb.find(k);
    if (it == cb.end()) return "checkpoint entry " + k + " missing";
    if (!(t == it->second)) return "checkpoint entry " + k + " differs";
  }
  return "";
}

}  // namespace genlab::testing
