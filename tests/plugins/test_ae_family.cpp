// The autoencoder family (ae, vae, cvae) beyond the generic contract: the importance weights
// estimate the same ELBO the plugin reports (k = 1, within a few standard errors) and IWAE-5000
// is tighter; the conv architecture passes the contract and learns; the harness's latent images
// (interpolation, classes) come out with the expected sizes; IWAE never touches training.
#include <doctest/doctest.h>

#include <cmath>

#include "genlab/data.hpp"
#include "genlab/executor.hpp"
#include "genlab/image.hpp"
#include "genlab/iwae.hpp"
#include "genlab/loader.hpp"
#include "support/run_helpers.hpp"
#include "support/test_init.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {

struct Trained {
  Plugin plugin;
  std::shared_ptr<Model> model;
  DataSplits data;
};

// `name` with hidden [64], latent 8 (plus `given`), trained for `steps` Adam steps on 512 images.
Trained train_plugin(const std::string& name, std::map<std::string, ParamValue> given, int steps) {
  Trained t{load_plugin_file(fs::path(GENLAB_PLUGIN_DIR) / plugin_file_name(name)), nullptr, {}};
  given.emplace("hidden", std::vector<std::int64_t>{64});
  given.emplace("latent_dim", std::int64_t{8});
  DataOptions options;
  options.name = "fashion_mnist";
  options.limit = 512;
  t.data = load_data(options, 0);
  const DataInfo info{"fashion_mnist", {1, 28, 28}, 784, 10, 512};
  TestInit ctx(Params::with_defaults(t.plugin.info().description.schema, given), info);
  t.model = t.plugin.create();
  t.model->init(ctx);
  Rng noise(11, "noise");
  for (int s = 0; s < steps; ++s) {
    const auto begin = static_cast<std::size_t>(s % 8) * 64;
    Batch b;
    b.x = Tensor<float>::from_shape({64, 784});
    std::copy(t.data.train.x.data() + begin * 784, t.data.train.x.data() + (begin + 64) * 784, b.x.data());
    b.y.assign(t.data.train.y.begin() + static_cast<std::ptrdiff_t>(begin),
               t.data.train.y.begin() + static_cast<std::ptrdiff_t>(begin + 64));
    StepContext step{noise, s, 0.0};
    t.model->train_step(b, step);
  }
  t.model->set_training(false);
  return t;
}

Batch first_test_images(const DataSplits& data, std::size_t n) {
  Batch b;
  b.x = Tensor<float>::from_shape({n, 784});
  std::copy(data.test.x.data(), data.test.x.data() + n * 784, b.x.data());
  b.y.assign(data.test.y.begin(), data.test.y.begin() + static_cast<std::ptrdiff_t>(n));
  return b;
}

// Largest pixel difference between tile (ra, ca) of grid a and tile (rb, cb) of grid b (28x28
// tiles, 2-pixel gaps).
int tile_difference(const ImageGrid& a, std::size_t ra, std::size_t ca, const ImageGrid& b, std::size_t rb,
                    std::size_t cb) {
  int worst = 0;
  for (std::size_t y = 0; y < 28; ++y) {
    for (std::size_t x = 0; x < 28; ++x) {
      const auto pa = a.pixels[(2 + ra * 30 + y) * a.width + 2 + ca * 30 + x];
      const auto pb = b.pixels[(2 + rb * 30 + y) * b.width + 2 + cb * 30 + x];
      worst = std::max(worst, std::abs(int(pa) - int(pb)));
    }
  }
  return worst;
}

struct MeanSe {
  double mean = 0, se = 0;
};
MeanSe mean_se(const std::vector<double>& v) {
  double m = 0, s = 0;
  for (double x : v) m += x;
  m /= static_cast<double>(v.size());
  for (double x : v) s += (x - m) * (x - m);
  return {m, std::sqrt(s / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()))};
}

RunResult run_smoke(const std::string& name, std::vector<std::string> sets) {
  const fs::path smoke = fs::path(GENLAB_SOURCE_DIR) / "experiments" / "smoke" / (name + ".toml");
  const Experiment e = load_and_validate(smoke, sets);
  REQUIRE(e.runs.size() == 1);
  return run_one(e.runs[0], RunnerOptions{});
}

std::vector<std::string> short_run(const fs::path& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> sets = {"experiment.output=\"" + out.string() + "\"", "train.epochs=0", "train.steps=6",
                                   "eval.every_epochs=0", "eval.every_steps=3", "data.limit=200",
                                   "run.checkpoint_every_epochs=0", "run.checkpoint_every_steps=3"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return sets;
}

}  // namespace

TEST_CASE("ae family: k = 1 importance weights estimate the plugin's neg_elbo (vae and cvae, both likelihoods)") {
  struct Case {
    const char* plugin;
    const char* likelihood;
  };
  for (const Case c : {Case{"vae", "bernoulli"}, Case{"vae", "gaussian"}, Case{"cvae", "bernoulli"}}) {
    const std::string label = std::string(c.plugin) + " " + c.likelihood;
    INFO(label);
    Trained t = train_plugin(c.plugin, {{"likelihood", std::string(c.likelihood)}}, 30);
    NoGradGuard no_grad;
    const Batch batch = first_test_images(t.data, 64);
    Rng rng(5, "test/iwae");
    const std::size_t repeats = 200;
    const Tensor<float> log_w = t.model->log_importance_weights(batch, repeats, rng);  // (R, 64)
    REQUIRE(shape_of(log_w) == Shape{repeats, 64});
    std::vector<double> from_weights, from_plugin;
    for (std::size_t r = 0; r < repeats; ++r) {
      double s = 0;
      for (std::size_t b = 0; b < 64; ++b) s -= log_w(r, b);
      from_weights.push_back(s / 64);
      from_plugin.push_back(t.model->evaluate(batch, rng).at("neg_elbo"));
    }
    const MeanSe a = mean_se(from_weights), b = mean_se(from_plugin);
    const double tolerance = 4 * std::hypot(a.se, b.se);  // 4 standard errors
    INFO("mean -log w " << a.mean << " +- " << a.se << ", plugin neg_elbo " << b.mean << " +- " << b.se);
    CHECK(tolerance < 1.0);  // sharp enough to see a missing log p(z) (~ Z/2 log 2 pi = 7 nats)
    CHECK(std::abs(a.mean - b.mean) < tolerance);
  }
}

TEST_CASE("ae family: IWAE-5000 is at least as tight as the ELBO on the same images") {
  for (const char* plugin : {"vae", "cvae"}) {
    INFO(std::string(plugin));
    Trained t = train_plugin(plugin, {}, 30);
    NoGradGuard no_grad;
    Rng rng(6, "test/iwae");
    const IwaeResult r = iwae_bound(*t.model, plugin, t.data.test, 16, 5000, rng);
    INFO("neg_iwae " << r.neg_iwae << " neg_elbo " << r.neg_elbo);
    CHECK(r.images == 16);
    CHECK(std::isfinite(r.neg_iwae));
    CHECK(r.neg_iwae <= r.neg_elbo);
    CHECK(r.neg_elbo - r.neg_iwae > 0.1);  // a real gap on a barely trained model, not rounding
  }
}

TEST_CASE("ae family: arch = conv passes the contract for ae, vae, cvae (finite, reproducible, exact resume)") {
  const std::vector<std::string> conv = {"model.arch=\"conv\"", "model.channels=[4, 8]"};
  auto with = [&](std::string extra) {
    auto sets = conv;
    sets.push_back(std::move(extra));
    return sets;
  };
  for (const char* plugin : {"ae", "vae", "cvae"}) {
    const std::string name = plugin;
    INFO(name);
    TempDir dir("conv-" + name);
    const RunResult a = run_smoke(name, short_run(dir / "a", conv));
    REQUIRE_MESSAGE(a.status == RunStatus::Finished, a.message);
    const RunSummary s = read_run(a.file);
    for (const auto& [k, v] : s.eval) {
      for (double x : v) CHECK_MESSAGE(std::isfinite(x), "eval/" << k);
    }
    CHECK(s.eval.at("loss").size() == 2);
    CHECK(s.eval.count("neg_iwae") == (name == "ae" ? 0u : 1u));
    const RunResult b = run_smoke(name, short_run(dir / "b", conv));
    CHECK_MESSAGE(compare_runs(a.file, b.file) == "", compare_runs(a.file, b.file));
    CHECK(run_smoke(name, short_run(dir / "c", with("run.stop_after_steps=3"))).status == RunStatus::Interrupted);
    const RunResult c = run_smoke(name, short_run(dir / "c", conv));
    REQUIRE(c.status == RunStatus::Finished);
    CHECK_MESSAGE(compare_runs(a.file, c.file) == "", compare_runs(a.file, c.file));
  }
}

TEST_CASE("ae family: a conv vae with batch norm learns (training loss falls)") {
  TempDir dir("conv-learns");
  const RunResult r = run_smoke("vae", {"experiment.output=\"" + (dir / "out").string() + "\"", "train.epochs=0",
                                        "train.steps=60", "eval.every_epochs=0", "eval.every_steps=60",
                                        "eval.iwae_k=0", "model.arch=\"conv\"", "model.channels=[8, 16]",
                                        "model.batch_norm=true"});
  REQUIRE_MESSAGE(r.status == RunStatus::Finished, r.message);
  const RunSummary s = read_run(r.file);
  const std::vector<double>& loss = s.train.at("loss");
  REQUIRE(loss.size() == 60);
  double first = 0, last = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    first += loss[i] / 8;
    last += loss[loss.size() - 1 - i] / 8;
  }
  INFO("mean loss of the first 8 steps " << first << ", of the last 8 " << last);
  CHECK(last < 0.75 * first);  // 543 nats (784 log 2) at start; a learning model is far below
}

TEST_CASE("ae family: cvae writes interpolation and classes grids (run file and PNG, expected sizes)") {
  TempDir dir("cvae-images");
  // 40 steps: enough for decodes that depend on z (the interpolation must move)
  const RunResult r = run_smoke("cvae", short_run(dir / "out", {"train.steps=40", "eval.every_steps=20"}));
  REQUIRE_MESSAGE(r.status == RunStatus::Finished, r.message);
  const RunSummary s = read_run(r.file);
  for (const char* name : {"reconstructions", "samples", "interpolation", "classes"}) {
    INFO(std::string(name));
    CHECK(std::find(s.image_names.begin(), s.image_names.end(), name) != s.image_names.end());
  }
  auto png = [&](const std::string& name) {
    fs::path p = r.file;
    p.replace_filename(r.file.stem().string() + "_" + name + ".png");
    REQUIRE(fs::exists(p));
    return read_png(p);
  };
  const ImageGrid interpolation = png("interpolation");  // 4 pairs x (x_a, 10 points, x_b)
  CHECK(interpolation.width == 12 * 28 + 13 * 2);
  CHECK(interpolation.height == 4 * 28 + 5 * 2);
  // row 0 starts with test image 0 and its decoded mean (t = 0): the reconstructions grid's
  // first column holds the same image over its reconstruction (1 grey level of float rounding)
  const ImageGrid reconstructions = png("reconstructions");
  CHECK(tile_difference(interpolation, 0, 0, reconstructions, 0, 0) == 0);
  CHECK(tile_difference(interpolation, 0, 1, reconstructions, 1, 0) <= 1);
  CHECK(tile_difference(interpolation, 0, 1, interpolation, 0, 10) > 8);  // the line moves (18 here)
  const ImageGrid classes = png("classes");  // 10 classes x 10 samples
  CHECK(classes.width == 10 * 28 + 11 * 2);
  CHECK(classes.height == 10 * 28 + 11 * 2);
  std::vector<std::size_t> shape;
  const auto pixels = read_image(r.file, "classes", 1, &shape);  // the second evaluation's grid
  CHECK(shape == std::vector<std::size_t>{classes.height, classes.width});
  CHECK(pixels == classes.pixels);  // the PNG is the latest grid of the run file
}

TEST_CASE("ae family: computing IWAE does not change training (same train series and checkpoint)") {
  TempDir dir("iwae-training");
  const RunResult with = run_smoke("vae", short_run(dir / "with"));
  const RunResult without = run_smoke("vae", short_run(dir / "without", {"eval.iwae_k=0"}));
  REQUIRE(with.status == RunStatus::Finished);
  REQUIRE(without.status == RunStatus::Finished);
  const RunSummary a = read_run(with.file), b = read_run(without.file);
  CHECK(a.eval.count("neg_iwae") == 1);
  CHECK(b.eval.count("neg_iwae") == 0);
  CHECK(a.train.at("loss") == b.train.at("loss"));
  CHECK(a.eval.at("neg_elbo") == b.eval.at("neg_elbo"));
  CHECK(read_checkpoint(with.file) == read_checkpoint(without.file));
  CHECK(a.eval_attrs.at("neg_iwae").count("k") == 1);
  CHECK(attr_to_string(a.eval_attrs.at("neg_iwae").at("k")) == "64");
  CHECK(attr_to_string(a.eval_attrs.at("neg_iwae").at("n")) == "64");
  CHECK(a.eval_attrs.at("active_units").count("kl_per_dim") == 1);
}
