// The vaegan plugin beyond the generic contract: the conv arch (the vae plugin's conv decoder,
// a conv discriminator with features of its 2nd layer) is finite, reproducible and resumes
// bitwise with the shared encoder and discriminator metrics; a feature layer the discriminator
// does not have is refused naming the keys.
#include <doctest/doctest.h>

#include <cmath>

#include "genlab/error.hpp"
#include "genlab/executor.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
const fs::path kSmoke = fs::path(GENLAB_SOURCE_DIR) / "experiments" / "smoke" / "vaegan.toml";

RunResult run_vaegan(const fs::path& out, std::vector<std::string> extra) {
  std::vector<std::string> sets = {"experiment.output=\"" + out.string() + "\"", "train.epochs=0", "train.steps=6",
                                   "eval.every_epochs=0", "eval.every_steps=3", "data.limit=200",
                                   "run.checkpoint_every_epochs=0", "run.checkpoint_every_steps=3"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  const Experiment e = load_and_validate(kSmoke, sets);
  REQUIRE(e.runs.size() == 1);
  return run_one(e.runs[0], RunnerOptions{});
}
}  // namespace

TEST_CASE("vaegan: arch = conv is finite, reproducible and resumes bitwise, with encoder and D metrics") {
  const std::vector<std::string> conv = {"model.arch=\"conv\"", "model.channels=[4, 8]", "model.d_channels=[4, 8]",
                                         "model.feature_layer=2"};
  TempDir dir("vaegan-conv");
  const RunResult a = run_vaegan(dir / "a", conv);
  REQUIRE_MESSAGE(a.status == RunStatus::Finished, a.message);
  const RunSummary s = read_run(a.file);
  for (const char* k : {"recon_bce", "kl", "llike", "active_units", "d_acc", "d_acc_real", "d_acc_fake"}) {
    INFO(k);
    REQUIRE(s.eval.count(k) == 1);
    for (double v : s.eval.at(k)) CHECK(std::isfinite(v));
  }
  for (const char* k : {"d_updated", "g_updated", "gan", "d_loss"}) CHECK(s.train.count(k) == 1);
  const RunResult b = run_vaegan(dir / "b", conv);
  CHECK_MESSAGE(compare_runs(a.file, b.file) == "", compare_runs(a.file, b.file));
  auto stop = conv;
  stop.push_back("run.stop_after_steps=3");
  CHECK(run_vaegan(dir / "c", stop).status == RunStatus::Interrupted);
  const RunResult c = run_vaegan(dir / "c", conv);
  REQUIRE(c.status == RunStatus::Finished);
  CHECK_MESSAGE(compare_runs(a.file, c.file) == "", compare_runs(a.file, c.file));
}

TEST_CASE("vaegan: a feature layer beyond the discriminator is refused naming both keys") {
  TempDir dir("vaegan-layer");
  CHECK_THROWS_WITH_AS(run_vaegan(dir / "out", {"model.feature_layer=3"}),
                       doctest::Contains("model.feature_layer = 3 but the discriminator has only 2 hidden layers (model.d_hidden)"),
                       ConfigError);
}
