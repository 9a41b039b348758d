// Corrupt run files through the CLI: `show` and `analyze` must never crash or hang on a
// bit-flipped or truncated file (HDF5 can crash on corrupt metadata, so files are read in an
// isolated reader process); analyze says which file it skipped and prints the rest. A short
// seeded campaign (the long one is `genlab-campaign runfiles`, docs/RELIABILITY.md), and short
// seeded runs of the spec and IDX campaigns.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>

#include "support/fashion_mnist.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
// A small finished run file written through the store API: attributes, series, a checkpoint.
void write_run(const fs::path& file, const std::string& id, double beta) {
  RunWriter w = RunWriter::create(file, {{"run_id", id}, {"status", std::string("running")}, {"seed", std::int64_t{0}}},
                                  "[model]\nbeta = " + std::to_string(beta) + "\n", {{"model.beta", std::to_string(beta)}});
  for (int step = 1; step <= 20; ++step) w.append_train(step, step / 10.0, 100.0, {{"loss", 1.0 / step}});
  w.append_eval(10, 1.0, {{"loss", 0.5 * beta}}, {{"loss", {{"split", std::string("test")}}}});
  w.append_eval(20, 2.0, {{"loss", 0.25 * beta}});
  w.set_checkpoint(20, {{"params/w", {{4}, std::vector<float>{1, 2, 3, 4}}}});
  w.set_attrs({{"status", std::string("finished")}});
  w.commit();
}

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Tries that were not one of: rc 0 (read fine), rc 5 with a message naming the file.
struct Tally {
  int tries = 0, crashes = 0, unclear = 0, unreadable = 0;
};
}  // namespace

TEST_CASE("corrupt files: show and analyze never crash on bit-flipped or truncated run files, and analyze prints the rest") {
  TempDir dir("corrupt");
  write_run(dir / "runs" / "good1.h5", "good1", 1.0);
  write_run(dir / "runs" / "good2.h5", "good2", 2.0);
  write_run(dir / "template.h5", "bad", 3.0);
  const std::string original = read_bytes(dir / "template.h5");
  const fs::path bad = dir / "runs" / "bad.h5";
  std::mt19937_64 rng(14);  // seeded: the same mutations every time
  Tally t;
  for (int i = 0; i < 24; ++i) {
    std::string bytes = original;
    if (i % 4 == 3) {
      bytes.resize(rng() % bytes.size());  // truncated
    } else {
      for (int f = 0; f < 1 + static_cast<int>(rng() % 8); ++f) bytes[rng() % bytes.size()] ^= static_cast<char>(1u << (rng() % 8));
    }
    write_file(bad, bytes);
    ++t.tries;
    const auto show = run_command("timeout 60 " + std::string(GENLAB_CLI) + " show " + bad.string());
    const auto analyze = run_command("timeout 60 " + std::string(GENLAB_CLI) + " analyze --runs " + (dir / "runs").string());
    INFO("try " << i << "\nshow: " << show.output << "\nanalyze: " << analyze.output);
    CHECK(show.exit_code < 128);
    CHECK((show.exit_code == 0 || show.exit_code == 5));
    if (show.exit_code == 5) {
      ++t.unreadable;
      CHECK(show.output.find(bad.string()) != std::string::npos);
    }
    t.crashes += show.exit_code >= 124 || analyze.exit_code >= 124;
    CHECK(analyze.exit_code == 0);
    CHECK(analyze.output.find("good1") != std::string::npos);  // the rest of the table prints
    CHECK(analyze.output.find("good2") != std::string::npos);
    if (show.exit_code == 5) {
      const bool skipped = analyze.output.find("skipped: file " + bad.string() + " unreadable (") != std::string::npos;
      t.unclear += !skipped;
      CHECK(skipped);
    }
  }
  MESSAGE("corrupt run files: " << t.tries << " tries, " << t.crashes << " crashes/hangs, " << t.unclear
                                << " unclear errors, " << t.unreadable << " reported unreadable");
  CHECK(t.unreadable > 0);  // the campaign did hit HDF5's metadata
}

// tests/fixtures/runfiles/hdf5_segfault.h5.gz: a run file the runfile fuzzer (docs/RELIABILITY.md)
// mutated so that libhdf5 segfaults reading its metadata in-process.
TEST_CASE("corrupt files: diff and verify report a run file that crashes HDF5 (exit 5, naming it), as show does") {
  TempDir dir("hdf5crash");
  const fs::path bad = dir / "crash.h5", good = dir / "good.h5";
  write_run(good, "good", 1.0);
  const auto unzip = run_command("gzip -dc " + std::string(GENLAB_SOURCE_DIR) + "/tests/fixtures/runfiles/hdf5_segfault.h5.gz > " +
                                 bad.string());
  REQUIRE(unzip.exit_code == 0);
  for (const std::string& args : {"show " + bad.string(), "diff " + good.string() + " " + bad.string(),
                                  "diff " + bad.string() + " " + good.string(), "verify " + bad.string()}) {
    const auto r = run_command("timeout 60 " + std::string(GENLAB_CLI) + " " + args);
    INFO(args << "\n" << r.output);
    CHECK(r.exit_code == 5);
    CHECK(r.output.find(bad.string() + ": reading it crashed the reader") != std::string::npos);
  }
}

TEST_CASE("corrupt files: a short seeded spec campaign (genlab-campaign specs) finds no crash, hang or unclear error") {
  const auto r = run_command(std::string(GENLAB_CAMPAIGN) + " specs --tries 60 --seed 14 --specs " +
                             GENLAB_SOURCE_DIR + "/experiments/smoke --genlab " + GENLAB_CLI);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("campaign specs: 120 tries, 0 crashes/hangs, 0 unclear errors, 0 data lost") != std::string::npos);
}

TEST_CASE("corrupt files: a short seeded IDX campaign (genlab-campaign idx) finds no crash, hang or unclear error") {
  if (!have_fashion_mnist()) return;  // a failed check already
  const auto r = run_command(std::string(GENLAB_CAMPAIGN) + " idx --tries 8 --seed 14 --data " + fashion_folder.string());
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("campaign idx: 8 tries, 0 crashes/hangs, 0 unclear errors, 0 data lost") != std::string::npos);
}

TEST_CASE("campaigns: a short seeded kill -9 campaign (genlab-campaign kill) leaves every file readable and every resume exact") {
  const auto r = run_command(std::string(GENLAB_CAMPAIGN) + " kill --tries 3 --seed 14 --verbose --genlab " + GENLAB_CLI);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("campaign kill: 3 tries, 0 crashes/hangs, 0 unclear errors, 0 data lost") != std::string::npos);
  CHECK(r.output.find("kills landed in: training ") != std::string::npos);
}

TEST_CASE("campaigns: a short seeded fault campaign (genlab-campaign faults, one try of each kind) finds no crash or lost data") {
  const auto r = run_command(std::string(GENLAB_CAMPAIGN) + " faults --tries 7 --seed 14 --verbose --genlab " + GENLAB_CLI +
                             " --fault-plugin " + GENLAB_TEST_PLUGIN_DIR + "/libgenlab_fault.so");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("campaign faults: 7 tries, 0 crashes/hangs, 0 unclear errors, 0 data lost") != std::string::npos);
  for (const char* kind : {"full_disk0", "read_only1", "concurrent2", "crash3", "throw4", "sigterm5", "sigint26"}) {
    CHECK_MESSAGE(r.output.find(std::string("faults ") + kind) != std::string::npos, kind);
  }
}
