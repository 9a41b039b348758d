// What every genlab-campaign campaign shares: the tally (tries / crashes or hangs / unclear
// errors / data lost), running a command with a time limit and its output captured, and how an
// outcome is classified. It runs nothing by itself.
#pragma once
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace genlab::campaign {

namespace fs = std::filesystem;

struct Tally {
  int tries = 0, crashes = 0, unclear = 0, lost = 0;
  int before_start = 0;  // signals that came before genlab installed its handlers (nothing written yet)
  std::vector<std::string> examples;  // the first few problems, to reproduce
  void note(const std::string& what) {
    if (examples.size() < 5) examples.push_back(what);
  }
};

struct Outcome {
  int code = 0;         // exit code, or 128 + signal
  bool signaled = false;  // ended by a signal (not an exit)
  std::string output;   // stdout + stderr
};

// Starts argv with stdout and stderr to `log`, a wall-clock limit (SIGALRM ends a hang) and
// `setup` run in the child before exec (resource limits, another user); returns its pid.
inline pid_t spawn(const std::vector<std::string>& args, const fs::path& log, int seconds,
                   const std::function<void()>& setup = {}) {
  std::cout.flush();  // else the child's copy of the buffer is written again
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* out = std::freopen(log.c_str(), "w", stdout);
    (void)out;
    ::dup2(STDOUT_FILENO, STDERR_FILENO);
    if (setup) setup();
    ::alarm(static_cast<unsigned>(seconds));  // counted as a hang
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

inline std::string read_bytes(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_bytes(const fs::path& f, const std::string& b) { std::ofstream(f, std::ios::binary) << b; }

// Waits for `pid`; its exit code (128 + signal if a signal ended it) and the output in `log`.
inline Outcome wait_outcome(pid_t pid, const fs::path& log) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Outcome o;
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.signaled = WIFSIGNALED(status);
  o.output = read_bytes(log);
  return o;
}

// Runs argv with a wall-clock limit; output captured through a file.
inline Outcome run_limited(const std::vector<std::string>& args, const fs::path& log, int seconds,
                           const std::function<void()>& setup = {}) {
  return wait_outcome(spawn(args, log, seconds, setup), log);
}

// A message a user cannot act on: internal names, allocation failures, "other error".
inline bool unclear(const Outcome& o, const std::string& must_name) {
  if (o.code == 6) return true;
  for (const char* bad : {"bad_alloc", "std::", "basic_string", "RunWriter::", "vector::"}) {
    if (o.output.find(bad) != std::string::npos) return true;
  }
  return o.code != 0 && !must_name.empty() && o.output.find(must_name) == std::string::npos;
}

inline void classify(Tally& t, const Outcome& o, const std::string& must_name, const std::string& what) {
  ++t.tries;
  if (o.code >= 128) {
    ++t.crashes;
    t.note(what + ": exit " + std::to_string(o.code));
  } else if (unclear(o, must_name)) {
    ++t.unclear;
    t.note(what + ": " + o.output.substr(0, 300));
  }
}


inline void report(const std::string& name, const Tally& t) {
  std::cout << "campaign " << name << ": " << t.tries << " tries, " << t.crashes << " crashes/hangs, " << t.unclear
            << " unclear errors, " << t.lost << " data lost\n";
  if (t.before_start > 0) {
    std::cout << "  (" << t.before_start << " signals came during start-up, before genlab's handlers: the default action "
              << "ended it before it wrote anything)\n";
  }
  for (const auto& e : t.examples) std::cout << "  e.g. " << e << "\n";
}


// The process campaigns (process_campaigns.cpp): kill -9 at random points of random phases, and
// faults (full disk, read-only folder, concurrent writers, crashing and throwing plugins,
// signals). `cli` is the genlab binary, `work` an empty scratch folder.
struct ProcessOptions {
  std::string cli;
  fs::path work;
  fs::path fault_plugin;            // faults: the test fixture libgenlab_fault.so
  std::vector<std::string> kinds;   // faults: the kinds to try (empty: all)
  int tries = 0;
  bool verbose = false;             // a line per try
};
Tally kill_campaign(const ProcessOptions& o, std::mt19937_64& rng);
Tally faults_campaign(const ProcessOptions& o, std::mt19937_64& rng);

}  // namespace genlab::campaign
