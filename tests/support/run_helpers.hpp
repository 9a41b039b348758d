// Helpers for tests that train: temporary folders, running the genlab CLI, and a bitwise
// comparison of two run files (series, evaluations and checkpoint tensors; timings excluded).
// It does not decide what a test expects: each test asserts on what these return.
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
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

// "" when the two run files hold bitwise-identical metrics and checkpoints (store.hpp).
inline std::string compare_runs(const fs::path& a, const fs::path& b) { return compare_run_files(a, b); }

// The first run file (.h5) anywhere below `dir`, or an empty path if there is none.
inline fs::path only_h5(const fs::path& dir) {
  if (!fs::exists(dir)) return {};
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".h5") return e.path();
  }
  return {};
}

}  // namespace genlab::testing
