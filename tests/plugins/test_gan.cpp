// The gan plugin beyond the generic contract: the DCGAN arch on Fashion-MNIST is finite,
// reproducible and resumes exactly; every loss trains with its shared metrics in the run file
// (D accuracy; modes and the scatter picture on ring8; Parzen with a validation split); images
// a plugin's own ConfigError is reported (not a crash); a diverging run (Adam lr = 1e12; at 1e6
// the weights grow only linearly and every loss stays finite) is marked diverged, its grid finishes;
// g_bn_eval = population samples with G's population batch-norm statistics and leaves training alone.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "genlab/error.hpp"
#include "genlab/executor.hpp"
#include "genlab/image.hpp"
#include "genlab/loader.hpp"
#include "support/run_helpers.hpp"
#include "support/test_init.hpp"

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

namespace {

// A gan model (MLP, z: 2, G = 2 -> 16 (batch norm, ReLU) -> 2, D = 2 -> 16 -> 1) for 2-D points,
// built through the plugin; the context owns the model's optimizers.
struct SmallGan {
  SmallGan(const Plugin& plugin, const std::string& bn_eval)
      : ctx(Params::with_defaults(plugin.info().description.schema,
                                  {{"latent_dim", std::int64_t{2}}, {"g_hidden", std::vector<std::int64_t>{16}},
                                   {"d_hidden", std::vector<std::int64_t>{16}}, {"g_bn_eval", bn_eval}}),
            DataInfo{"ring8", {2}, 2, 0, 500}),
        model(plugin.create()) {
    model->init(ctx);
  }
  TestInit ctx;
  std::shared_ptr<Model> model;
};

// `steps` train steps of m on batches of 100 points drawn from data (2-D normal), noise from noise.
Metrics train(Model& m, int first, int steps, Rng& data, Rng& noise) {
  Metrics last;
  for (int s = first; s < first + steps; ++s) {
    Batch b;
    b.x = data.normal_tensor<float>({100, 2}, 0.f, 1.f);
    b.y.assign(100, 0);
    StepContext ctx{noise, s, 0.0};
    last = m.train_step(b, ctx);
  }
  return last;
}

const Tensor<float>& parameter(Model& m, const std::string& name) {
  for (const auto& p : m.parameters()) {
    if (p.name == name) return p.variable.value();
  }
  FAIL("no parameter " << name);
  throw std::logic_error("unreachable");
}

// G(z) with batch norm at the exact population statistics of fc1(z) under z ~ N(0, I_2): mean b1,
// variance sum_i W1[i, c]^2. z: (n, 2) -> (n, 2)
Tensor<float> exact_population_output(Model& m, const Tensor<float>& z) {
  const Tensor<float>& w1 = parameter(m, "generator/fc1/W");  // (2, 16)
  const Tensor<float>& b1 = parameter(m, "generator/fc1/b");
  const Tensor<float>& gamma = parameter(m, "generator/bn1/gamma");
  const Tensor<float>& beta = parameter(m, "generator/bn1/beta");
  const Tensor<float>& w2 = parameter(m, "generator/fc2/W");  // (16, 2)
  const Tensor<float>& b2 = parameter(m, "generator/fc2/b");
  const std::size_t n = z.shape()[0], h = 16;
  Tensor<float> out = Tensor<float>::from_shape({n, 2});
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t o = 0; o < 2; ++o) {
      double y = b2(o);
      for (std::size_t c = 0; c < h; ++c) {
        const double pre = z(r, 0) * w1(0, c) + z(r, 1) * w1(1, c) + b1(c);
        const double var = double(w1(0, c)) * w1(0, c) + double(w1(1, c)) * w1(1, c);
        const double a = gamma(c) * (pre - b1(c)) / std::sqrt(var + 1e-5) + beta(c);
        y += std::max(a, 0.0) * w2(c, o);
      }
      out(r, o) = static_cast<float>(y);
    }
  }
  return out;
}

double max_abs_difference(const Tensor<float>& a, const Tensor<float>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(double(a.data()[i]) - b.data()[i]));
  return worst;
}

}  // namespace

TEST_CASE("gan: g_bn_eval = population samples with G's population batch-norm statistics and leaves training alone") {
  const Plugin plugin = load_plugin_file(fs::path(GENLAB_PLUGIN_DIR) / plugin_file_name("gan"));
  SmallGan pop_gan(plugin, "population"), run_gan(plugin, "running");
  Model* pop = pop_gan.model.get();
  Model* run = run_gan.model.get();
  Rng data_a(3, "data"), noise_a(3, "noise"), data_b(3, "data"), noise_b(3, "noise");
  train(*pop, 0, 5, data_a, noise_a);
  train(*run, 0, 5, data_b, noise_b);
  pop->set_training(false);
  run->set_training(false);
  const Rng draw(5, "eval");
  Rng r1 = draw, r2 = draw, r3 = draw;
  const Tensor<float> z = r1.normal_tensor<float>({400, 2}, 0.f, 1.f);  // the z sample() draws
  const Tensor<float> expected = exact_population_output(*pop, z);      // (400, 2)
  const Tensor<float> x_pop = pop->sample(400, {}, r2), x_run = run->sample(400, {}, r3);
  // statistics from 5,000 samples: the mean within ~0.014 and the std within ~1 % of fc1's own
  // (1 sd); at momentum 0.1 the running ones still hold 0.9^5 = 59 % of their start (0, 1)
  const double e_pop = max_abs_difference(x_pop, expected), e_run = max_abs_difference(x_run, expected);
  MESSAGE("max |G(z) - exact| population " << e_pop << ", running " << e_run);
  CHECK(e_pop < 0.05);
  CHECK(e_run > 4 * e_pop);
  Rng again = draw;
  CHECK(max_abs_difference(pop->sample(400, {}, again), x_pop) == 0.0);  // the same statistics every time
  // evaluating did not touch training: the same next steps and running statistics bit for bit
  pop->set_training(true);
  run->set_training(true);
  const Metrics after_pop = train(*pop, 5, 3, data_a, noise_a), after_run = train(*run, 5, 3, data_b, noise_b);
  CHECK(after_pop == after_run);
  const auto bp = pop->buffers(), br = run->buffers();
  REQUIRE(bp.size() == br.size());
  for (std::size_t i = 0; i < bp.size(); ++i) CHECK(max_abs_difference(*bp[i].second, *br[i].second) == 0.0);
}

TEST_CASE("gan: a g_bn_eval = population run is reproducible and resumes bitwise (evaluations at steps 3 and 6)") {
  TempDir dir("gan-population");
  const std::vector<std::string> pop = {"model.g_bn_eval=\"population\""};
  const RunResult a = run_gan(short_run(dir / "a", pop));
  REQUIRE_MESSAGE(a.status == RunStatus::Finished, a.message);
  const RunResult b = run_gan(short_run(dir / "b", pop));
  CHECK_MESSAGE(compare_runs(a.file, b.file) == "", compare_runs(a.file, b.file));
  std::vector<std::string> stop = pop;
  stop.push_back("run.stop_after_steps=3");
  CHECK(run_gan(short_run(dir / "c", stop)).status == RunStatus::Interrupted);
  const RunResult c = run_gan(short_run(dir / "c", pop));
  REQUIRE(c.status == RunStatus::Finished);
  CHECK_MESSAGE(compare_runs(a.file, c.file) == "", compare_runs(a.file, c.file));
  // the evaluation differs from the running statistics' (the training does not: the unit test above)
  const RunResult r = run_gan(short_run(dir / "r"));
  REQUIRE(r.status == RunStatus::Finished);
  CHECK(read_run(r.file).eval.at("d_score_fake") != read_run(a.file).eval.at("d_score_fake"));
}
