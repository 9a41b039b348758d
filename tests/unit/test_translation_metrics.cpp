// The translation metrics (translation_metrics.hpp) on translators with known answers: the
// identity map scores exactly the identity baseline and zero cycle error, the true map T scores
// zero ground-truth error (A->B for invert; both ways for mirror, which is exact in floats),
// a symmetric-range translator is mapped to [0, 1] first, one-way ground truth leaves B->A out,
// and a wrong shape from translate() names the plugin. No plugin is loaded: a fixture Model.
#include <doctest/doctest.h>

#include <cmath>

#include "genlab/data.hpp"
#include "genlab/error.hpp"
#include "genlab/translation_metrics.hpp"

using namespace genlab;

namespace {

// translate(): the identity, or domain_map(kind) both ways (kind its own inverse), optionally
// in [-1, 1] (2y - 1) to exercise the output-range mapping; rows_off = 1 returns a short result.
class MapTranslator final : public Model {
 public:
  MapTranslator(std::string kind, bool symmetric = false, std::size_t rows_off = 0)
      : kind_(std::move(kind)), symmetric_(symmetric), rows_off_(rows_off) {}
  void init(InitContext&) override {}
  Metrics train_step(const Batch&, StepContext&) override { return {}; }
  Metrics evaluate(const Batch&, Rng&) override { return {}; }
  std::vector<NamedParameter<float>> parameters() override { return {}; }
  void set_training(bool) override {}
  Tensor<float> translate(const Batch& batch, int) override {
    Tensor<float> y = kind_ == "identity" ? batch.x : domain_map(kind_, batch.x);
    if (symmetric_) y = Tensor<float>(y * 2.f - 1.f);
    if (rows_off_ > 0) return Tensor<float>::from_shape({batch.size() - rows_off_, batch.x.shape()[1]});
    return y;
  }

 private:
  std::string kind_;
  bool symmetric_;
  std::size_t rows_off_;
};

ModelDescription translator(OutputRange range = OutputRange::Unit) {
  ModelDescription d{"fixture_translator", "1.0.0", "a fixed map", kTranslates, {}};
  d.output_range = range;
  return d;
}

// 12 random images (pixels k / 255 like Fashion-MNIST) with B = T(A) row for row.
Dataset paired_set(const std::string& kind, GroundTruth truth) {
  Rng rng(3, "test/translation");
  Dataset d{"fixture", Tensor<float>::from_shape({12, 784}), std::vector<std::int32_t>(12, 1), {1, 28, 28}, 10};
  for (float& v : d.x) v = static_cast<float>(rng.below(256)) / 255.f;
  d.x_b = domain_map(kind, d.x);
  d.y_b = d.y;
  d.ground_truth = truth;
  return d;
}

}  // namespace

TEST_CASE("translation metrics: the identity map scores exactly the identity baseline and no cycle error") {
  const Dataset test = paired_set("invert", GroundTruth::Both);
  MapTranslator identity("identity");
  const TranslationScores s = translation_scores(identity, translator(), test, 5);  // 5: batches of 5, 5, 2
  CHECK(s.n_a == 12);
  CHECK(s.cycle_l1_ab == 0.0);
  CHECK(s.cycle_l1_ba == 0.0);
  CHECK(s.gt_mse_ab == s.identity_mse_ab);
  CHECK(s.gt_l1_ab == s.identity_l1_ab);
  CHECK(s.gt_mse_ba == s.identity_mse_ba);
  CHECK(s.gt_l1_ba == s.identity_l1_ba);
  CHECK(s.identity_mse_ab > 0.05);  // the baseline is not trivially 0 for inversion
  // by hand: mean (a - (1 - a))^2 = mean (2a - 1)^2
  double want = 0;
  for (const float a : test.x) want += (2.0 * a - 1.0) * (2.0 * a - 1.0);
  CHECK(s.identity_mse_ab == doctest::Approx(want / static_cast<double>(test.x.size())).epsilon(1e-6));  // float 1 - a
}

TEST_CASE("translation metrics: the true map scores zero ground-truth error") {
  {  // invert: A->B is exact (the same float op as the data set's); 1 - (1 - a) may round, so B->A is near 0
    const Dataset test = paired_set("invert", GroundTruth::Both);
    MapTranslator truth("invert");
    const TranslationScores s = translation_scores(truth, translator(), test, 500);
    CHECK(s.gt_mse_ab == 0.0);
    CHECK(s.gt_l1_ab == 0.0);
    CHECK(s.gt_l1_ba < 1e-7);  // tolerance: one float rounding of 1 - (1 - a)
    CHECK(s.cycle_l1_ab < 1e-7);
  }
  {  // mirror: a permutation of pixels, exact both ways and round the cycle
    const Dataset test = paired_set("mirror", GroundTruth::Both);
    MapTranslator truth("mirror");
    const TranslationScores s = translation_scores(truth, translator(), test, 500);
    CHECK(s.gt_mse_ab == 0.0);
    CHECK(s.gt_l1_ab == 0.0);
    CHECK(s.gt_mse_ba == 0.0);
    CHECK(s.gt_l1_ba == 0.0);
    CHECK(s.cycle_l1_ab == 0.0);
    CHECK(s.cycle_l1_ba == 0.0);
  }
  {  // a translator emitting [-1, 1] is compared after (y + 1) / 2: mirror stays exact
    const Dataset test = paired_set("mirror", GroundTruth::Both);
    MapTranslator truth("mirror", true);
    const TranslationScores s = translation_scores(truth, translator(OutputRange::Symmetric), test, 500);
    CHECK(s.gt_l1_ab < 1e-6);  // tolerance: (2y - 1 + 1) / 2 rounds by up to an ulp per pixel
  }
}

TEST_CASE("translation metrics: a one-way ground truth (edges) leaves B->A out, none leaves both out") {
  const Dataset edges = paired_set("edges", GroundTruth::AToB);
  MapTranslator truth("edges");
  const TranslationScores s = translation_scores(truth, translator(), edges, 500);
  CHECK(s.truth_ab);
  CHECK_FALSE(s.truth_ba);
  CHECK(s.gt_mse_ab == 0.0);
  CHECK(std::isnan(s.gt_mse_ba));
  Dataset unpaired = edges;
  unpaired.ground_truth = GroundTruth::None;
  const TranslationScores u = translation_scores(truth, translator(), unpaired, 500);
  CHECK_FALSE(u.truth_ab);
  CHECK(std::isnan(u.gt_l1_ab));
  CHECK(std::isfinite(u.cycle_l1_ab));
}

TEST_CASE("translation metrics: a wrong translate() shape or a one-domain split is refused") {
  const Dataset test = paired_set("invert", GroundTruth::Both);
  MapTranslator short_rows("identity", false, 1);
  CHECK_THROWS_WITH_AS(translation_scores(short_rows, translator(), test, 500),
                       doctest::Contains("plugin 'fixture_translator': translate(direction 0) on 12 images returned shape (11, 784)"),
                       PluginError);
  Dataset one = test;
  one.x_b = Tensor<float>();
  MapTranslator identity("identity");
  CHECK_THROWS_AS(translation_scores(identity, translator(), one, 500), DataError);
  CHECK(mean_l1(test.x, test.x) == 0.0);
  CHECK_THROWS_AS(mean_l1(test.x, Tensor<float>::from_shape({1, 784})), ShapeError);
}
