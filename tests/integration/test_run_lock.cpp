// The run-file lock end to end: two `genlab run` of one grid at once write every run file once
// (each reports the other's runs as taken or finished), a held lock makes a run skip with who
// holds it, and a lock file left by a dead process is taken over.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <thread>
#include <utility>

#include "genlab/run_lock.hpp"
#include "support/tiny_grid.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
// A one-cell grid in `dir` and the run file its cell writes.
std::pair<std::string, fs::path> one_cell(const TempDir& dir) {
  const std::string exp = tiny_grid(dir / "one.toml", "one", dir / "out", "");
  const auto rows = cell_rows(exp);
  REQUIRE(rows.size() == 1);
  return {exp, cell_file(rows, 0, dir / "out", "one")};
}
}  // namespace

TEST_CASE("lock: two runs of one grid at once write each run file once and report the other's runs") {
  TempDir dir("lock-race");
  // 20 ms per step: 0.8 s per cell, so the two processes overlap on every cell
  const std::string slow = tiny_grid(dir / "slow.toml", "race", dir / "out",
                                     std::string(kTinyWidths) + "[[grid.zip]]\n\"model.sleep_ms\" = [20]\n", "[0, 1]");
  const std::string fast = tiny_grid(dir / "fast.toml", "race", dir / "ref", kTinyWidths, "[0, 1]");
  CommandResult a, b;
  std::thread ta([&] { a = run_cli("run " + slow + " --no-progress"); });
  // B starts once A writes its first run (a loaded machine may start A late): they must meet
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto a_writing = [&] {
    std::error_code ec;  // lock files come and go: never throw while walking
    for (auto it = fs::recursive_directory_iterator(dir / "out", ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->path().extension() == ".lock") return true;
    }
    return false;
  };
  while (!a_writing() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::thread tb([&] { b = run_cli("run " + slow + " --jobs 2 --no-progress"); });
  ta.join();
  tb.join();
  INFO(a.output);
  INFO(b.output);
  CHECK(a.exit_code == 0);
  CHECK(b.exit_code == 0);
  const RunCounts ca = run_counts(a.output), cb = run_counts(b.output);
  CHECK(ca.failed == 0);
  CHECK(cb.failed == 0);
  CHECK(ca.finished + cb.finished == 4);  // every run trained by exactly one of them
  CHECK(ca.finished + ca.already + ca.taken == 4);
  CHECK(cb.finished + cb.already + cb.taken == 4);
  CHECK(ca.taken + cb.taken > 0);  // they did meet
  const std::string said = (a.output + b.output);
  CHECK(said.find(" is being written by pid ") != std::string::npos);
  CHECK(said.find(" on host " + host_name()) != std::string::npos);

  // Each file: finished, one uninterrupted series (steps 1..40 once), the bits of a lone run.
  REQUIRE(run_cli("run " + fast + " --no-progress").exit_code == 0);
  const auto rows = cell_rows(slow), ref = cell_rows(fast);
  REQUIRE(rows.size() == 4);
  REQUIRE(ref.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(rows[i].at("status") == "finished");
    const fs::path file = cell_file(rows, i, dir / "out", "race");
    const RunSummary s = read_run(file);
    CHECK(s.attrs.count("resumed_at") == 0);
    const auto& steps = s.train.at("step");
    REQUIRE(steps.size() == 40);
    for (std::size_t k = 0; k < steps.size(); ++k) CHECK(steps[k] == static_cast<double>(k + 1));
    CHECK(compare_runs(file, cell_file(ref, i, dir / "ref", "race")) == "");  // sleep_ms changes no bits
    CHECK_FALSE(fs::exists(run_lock_path(file)));  // released and removed
  }
}

TEST_CASE("lock: a run whose lock is held is skipped and says who holds it") {
  TempDir dir("lock-held");
  const auto [exp, file] = one_cell(dir);
  const std::string run_id = file.stem().string();
  {
    LockHolder holder;
    const auto lock = RunLock::try_acquire(file, &holder);
    REQUIRE(lock.has_value());
    for (const char* jobs : {"1", "2"}) {
      CAPTURE(jobs);
      const auto r = run_cli("run " + exp + " --jobs " + jobs + " --no-progress");
      INFO(r.output);
      CHECK(r.exit_code == 0);
      CHECK(run_counts(r.output).taken == 1);
      CHECK(r.output.find("run " + run_id + " is being written by pid " + std::to_string(::getpid()) +
                          " on host " + host_name()) != std::string::npos);
      CHECK_FALSE(fs::exists(file));
    }
    // the same process cannot take it twice either (one lock per open file description)
    CHECK_FALSE(RunLock::try_acquire(file, &holder).has_value());
    CHECK(holder.pid == ::getpid());
    REQUIRE(run_lock_holder(file).has_value());
    CHECK(run_lock_holder(file)->host == host_name());
  }
  CHECK_FALSE(run_lock_holder(file).has_value());
  CHECK_FALSE(fs::exists(run_lock_path(file)));
  const auto r = run_cli("run " + exp + " --no-progress");
  CHECK(run_counts(r.output).finished == 1);
}

TEST_CASE("lock: a lock file left by a dead process is taken over") {
  TempDir dir("lock-stale");
  const auto [exp, file] = one_cell(dir);
  write_file(run_lock_path(file), "999999 deadhost\n");  // nobody holds a lock on it
  CHECK_FALSE(run_lock_holder(file).has_value());
  CHECK(cell_rows(exp).at(0).at("status") == "missing");
  const auto r = run_cli("run " + exp + " --no-progress");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("taking over the lock left by pid 999999 on host deadhost (that process is gone)") !=
        std::string::npos);
  CHECK(run_counts(r.output).finished == 1);
  CHECK_FALSE(fs::exists(run_lock_path(file)));
}
