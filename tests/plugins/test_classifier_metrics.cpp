// The classifier plugin and the sample-quality metrics it enables, end to end: it learns, a tiny
// trained classifier restores from its run file, FID/precision/recall behave on real images,
// every built sampling plugin gets them at the final evaluation, and mismatched, unfinished or
// non-classifier run files are refused with a message naming both sides.
#include <doctest/doctest.h>

#include <cmath>

#include "genlab/executor.hpp"
#include "genlab/feature_metrics.hpp"
#include "genlab/hash.hpp"
#include "genlab/loader.hpp"
#include "genlab/reference_classifier.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {

fs::path smoke_file(const std::string& plugin) {
  return fs::path(GENLAB_SOURCE_DIR) / "experiments" / "smoke" / (plugin + ".toml");
}

RunResult run_smoke(const std::string& plugin, const fs::path& out, std::vector<std::string> sets) {
  sets.push_back("experiment.output=\"" + out.string() + "\"");
  const Experiment e = load_and_validate(smoke_file(plugin), sets);
  REQUIRE(e.runs.size() == 1);
  return run_one(e.runs[0], RunnerOptions{});
}

// 8 steps on 256 images, evaluated at the end: a finished classifier run with usable features.
std::vector<std::string> tiny_steps() {
  return {"data.limit=256", "train.epochs=0", "train.steps=8", "eval.every_epochs=0", "eval.every_steps=8"};
}

// Trained once per test process and shared by the tests below.
const fs::path& tiny_classifier() {
  static TempDir dir("tiny-classifier");
  static const fs::path file = [] {
    const RunResult r = run_smoke("classifier", dir.path(), tiny_steps());
    REQUIRE_MESSAGE(r.status == RunStatus::Finished, r.message);
    return r.file;
  }();
  return file;
}

double final_eval(const fs::path& file, const std::string& metric) {
  return read_run(file).eval.at(metric).back();
}

}  // namespace

TEST_CASE("classifier plugin: learns well above chance on 512 images in a few seconds") {
  TempDir dir("classifier-learns");
  const RunResult r = run_smoke("classifier", dir.path(), {});
  REQUIRE_MESSAGE(r.status == RunStatus::Finished, r.message);
  const double accuracy = final_eval(r.file, "accuracy");
  INFO("test accuracy " << accuracy << ", cross-entropy " << final_eval(r.file, "cross_entropy"));
  CHECK(accuracy > 0.5);  // chance: 0.1
  CHECK(final_eval(r.file, "cross_entropy") < std::log(10.0) * 0.7);
}

TEST_CASE("reference classifier: restores from its run file and scores FID ~0 against itself and more with noise") {
  const ReferenceClassifier c = ReferenceClassifier::load(tiny_classifier());
  CHECK(c.plugin() == "classifier");
  CHECK(c.sha256() == sha256_file(tiny_classifier()));
  CHECK(c.data().name == "fashion_mnist");
  CHECK(c.data().sample_shape == Shape{1, 28, 28});

  // The restored model predicts what the run measured on its (256-image) test split.
  DataOptions o;
  o.name = "fashion_mnist";
  o.limit = 256;
  const DataSplits data = load_data(o, 0);
  const auto predicted = c.predict(data.test.x);
  double correct = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == data.test.y[i] ? 1 : 0;
  CHECK(correct / 256 == doctest::Approx(final_eval(tiny_classifier(), "accuracy")).epsilon(1e-12));

  const Tensor<float> f = c.features(data.test.x, 100);  // (256, 32)
  CHECK(f.shape() == std::vector<std::size_t>{256, 32});
  const FeatureStats s = feature_stats(f);
  CHECK(frechet_distance(s, s) < 1e-6);
  const PrecisionRecall pr = precision_recall(knn_manifold(f, 3), knn_manifold(f, 3));
  CHECK(pr.precision == 1.0);
  CHECK(pr.recall == 1.0);

  // Calibration on the full test set: train images are close (the floor), noisier test images
  // further away, and heavy noise pushes samples off the test manifold.
  const auto rows = calibrate(c, 1000, {0.1, 0.5}, 3);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].name == "train (floor)");
  CHECK(rows[0].n == 1000);
  CHECK(rows[1].n == 10000);
  INFO("fid: train " << rows[0].fid << ", sigma 0.1: " << rows[1].fid << ", sigma 0.5: " << rows[2].fid);
  CHECK(rows[0].fid < rows[1].fid);
  CHECK(rows[1].fid < rows[2].fid);
  CHECK(rows[2].precision < rows[1].precision);
}

TEST_CASE("eval.classifier: every built Fashion-MNIST sampling plugin gets fid/precision/recall at the final evaluation") {
  const std::string classifier = tiny_classifier().string();
  std::size_t tested = 0;
  for (const auto& entry : fs::directory_iterator(GENLAB_PLUGIN_DIR)) {
    if (entry.path().extension() != ".so") continue;
    const ModelDescription d = load_plugin_file(entry.path()).info().description;
    if (!(d.capabilities & kSamples)) continue;
    if (load_and_validate(smoke_file(d.name), {}).runs.at(0).data_name != "fashion_mnist") continue;  // 2-D sets
    INFO("plugin " << d.name);
    ++tested;
    TempDir dir("fid-" + d.name);
    const std::vector<std::string> sets = {"data.limit=200", "train.epochs=0", "train.steps=6",
                                           "eval.every_epochs=0", "eval.every_steps=3",
                                           "eval.classifier=\"" + classifier + "\"", "eval.fid_samples=300",
                                           "eval.heavy_metrics=\"final\""};
    const RunResult r = run_smoke(d.name, dir / "a", sets);
    REQUIRE_MESSAGE(r.status == RunStatus::Finished, r.message);
    const RunSummary s = read_run(r.file);
    REQUIRE(s.eval.at("fid").size() == 2);
    CHECK(std::isnan(s.eval.at("fid")[0]));  // heavy_metrics = "final"
    CHECK(std::isfinite(s.eval.at("fid")[1]));
    CHECK(s.eval.at("fid")[1] > 0);
    for (const char* m : {"precision", "recall"}) {
      CHECK(s.eval.at(m)[1] >= 0);
      CHECK(s.eval.at(m)[1] <= 1);
    }
    const AttrMap& a = s.eval_attrs.at("fid");
    CHECK(attr_to_string(a.at("classifier_sha256")) == sha256_file(tiny_classifier()));
    CHECK(std::get<std::int64_t>(a.at("n")) == 300);
    CHECK(attr_to_string(a.at("reference")) == "test");
    CHECK(std::get<std::int64_t>(a.at("reference_n")) == 200);
    CHECK(std::get<std::int64_t>(s.eval_attrs.at("precision").at("k")) == 3);
    CHECK(s.eval.count("conditional_accuracy") == ((d.capabilities & kConditional) ? 1u : 0u));

    std::vector<std::string> every = sets;
    every.push_back("eval.heavy_metrics=\"every\"");
    const RunResult e = run_smoke(d.name, dir / "every", every);
    REQUIRE(e.status == RunStatus::Finished);
    const auto fid = read_run(e.file).eval.at("fid");
    CHECK(std::isfinite(fid[0]));
    CHECK(fid[1] == s.eval.at("fid")[1]);  // same samples stream, same model: same score
  }
  CHECK(tested >= 1);  // vae at least
}

TEST_CASE("eval.classifier: a mismatched or unfinished or non-classifier run file is refused") {
  TempDir dir("classifier-refusals");
  const std::vector<std::string> vae_steps = {"data.limit=200", "train.epochs=0", "train.steps=2",
                                              "eval.every_epochs=0", "eval.every_steps=2"};
  auto vae_with = [&](const std::string& classifier) {
    std::vector<std::string> sets = vae_steps;
    sets.push_back("eval.classifier=\"" + classifier + "\"");
    return run_smoke("vae", dir / "vae", sets);
  };

  SUBCASE("trained on another data set (ring8: other name and sample shape)") {
    std::vector<std::string> ring = tiny_steps();
    ring.push_back("data.name=\"ring8\"");
    const RunResult c = run_smoke("classifier", dir / "ring8", ring);
    REQUIRE_MESSAGE(c.status == RunStatus::Finished, c.message);
    CHECK_THROWS_WITH_AS(vae_with(c.file.string()),
                         doctest::Contains("was trained on data set 'ring8' (sample shape (2,), 8 classes), but this "
                                           "run uses 'fashion_mnist' (sample shape (1, 28, 28), 10 classes)"),
                         ConfigError);
  }
  SUBCASE("a run of a plugin that cannot classify") {
    const RunResult v = run_smoke("vae", dir / "plain", vae_steps);
    REQUIRE(v.status == RunStatus::Finished);
    CHECK_THROWS_WITH_AS(vae_with(v.file.string()), doctest::Contains("plugin 'vae', which cannot classify"),
                         ConfigError);
  }
  SUBCASE("an unfinished classifier run") {
    std::vector<std::string> stopped = tiny_steps();
    stopped.push_back("run.stop_after_steps=2");
    const RunResult c = run_smoke("classifier", dir / "stopped", stopped);
    REQUIRE(c.status == RunStatus::Interrupted);
    CHECK_THROWS_WITH_AS(vae_with(c.file.string()), doctest::Contains("status 'interrupted', not 'finished'"),
                         ConfigError);
  }
  SUBCASE("a missing file") {
    CHECK_THROWS_WITH_AS(vae_with((dir / "nope.h5").string()), doctest::Contains("eval.classifier: no such file"),
                         ConfigError);
  }
  CHECK_FALSE(fs::exists(dir / "vae"));  // refused before any run file is written
}
