// The HDF5 run-file store: round trips of every part of the layout across commits, bitwise
// checkpoints, truncation for resume, crash safety under kill -9, bad files and folders, and
// that h5py reads every dataset (python3-h5py is required: a missing one fails). It does not test the runner.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <thread>

#include "support/temp_dir.hpp"
#include "genlab/error.hpp"
#include "genlab/store.hpp"

using namespace genlab;
namespace fs = std::filesystem;

namespace {

using genlab::testing::TempDir;

AttrMap root_attrs() {
  return {{"run_id", std::string("ab12cd")}, {"plugin", std::string("vae")}, {"seed", std::int64_t{3}},
          {"status", std::string("running")}, {"lr", 1e-3}};
}

RunWriter new_run(const fs::path& file) {
  return RunWriter::create(file, root_attrs(), "[model]\nbeta = 2.0\n", {{"model.beta", "2.0"}, {"seed", "3"}});
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

bool same_bits(const CheckpointTensor& a, const CheckpointTensor& b) {
  if (a.shape != b.shape || a.data.index() != b.data.index()) return false;
  return std::visit([&](const auto& va) { return same_bits(va, std::get<std::decay_t<decltype(va)>>(b.data)); }, a.data);
}

// Tensors of every dtype, including values whose bits must survive exactly.
Checkpoint every_dtype(float shift) {
  Checkpoint c;
  const float nan_payload = std::bit_cast<float>(0x7fc01234u);
  c["params/encoder/fc1/W"] = {{2, 3}, std::vector<float>{1.5f + shift, -0.0f, nan_payload, 1e-42f, 3.4e38f, -7.25f}};
  c["params/encoder/fc1/b"] = {{3}, std::vector<float>{shift, 2.f, 3.f}};
  c["optim/model/m/encoder/fc1/W"] = {{1, 2, 2}, std::vector<double>{0.1 + shift, -1e-310, 1.0 / 3.0, -0.0}};
  c["rng/noise"] = {{3}, std::vector<std::uint64_t>{0xffffffffffffffffULL, 12345, 2}};
  c["cursor"] = {{2}, std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 41}};
  c["scalar"] = {{}, std::vector<double>{2.5 + shift}};
  c["empty"] = {{0, 4}, std::vector<float>{}};
  return c;
}

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}
}  // namespace

TEST_CASE("store: attrs, config, grid and series round trip across several commits") {
  TempDir dir("store");
  const fs::path file = dir.path() / "sub" / "run.h5";  // the parent folder is created
  RunWriter writer = new_run(file);
  writer.append_train(1, 0.01, 1000.0, {{"loss", 3.0}});
  writer.append_train(2, 0.02, 1100.0, {{"loss", 2.5}});
  writer.append_eval(2, 0.02, {{"elbo", -90.0}}, {{"elbo", {{"split", std::string("test")}, {"n", std::int64_t{1000}}}}});
  writer.commit();
  writer.append_train(3, 0.03, 1200.0, {{"loss", 2.0}, {"kl", 5.0}});  // "kl" appears late: NaN before
  writer.append_train(4, 0.04, 1300.0, {{"kl", 4.0}});                 // "loss" missing: NaN
  writer.append_eval(4, 0.04, {{"elbo", -80.0}, {"iwae", -79.0}}, {{"iwae", {{"k", std::int64_t{50}}}}});
  writer.set_attrs({{"status", std::string("finished")}, {"finished_at", std::string("2024-01-01T00:00:00Z")}});
  writer.commit();
  CHECK_FALSE(writer.has_pending());

  const RunSummary s = read_run(file);
  CHECK(std::get<std::string>(s.attrs.at("run_id")) == "ab12cd");
  CHECK(std::get<std::int64_t>(s.attrs.at("seed")) == 3);
  CHECK(std::get<double>(s.attrs.at("lr")) == 1e-3);
  CHECK(std::get<std::string>(s.attrs.at("status")) == "finished");
  CHECK(s.attrs.count("finished_at") == 1);
  CHECK(s.config_text == "[model]\nbeta = 2.0\n");
  CHECK(s.grid == std::map<std::string, std::string>{{"model.beta", "2.0"}, {"seed", "3"}});
  CHECK(s.train.at("step") == std::vector<double>{1, 2, 3, 4});
  CHECK(s.train.at("epoch") == std::vector<double>{0.01, 0.02, 0.03, 0.04});
  CHECK(s.train.at("samples_per_s") == std::vector<double>{1000, 1100, 1200, 1300});
  const auto& loss = s.train.at("loss");
  REQUIRE(loss.size() == 4);
  CHECK(loss[0] == 3.0);
  CHECK(loss[2] == 2.0);
  CHECK(std::isnan(loss[3]));
  const auto& kl = s.train.at("kl");
  REQUIRE(kl.size() == 4);
  CHECK(std::isnan(kl[0]));
  CHECK(std::isnan(kl[1]));
  CHECK(kl[3] == 4.0);
  CHECK(s.eval.at("step") == std::vector<double>{2, 4});
  CHECK(s.eval.at("elbo") == std::vector<double>{-90.0, -80.0});
  REQUIRE(s.eval.at("iwae").size() == 2);
  CHECK(std::isnan(s.eval.at("iwae")[0]));
  CHECK(std::get<std::string>(s.eval_attrs.at("elbo").at("split")) == "test");
  CHECK(std::get<std::int64_t>(s.eval_attrs.at("elbo").at("n")) == 1000);
  CHECK(std::get<std::int64_t>(s.eval_attrs.at("iwae").at("k")) == 50);
  CHECK_FALSE(s.has_checkpoint);
  // A metric absent from a whole commit reads back NaN for those rows (the series stay aligned).
  writer.append_eval(6, 0.06, {{"elbo", -70.0}});
  writer.commit();
  const RunSummary t = read_run(file);
  CHECK(t.eval.at("elbo") == std::vector<double>{-90.0, -80.0, -70.0});
  REQUIRE(t.eval.at("iwae").size() == 3);
  CHECK(t.eval.at("iwae")[1] == -79.0);
  CHECK(std::isnan(t.eval.at("iwae")[2]));
  CHECK(t.train.at("kl").size() == 4);
  CHECK(std::get<std::string>(t.attrs.at("status")) == "finished");
  CHECK(fs::exists(file));
  CHECK_FALSE(fs::exists(fs::path(file.string() + ".tmp")));
}

TEST_CASE("store: images append per evaluation and read back by index") {
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  RunWriter writer = new_run(file);
  std::vector<std::uint8_t> a(4 * 6), b(4 * 6), rgb(2 * 2 * 3);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i), b[i] = static_cast<std::uint8_t>(255 - i);
  for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<std::uint8_t>(10 * i);
  writer.append_image("samples", 10, {4, 6}, a);
  writer.commit();
  writer.append_image("samples", 20, {4, 6}, b);
  writer.append_image("translations", 20, {2, 2, 3}, rgb);
  writer.commit();

  const RunSummary s = read_run(file);
  CHECK(s.image_names == std::vector<std::string>{"samples", "translations"});
  CHECK(s.image_steps.at("samples") == std::vector<std::int64_t>{10, 20});
  std::vector<std::size_t> shape;
  CHECK(read_image(file, "samples", 0, &shape) == a);
  CHECK(shape == std::vector<std::size_t>{4, 6});
  CHECK(read_image(file, "samples", 1) == b);
  CHECK(read_image(file, "translations", 0, &shape) == rgb);
  CHECK(shape == std::vector<std::size_t>{2, 2, 3});
  CHECK_THROWS_WITH_AS(read_image(file, "samples", 2), doctest::Contains("out of range"), StoreError);
  CHECK_THROWS_WITH_AS(read_image(file, "nope", 0), doctest::Contains("samples, translations"), StoreError);
  // A grid of another shape is refused, in memory and against the file.
  writer.append_image("samples", 30, {4, 6}, a);
  CHECK_THROWS_AS(writer.append_image("samples", 30, {6, 4}, a), StoreError);
  RunWriter again = RunWriter::open_existing(file);
  again.append_image("samples", 30, {6, 4}, a);
  CHECK_THROWS_WITH_AS(again.commit(), doctest::Contains("(4, 6)"), StoreError);
  CHECK(read_run(file).image_steps.at("samples").size() == 2);  // the failed commit published nothing
  CHECK_THROWS_AS(writer.append_image("bad", 1, {4, 6}, std::vector<std::uint8_t>(5)), StoreError);
  CHECK_THROWS_AS(writer.append_image("x_step", 1, {4, 6}, a), StoreError);
  CHECK_THROWS_AS(writer.append_image("flat", 1, {24}, a), StoreError);
  CHECK_THROWS_AS(writer.append_image("empty", 1, {0, 6}, {}), StoreError);
}

TEST_CASE("store: checkpoints of every dtype round trip bit for bit and are overwritten in place") {
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  RunWriter writer = new_run(file);
  const Checkpoint first = every_dtype(0.0f);
  writer.set_checkpoint(100, first);
  writer.commit();
  std::int64_t step = -1;
  Checkpoint back = read_checkpoint(file, &step);
  CHECK(step == 100);
  REQUIRE(back.size() == first.size());
  for (const auto& [name, tensor] : first) CHECK_MESSAGE(same_bits(back.at(name), tensor), name);
  CHECK(read_run(file).has_checkpoint);
  CHECK(read_run(file).checkpoint_step == 100);

  // Same shapes, new values, many times: the file must not grow per checkpoint.
  writer.set_checkpoint(200, every_dtype(1.0f));
  writer.commit();
  const auto size_after_two = fs::file_size(file);
  for (int i = 0; i < 30; ++i) {
    writer.set_checkpoint(300 + i, every_dtype(static_cast<float>(i)));
    writer.set_attrs({{"updated_at", std::string("t") + std::to_string(i)}});
    writer.commit();
  }
  CHECK(fs::file_size(file) <= size_after_two + 8192);
  back = read_checkpoint(file, &step);
  CHECK(step == 329);
  for (const auto& [name, tensor] : every_dtype(29.0f)) CHECK_MESSAGE(same_bits(back.at(name), tensor), name);

  // Reshaped, retyped and removed tensors.
  Checkpoint changed = every_dtype(0.0f);
  changed.erase("rng/noise");
  changed["params/encoder/fc1/W"] = {{3, 2}, std::vector<double>{1, 2, 3, 4, 5, 6}};
  changed["params/decoder/out/b"] = {{2}, std::vector<float>{7.f, 8.f}};
  writer.set_checkpoint(400, changed);
  writer.commit();
  back = read_checkpoint(file, &step);
  CHECK(step == 400);
  CHECK(back.size() == changed.size());
  CHECK(back.count("rng/noise") == 0);
  for (const auto& [name, tensor] : changed) CHECK_MESSAGE(same_bits(back.at(name), tensor), name);
}

TEST_CASE("store: a checkpoint with the wrong number of values or a bad name is refused") {
  TempDir dir("store");
  RunWriter writer = new_run(dir.path() / "run.h5");
  CHECK_THROWS_WITH_AS(writer.set_checkpoint(1, {{"w", {{2, 2}, std::vector<float>{1, 2, 3}}}}),
                       doctest::Contains("needs 4 values, got 3"), StoreError);
  CHECK_THROWS_AS(writer.set_checkpoint(1, {{"a//b", {{1}, std::vector<float>{1}}}}), StoreError);
  CHECK_THROWS_AS(writer.set_checkpoint(1, {{"/a", {{1}, std::vector<float>{1}}}}), StoreError);
  CHECK_THROWS_AS(writer.append_train(1, 0, 0, {{"step", 1.0}}), StoreError);
  CHECK_THROWS_AS(writer.append_train(1, 0, 0, {{"a/b", 1.0}}), StoreError);
  CHECK_THROWS_AS(writer.append_eval(1, 0, {{"epoch", 1.0}}), StoreError);
  CHECK_THROWS_AS(read_checkpoint(dir.path() / "run.h5"), StoreError);  // none written yet
}

TEST_CASE("store: truncate_after drops the rows logged after the checkpoint, for an exact resume") {
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  {
    RunWriter writer = new_run(file);
    for (std::int64_t s = 1; s <= 10; ++s) {
      writer.append_train(s, 0.1 * s, 50.0, {{"loss", 1.0 / s}});
      if (s % 3 == 0) {
        writer.append_eval(s, 0.1 * s, {{"elbo", -static_cast<double>(s)}});
        writer.append_image("samples", s, {2, 2}, std::vector<std::uint8_t>(4, static_cast<std::uint8_t>(s)));
      }
      if (s == 6) writer.set_checkpoint(6, {{"w", {{1}, std::vector<double>{6.0}}}});
      if (s == 6 || s == 10) writer.commit();  // the crash happens after step 10's commit
    }
  }
  RunWriter resumed = RunWriter::open_existing(file);
  const RunSummary before = read_run(file);
  CHECK(before.train.at("step").size() == 10);
  REQUIRE(before.checkpoint_step == 6);
  resumed.truncate_after(before.checkpoint_step);
  for (std::int64_t s = 7; s <= 8; ++s) resumed.append_train(s, 0.1 * s, 50.0, {{"loss", 1.0 / s}});
  resumed.commit();
  const RunSummary after = read_run(file);
  CHECK(after.train.at("step") == std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(after.train.at("loss").size() == 8);
  CHECK(after.train.at("loss")[7] == 1.0 / 8);
  CHECK(after.eval.at("step") == std::vector<double>{3, 6});
  CHECK(after.eval.at("elbo") == std::vector<double>{-3, -6});
  CHECK(after.image_steps.at("samples") == std::vector<std::int64_t>{3, 6});
  CHECK(read_image(file, "samples", 1) == std::vector<std::uint8_t>(4, 6));
  CHECK(after.checkpoint_step == 6);
}

TEST_CASE("store: an unwritable folder gives a StoreError naming the folder") {
  TempDir dir("store");
  const fs::path blocker = dir.path() / "blocker";
  write_text(blocker, "a file where a folder should be");  // works even when tests run as root
  const fs::path file = blocker / "results" / "run.h5";
  CHECK_THROWS_WITH_AS(new_run(file), doctest::Contains(file.parent_path().c_str()), StoreError);
  if (::geteuid() != 0) {  // permissions do not stop root
    const fs::path locked = dir.path() / "locked";
    fs::create_directories(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    CHECK_THROWS_WITH_AS(new_run(locked / "run.h5"), doctest::Contains(locked.c_str()), StoreError);
    fs::permissions(locked, fs::perms::owner_all);
  }
}

TEST_CASE("store: a missing, non-HDF5 or truncated file gives a StoreError naming the file") {
  TempDir dir("store");
  const fs::path missing = dir.path() / "missing.h5";
  CHECK_THROWS_WITH_AS(read_run(missing), doctest::Contains(missing.c_str()), StoreError);
  CHECK_THROWS_WITH_AS(RunWriter::open_existing(missing), doctest::Contains(missing.c_str()), StoreError);

  const fs::path text = dir.path() / "text.h5";
  write_text(text, "this is not an HDF5 file\n");
  CHECK_THROWS_WITH_AS(read_run(text), doctest::Contains(text.c_str()), StoreError);
  CHECK_THROWS_WITH_AS(RunWriter::open_existing(text), doctest::Contains(text.c_str()), StoreError);

  const fs::path good = dir.path() / "good.h5";
  {
    RunWriter writer = new_run(good);
    writer.set_checkpoint(1, {{"w", {{64, 64}, std::vector<double>(64 * 64, 1.0)}}});
    writer.commit();
  }
  const fs::path cut = dir.path() / "cut.h5";
  fs::copy_file(good, cut);
  fs::resize_file(cut, fs::file_size(good) / 2);
  CHECK_THROWS_WITH_AS(read_checkpoint(cut), doctest::Contains(cut.c_str()), StoreError);

  // An HDF5 file that is not a run file.
  const fs::path other = dir.path() / "other.h5";
  {
    RunWriter writer = new_run(other);
  }
  CHECK_THROWS_WITH_AS(RunWriter::create(other, {}, "", {}), doctest::Contains("already exists"), StoreError);
}

TEST_CASE("store: a stale .tmp left by a crash is deleted on open and commits still work") {
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  const fs::path tmp = dir.path() / "run.h5.tmp";
  {
    RunWriter writer = new_run(file);
    writer.append_train(1, 0, 1, {{"loss", 1.0}});
    writer.commit();
  }
  write_text(tmp, "half-written garbage");
  RunWriter writer = RunWriter::open_existing(file);
  CHECK_FALSE(fs::exists(tmp));
  write_text(tmp, "more garbage");  // even one appearing later is overwritten by the commit
  writer.append_train(2, 0, 1, {{"loss", 0.5}});
  writer.commit();
  CHECK_FALSE(fs::exists(tmp));
  CHECK(read_run(file).train.at("loss") == std::vector<double>{1.0, 0.5});
}

TEST_CASE("store: kill -9 at any moment leaves a readable file with a consistent checkpoint") {
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  { new_run(file); }
  // The child commits in a loop: rows up to step s and a checkpoint of step s whose values are s.
  const int delays_us[] = {3000, 9000, 17000, 26000, 41000, 52000, 64000, 99000};
  std::int64_t last_seen = 0;
  int mid_commit = 0;  // kills that landed while the child was inside commit()
  int tmp_left = 0;    // of those, kills that left a .tmp behind (inside its write/fsync/rename)
  // The child raises this flag (shared memory, survives the kill) around every commit.
  // and counts the commits it completed.
  void* shared = ::mmap(nullptr, 2 * sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  REQUIRE(shared != MAP_FAILED);
  auto* in_commit = static_cast<volatile int*>(shared);
  volatile int* commits = in_commit + 1;
  int kills = 0;
  for (const int delay : delays_us) {
    *in_commit = 0;
    *commits = 0;
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      try {
        RunWriter writer = RunWriter::open_existing(file);
        const RunSummary start = read_run(file);
        std::int64_t s = start.has_checkpoint ? start.checkpoint_step : 0;
        writer.truncate_after(s);
        for (;;) {
          ++s;
          writer.append_train(s, 0, 0, {{"loss", static_cast<double>(s)}});
          writer.set_checkpoint(s, {{"params/w", {{256, 256}, std::vector<double>(256 * 256, static_cast<double>(s))}},
                                    {"cursor", {{1}, std::vector<std::int64_t>{s}}}});
          *in_commit = 1;
          writer.commit();
          *in_commit = 0;
          *commits = *commits + 1;
        }
      } catch (...) {
        ::_exit(3);
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
    // Every other kill is pinned inside a commit, however loaded the machine: after the child's
    // first commit (so the file advances), stop it, and kill it only if it stopped inside commit()
    // (else let it go on and try again a moment later).
    if (++kills % 2 == 0) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (*commits == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::microseconds(300));
      for (int attempt = 0; attempt < 20000; ++attempt) {
        ::kill(child, SIGSTOP);
        int stopped = 0;
        ::waitpid(child, &stopped, WUNTRACED);
        if (*in_commit != 0 || !WIFSTOPPED(stopped)) break;
        ::kill(child, SIGCONT);
        std::this_thread::sleep_for(std::chrono::microseconds(200 + 37 * (attempt % 7)));
      }
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));  // it was still committing, not dead of an exception
    mid_commit += *in_commit;
    tmp_left += fs::exists(dir.path() / "run.h5.tmp") ? 1 : 0;
    std::int64_t step = -1;
    const RunSummary s = read_run(file);
    if (!s.has_checkpoint) continue;  // killed before its first commit
    const Checkpoint c = read_checkpoint(file, &step);
    const auto& w = std::get<std::vector<double>>(c.at("params/w").data);
    CHECK(std::all_of(w.begin(), w.end(), [&](double v) { return v == static_cast<double>(step); }));
    CHECK(std::get<std::vector<std::int64_t>>(c.at("cursor").data)[0] == step);
    CHECK(s.train.at("step").back() == static_cast<double>(step));
    CHECK(s.train.at("step").size() == static_cast<std::size_t>(step));
    CHECK(step >= last_seen);
    last_seen = step;
  }
  CHECK(last_seen > 0);
  MESSAGE(mid_commit << " of 8 kills landed inside a commit (" << tmp_left << " with its .tmp on disk); last checkpoint step "
                     << last_seen);
  CHECK(mid_commit >= 4);  // the pinned kills (every other one) all landed inside a commit
  ::munmap(shared, 2 * sizeof(int));
}

TEST_CASE("store: 100k small appends and repeated few-MB checkpoint commits read back (timings printed)") {
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  RunWriter writer = new_run(file);
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  for (std::int64_t s = 1; s <= 100000; ++s) {
    writer.append_train(s, 0.0, 1.0, {{"loss", 1.0}, {"kl", 2.0}, {"recon", 3.0}});
  }
  const double append_s = std::chrono::duration<double>(Clock::now() - t0).count();
  writer.commit();
  CHECK(read_run(file).train.at("kl").size() == 100000);

  Checkpoint c;
  for (int i = 0; i < 4; ++i) {
    c["params/layer" + std::to_string(i) + "/W"] = {{512, 512}, std::vector<float>(512 * 512, 0.5f)};  // 1 MiB each
  }
  writer.set_checkpoint(1, c);
  writer.commit();
  double best_ms = 1e9;
  for (int i = 0; i < 5; ++i) {
    writer.append_train(100000 + i + 1, 0.0, 1.0, {{"loss", 1.0}});
    writer.set_checkpoint(2 + i, c);
    t0 = Clock::now();
    writer.commit();
    best_ms = std::min(best_ms, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  MESSAGE("100k appends: " << append_s << " s; commit of a " << fs::file_size(file) / 1024 << " KiB file: " << best_ms
                           << " ms");
  // Printed, not asserted (timed assertions fail on loaded machines): typically ~30 ms per commit.
  std::int64_t step = 0;
  const Checkpoint back = read_checkpoint(file, &step);
  CHECK(step == 6);
  CHECK(back.size() == c.size());
  CHECK(read_run(file).train.at("loss").size() == 100005);
}

TEST_CASE("store: h5py reads every dataset of a run file") {
  // CI installs python3-h5py (.ci/install-deps): a missing one is a failure, not a silent pass.
  REQUIRE_MESSAGE(std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") == 0,
                  "python3-h5py is not installed (.ci/install-deps installs it)");
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  RunWriter writer = new_run(file);
  writer.append_train(1, 0.5, 10.0, {{"loss", 0.25}});
  writer.append_eval(1, 0.5, {{"elbo", -3.5}}, {{"elbo", {{"definition", std::string("E[log p(x|z)] - KL")}}}});
  writer.append_image("samples", 1, {2, 3}, {1, 2, 3, 4, 5, 6});
  writer.set_checkpoint(1, every_dtype(0.0f));
  writer.commit();
  const fs::path script = dir.path() / "read.py";
  write_text(script, R"(import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
names = []
f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
for n in names:
    f[n][()]
assert f.attrs["status"] == "running", f.attrs["status"]
assert f.attrs["seed"] == 3
assert f["grid"].attrs["model.beta"] == "2.0"
assert f["config"].asstr()[()].startswith("[model]")
assert f["train/loss"][0] == 0.25 and f["train/step"].dtype == np.int64
assert f["eval/elbo"].attrs["definition"] == "E[log p(x|z)] - KL"
assert f["images/samples"].shape == (1, 2, 3) and f["images/samples"].dtype == np.uint8
assert f["checkpoint"].attrs["step"] == 1
assert f["checkpoint/rng/noise"].dtype == np.uint64 and f["checkpoint/rng/noise"][0] == 2**64 - 1
assert f["checkpoint/params/encoder/fc1/W"].dtype == np.float32
assert f["checkpoint/scalar"][()] == 2.5
print(len(names), "datasets")
)");
  const std::string command = "/usr/bin/python3 " + script.string() + " " + file.string() + " >" +
                              (dir.path() / "out.txt").string() + " 2>&1";
  const int rc = std::system(command.c_str());
  std::ifstream out(dir.path() / "out.txt");
  const std::string output((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  CHECK_MESSAGE(rc == 0, output);
  CHECK(output.find("datasets") != std::string::npos);
}

TEST_CASE("store: an attribute holding several values (a corrupt or foreign file) is a StoreError naming it, not an overflow") {
  REQUIRE_MESSAGE(std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") == 0,
                  "python3-h5py is not installed (.ci/install-deps installs it)");
  TempDir dir("store");
  for (const std::string attr : {"seed", "status"}) {  // an int64, a variable-length string
    const fs::path file = dir.path() / (attr + ".h5");
    RunWriter writer = new_run(file);
    writer.commit();
    const fs::path script = dir.path() / "widen.py";
    write_text(script, R"(import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r+")
value = np.arange(3, dtype=np.int64) if sys.argv[2] == "seed" else np.array(["a", "b", "c"], dtype=h5py.string_dtype())
del f.attrs[sys.argv[2]]
f.attrs[sys.argv[2]] = value
)");
    REQUIRE(std::system(("/usr/bin/python3 " + script.string() + " " + file.string() + " " + attr).c_str()) == 0);
    const std::string expected = file.string() + ": attribute '" + attr + "' holds 3 values, not one";
    CHECK_THROWS_WITH_AS(read_run(file), doctest::Contains(expected.c_str()), StoreError);
  }
}

TEST_CASE("store: an h5py reader holding the file open neither blocks nor sees a torn commit") {
  REQUIRE_MESSAGE(std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") == 0,
                  "python3-h5py is not installed (.ci/install-deps installs it)");
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  RunWriter writer = new_run(file);
  writer.append_train(1, 0, 0, {{"loss", 1.0}});
  writer.commit();
  const fs::path script = dir.path() / "hold.py";
  const fs::path opened = dir.path() / "opened", go = dir.path() / "go", done = dir.path() / "done";
  // h5py's default file locking is on: it holds a lock on the published file while we commit.
  write_text(script, R"(import sys, os, time, h5py
f = h5py.File(sys.argv[1], "r")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]): time.sleep(0.01)
open(sys.argv[4] + ".part", "w").write(str(len(f["train/step"])))
os.replace(sys.argv[4] + ".part", sys.argv[4])
)");
  const std::string command = "/usr/bin/python3 " + script.string() + " " + file.string() + " " + opened.string() +
                              " " + go.string() + " " + done.string() + " &";
  REQUIRE(std::system(command.c_str()) == 0);
  for (int i = 0; i < 1000 && !fs::exists(opened); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(fs::exists(opened));
  const auto t0 = std::chrono::steady_clock::now();
  writer.append_train(2, 0, 0, {{"loss", 0.5}});
  writer.commit();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  write_text(go, "");
  for (int i = 0; i < 1000 && !fs::exists(done); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::ifstream in(done);
  std::string rows;
  in >> rows;
  CHECK(rows == "1");  // it keeps reading the version it opened
  CHECK(read_run(file).train.at("step").size() == 2);
}

TEST_CASE("store: a checkpoint changed after it was written fails its checksum, naming the file") {
  REQUIRE_MESSAGE(std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") == 0,
                  "python3-h5py is not installed (.ci/install-deps installs it)");
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  {
    RunWriter writer = new_run(file);
    writer.set_checkpoint(7, every_dtype(0.f));
    writer.commit();
  }
  std::int64_t step = -1;
  CHECK_NOTHROW(read_checkpoint(file, &step));
  CHECK(step == 7);
  for (const char* change : {"f['checkpoint/params/encoder/fc1/b'][1] = 2.5",  // one value, as a bit flip would
                             "f['checkpoint'].attrs['step'] = 1000000000000"}) {  // a step from nowhere
    const fs::path copy = dir.path() / "changed.h5";
    fs::copy_file(file, copy, fs::copy_options::overwrite_existing);
    const std::string command = "/usr/bin/python3 -c \"import h5py, numpy; f = h5py.File('" + copy.string() + "', 'r+'); " +
                                change + "; f.close()\"";
    REQUIRE(std::system(command.c_str()) == 0);
    try {
      read_checkpoint(copy, &step);
      FAIL("a changed checkpoint was accepted: " << change);
    } catch (const StoreError& e) {
      const std::string message = e.what();
      CHECK(message.find(copy.string() + ": /checkpoint does not match its sha256 checksum") != std::string::npos);
    }
  }
}

namespace {
// Flips the lowest bit of the one stored copy of `value` (a float64 series entry) in `file`.
void flip_stored_double(const fs::path& file, double value) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  in.close();
  const std::string pattern(reinterpret_cast<const char*>(&value), sizeof value);
  const std::size_t at = bytes.find(pattern);
  REQUIRE_MESSAGE(at != std::string::npos, "value " << value << " not found in " << file);
  REQUIRE_MESSAGE(bytes.find(pattern, at + 1) == std::string::npos, "value " << value << " stored twice");
  bytes[at] = static_cast<char>(bytes[at] ^ 1);
  write_text(file, bytes);
}

// Train rows 1..10 committed as blocks 1-4 and 5-10; a checkpoint at step 6; loss 1000.25 + s.
void blocks_run(const fs::path& file) {
  RunWriter writer = new_run(file);
  for (std::int64_t s = 1; s <= 10; ++s) {
    writer.append_train(s, 0.1 * s, 50.0, {{"loss", 1000.25 + static_cast<double>(s)}});
    if (s % 5 == 0) writer.append_eval(s, 0.1 * s, {{"elbo", -500.125 - static_cast<double>(s)}});
    if (s == 6) writer.set_checkpoint(6, {{"w", {{1}, std::vector<double>{6.0}}}});
    if (s == 4 || s == 10) writer.commit();
  }
}
}  // namespace

TEST_CASE("store: a flipped bit inside a committed series block is reported with the file, series and block") {
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  blocks_run(file);
  REQUIRE_NOTHROW(read_run(file));
  struct Case {
    double value;
    std::string message;
  };
  for (const Case& c : {Case{1002.25, ": series /train/loss block 0 checksum mismatch (rows 0..3 "},
                        Case{1007.25, ": series /train/loss block 1 checksum mismatch (rows 4..9 "},
                        Case{-510.125, ": series /eval/elbo block 0 checksum mismatch (rows 0..1 "}}) {
    const fs::path copy = dir.path() / "flipped.h5";
    fs::copy_file(file, copy, fs::copy_options::overwrite_existing);
    flip_stored_double(copy, c.value);
    try {
      read_run(copy);
      FAIL("a flipped bit in a series block was read as data: " << c.value);
    } catch (const StoreError& e) {
      CHECK_MESSAGE(std::string(e.what()).find(copy.string() + c.message) != std::string::npos, std::string(e.what()));
    }
  }
}

TEST_CASE("store: a resume that cuts a block inside keeps every block checksum valid") {
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  blocks_run(file);
  {
    RunWriter resumed = RunWriter::open_existing(file);
    resumed.truncate_after(6);  // cuts block 5-10 after step 6
    for (std::int64_t s = 7; s <= 8; ++s) resumed.append_train(s, 0.1 * s, 50.0, {{"loss", 2000.5 + static_cast<double>(s)}});
    resumed.commit();
    resumed.append_train(9, 0.9, 50.0, {{"loss", 2009.5}, {"new_metric", 4.5}});  // a column new at step 9
    resumed.commit();
  }
  const RunSummary s = read_run(file);  // verifies every block
  CHECK(s.train.at("step") == std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(s.train.at("loss")[7] == 2008.5);
  CHECK(std::isnan(s.train.at("new_metric")[0]));
  flip_stored_double(file, 2008.5);  // the merged block (rows 4..7: steps 5, 6 kept, 7, 8 new)
  CHECK_THROWS_WITH_AS(read_run(file), doctest::Contains("series /train/loss block 1 checksum mismatch (rows 4..7"), StoreError);
}

TEST_CASE("store: a resume that re-fills the cut rows to the same length gets new block checksums") {
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  blocks_run(file);
  {
    RunWriter resumed = RunWriter::open_existing(file);
    resumed.truncate_after(6);
    for (std::int64_t s = 7; s <= 10; ++s) resumed.append_train(s, 0.1 * s, 50.0, {{"loss", 4000.5 + static_cast<double>(s)}});
    resumed.commit();  // 10 rows before and after: only the truncation tells the blocks changed
  }
  const RunSummary s = read_run(file);
  CHECK(s.train.at("loss")[9] == 4010.5);
  {
    RunWriter resumed = RunWriter::open_existing(file);
    resumed.truncate_after(4);  // exactly at a block end, nothing appended
    resumed.commit();
  }
  CHECK(read_run(file).train.at("step").size() == 4);
}

TEST_CASE("store: a run file without block checksums (written before them) is read and resumed unchecked") {
  REQUIRE_MESSAGE(std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") == 0,
                  "python3-h5py is not installed (.ci/install-deps installs it)");
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  blocks_run(file);
  const std::string strip = "/usr/bin/python3 -c \"import h5py; f = h5py.File('" + file.string() +
                            "', 'r+'); del f['series_sha256']; f.close()\"";
  REQUIRE(std::system(strip.c_str()) == 0);
  REQUIRE(read_run(file).train.at("loss").size() == 10);
  {
    RunWriter resumed = RunWriter::open_existing(file);
    resumed.truncate_after(6);
    resumed.append_train(7, 0.7, 50.0, {{"loss", 3007.75}});
    resumed.commit();
  }
  CHECK(read_run(file).train.at("loss").back() == 3007.75);
  flip_stored_double(file, 3007.75);  // unchecked: such a file has nothing to verify against
  CHECK(read_run(file).train.at("loss").back() != 3007.75);
}

TEST_CASE("store: read_image_isolated returns read_image's grid, and bit-flipped or cut files are errors naming them, never crashes") {
  TempDir dir("store");
  const fs::path file = dir.path() / "run.h5";
  {
    RunWriter writer = new_run(file);
    std::vector<std::uint8_t> pixels(6 * 5 * 3);
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 7);
    writer.append_image("samples", 4, {6, 5, 3}, pixels);
    writer.append_image("samples", 8, {6, 5, 3}, std::vector<std::uint8_t>(pixels.rbegin(), pixels.rend()));
    writer.commit();
  }
  std::vector<std::size_t> shape, isolated_shape;
  const std::vector<std::uint8_t> direct = read_image(file, "samples", 1, &shape);
  CHECK(read_image_isolated(file, "samples", 1, &isolated_shape) == direct);
  CHECK(isolated_shape == shape);
  const std::string no_image = file.string() + ": no image 'nope'";
  CHECK_THROWS_WITH_AS(read_image_isolated(file, "nope", 0), doctest::Contains(no_image.c_str()), StoreError);
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::mt19937_64 rng(14);
  int errors = 0, same = 0;
  for (int trial = 0; trial < 40; ++trial) {  // seeded: bit flips anywhere, or a cut
    std::string bad = bytes;
    if (trial % 5 == 4) {
      bad.resize(rng() % bad.size());
    } else {
      for (int k = 0; k < 4; ++k) bad[rng() % bad.size()] ^= static_cast<char>(1u << (rng() % 8));
    }
    const fs::path copy = dir.path() / "bad.h5";
    write_text(copy, bad);
    try {
      const std::vector<std::uint8_t> got = read_image_isolated(copy, "samples", 1, nullptr, 10);
      same += got.size() == direct.size();  // read (possibly flipped pixels: images carry no checksum)
    } catch (const StoreError& e) {
      ++errors;
      CHECK_MESSAGE(std::string(e.what()).find(copy.string()) != std::string::npos, std::string(e.what()));
    }
  }
  MESSAGE(errors << " of 40 corrupt copies were reported unreadable, " << same << " read");
  CHECK(errors + same == 40);
  CHECK(errors > 0);
}
