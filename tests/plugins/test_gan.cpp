// The gan plugin beyond the generic contract: the DCGAN arch on Fashion-MNIST is finite,
// reproducible and resumes exactly; every loss trains with its shared metrics in the run file
// (D accuracy; modes and the scatter picture on ring8; Parzen with a validation split); images
// a plugin's own ConfigError is reported (not a crash); a diverging run (Adam lr = 1e12; at 1e6
// the weights grow only linearly and every loss stays finite) is marked diverged, its grid finishes.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "genlab/error.hpp"
#include "genlab/executor.hpp"
#include "genlab/image.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {

const fs::path kSmoke = fs::path(GENLAB_SOURCE_DIR) / "experiments" / "smoke" / "gan.toml";

RunResult run_gan(const std::vector<std::string>& sets) {
  const Experiment e = load_and_validate(kSmoke, sets);
  REQUIRE(e.runs.size() == 1);
  return run_one(e.runs[0], RunnerOptions{});
}

std::vector<std::string> short_run(const fs::path& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> sets = {"experiment.output=\"" + out.string() + "\"", "train.epochs=0", "train.steps=6",
                                   "eval.every_epochs=0", "eval.every_steps=3", "run.checkpoint_every_epochs=0",
                                   "run.checkpoint_every_steps=3"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return sets;
}

const std::vector<std::string> kDcgan = {"data.name=\"fashion_mnist\"", "data.limit=200", "model.arch=\"dcgan\"",
                                         "model.latent_dim=16", "train.batch_size=32", "eval.samples=16"};

bool has_image(const RunSummary& s, const std::string& name) {
  return std::find(s.image_names.begin(), s.image_names.end(), name) != s.image_names.end();
}

}  // namespace

TEST_CASE("gan: arch = dcgan on Fashion-MNIST is finite, reproducible and resumes bitwise, with D accuracy and a sample grid") {
  TempDir dir("gan-dcgan");
  auto with = [&](const fs::path& out, std::vector<std::string> extra = {}) {
    auto sets = short_run(out, kDcgan);
    sets.insert(sets.end(), extra.begin(), extra.end());
    return sets;
  };
  const RunResult a = run_gan(with(dir / "a"));
  REQUIRE_MESSAGE(a.status == RunStatus::Finished, a.message);
  const RunSummary s = read_run(a.file);
  for (const char* k : {"d_acc_real", "d_acc_fake", "d_acc", "d_score_real", "d_score_fake", "d_loss", "g_loss"}) {
    INFO(k);
    REQUIRE(s.eval.count(k) == 1);
    for (double v : s.eval.at(k)) CHECK(std::isfinite(v));
  }
  for (double v : s.eval.at("d_acc_real")) CHECK((v >= 0 && v <= 1));
  CHECK(s.eval.count("modes") == 0);  // no mixture: no mode coverage
  CHECK(attr_to_string(s.eval_attrs.at("d_acc").at("paper")).find("Goodfellow") != std::string::npos);
  CHECK(has_image(s, "samples"));
  CHECK_FALSE(has_image(s, "scatter"));
  const RunResult b = run_gan(with(dir / "b"));
  CHECK_MESSAGE(compare_runs(a.file, b.file) == "", compare_runs(a.file, b.file));
  CHECK(run_gan(with(dir / "c", {"run.stop_after_steps=3"})).status == RunStatus::Interrupted);
  const RunResult c = run_gan(with(dir / "c"));
  REQUIRE(c.status == RunStatus::Finished);
  CHECK_MESSAGE(compare_runs(a.file, c.file) == "", compare_runs(a.file, c.file));
}

TEST_CASE("gan: every loss trains on ring8 with mode coverage, a scatter picture and the Parzen metrics") {
  for (const char* loss : {"minimax", "non_saturating", "lsgan", "hinge"}) {
    INFO(loss);
    TempDir dir(std::string("gan-loss-") + loss);
    std::vector<std::string> extra = {std::string("model.loss=\"") + loss + "\"", "data.validation=200"};
    if (std::string(loss) == "hinge") extra.push_back("model.label_smoothing=0.0");
    const RunResult r = run_gan(short_run(dir / "out", extra));
    REQUIRE_MESSAGE(r.status == RunStatus::Finished, r.message);
    const RunSummary s = read_run(r.file);
    for (const char* k : {"modes", "high_quality", "reverse_kl", "d_acc", "parzen_ll", "parzen_sigma",
                          "parzen_ll_train", "val_d_acc"}) {
      INFO(k);
      REQUIRE(s.eval.count(k) == 1);
      CHECK(std::isfinite(s.eval.at(k).back()));
    }
    CHECK(s.eval.count("val_modes") == 0);  // mode coverage is split-free: test evaluation only
    const double modes = s.eval.at("modes").back();
    CHECK((modes >= 0 && modes <= 8));
    CHECK(s.eval.at("reverse_kl").back() <= std::log(8.0) + 1e-12);
    // the training points as centres model the test points far better than 6 steps of GAN
    CHECK(s.eval.at("parzen_ll_train").back() > s.eval.at("parzen_ll").back());
    CHECK(attr_to_string(s.eval_attrs.at("modes").at("paper")).find("PacGAN") != std::string::npos);
    CHECK(attr_to_string(s.eval_attrs.at("reverse_kl").at("better")) == "lower");
    REQUIRE(has_image(s, "scatter"));
    fs::path png = r.file;
    png.replace_filename(r.file.stem().string() + "_scatter.png");
    const ImageGrid g = read_png(png);
    CHECK(g.width == 400);
    CHECK(g.channels == 3);
  }
}

TEST_CASE("gan: hinge with label smoothing is refused with the key named") {
  TempDir dir("gan-hinge");
  // the smoke file sets smoothing 0.1; the plugin throws ConfigError from init(), before training
  CHECK_THROWS_WITH_AS(run_gan(short_run(dir / "out", {"model.loss=\"hinge\""})),
                       doctest::Contains("model.label_smoothing applies to minimax"), ConfigError);
}

TEST_CASE("gan: a diverging run (lr = 1e12) is marked diverged and the rest of its grid finishes") {
  TempDir dir("gan-diverge");
  const std::string exp = write_file(dir / "diverge.toml", "extends = \"" + kSmoke.string() + R"("
[experiment]
name = "gan_diverge"
output = ")" + (dir / "out").string() + R"("
[train]
epochs = 1
[grid.product]
"train.optimizer.lr" = [1e12, 2e-4]
)");
  const Experiment e = load_and_validate(exp, {});
  REQUIRE(e.runs.size() == 2);
  const GridOutcome g = run_grid(e, ExecutorOptions{});
  CHECK(g.count(RunStatus::Diverged) == 1);
  CHECK(g.count(RunStatus::Finished) == 1);
  for (const auto& [spec, result] : g.results) {
    const std::string status = attr_to_string(read_run(result.file).attrs.at("status"));
    CHECK(status == (spec->train.optimizer.lr > 1 ? "diverged" : "finished"));
  }
}
