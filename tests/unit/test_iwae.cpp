// The harness's IWAE-k formula (genlab/iwae.hpp) on a fake model whose log weights are known in
// closed form: the bound equals mean_x(logsumexp_k log w - log k) and the ELBO estimate the
// mean of log w, whatever chunking of images and samples the calls use; bad shapes are refused.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "genlab/error.hpp"
#include "genlab/iwae.hpp"

using namespace genlab;

namespace {

// Image i (x = i) gets log w_j = -0.5 (i + 1) - 0.3 j for its j-th draw, counted across calls.
double known_log_w(std::size_t i, std::size_t j) {
  return -0.5 * static_cast<double>(i + 1) - 0.3 * static_cast<double>(j);
}

class FakeWeights final : public Model {
 public:
  void init(InitContext&) override {}
  Metrics train_step(const Batch&, StepContext&) override { return {}; }
  Metrics evaluate(const Batch&, Rng&) override { return {}; }
  std::vector<NamedParameter<float>> parameters() override { return {}; }
  void set_training(bool) override {}
  Tensor<float> log_importance_weights(const Batch& batch, std::size_t k, Rng&) override {
    ++calls;
    Tensor<float> w = Tensor<float>::from_shape({k + extra_rows, batch.size()});
    for (std::size_t b = 0; b < batch.size(); ++b) {
      const auto i = static_cast<std::size_t>(batch.x(b, 0));
      for (std::size_t s = 0; s < k; ++s) w(s, b) = static_cast<float>(known_log_w(i, drawn[i]++));
    }
    return w;
  }
  std::map<std::size_t, std::size_t> drawn;  // draws so far per image
  std::size_t calls = 0, extra_rows = 0;
};

Dataset index_images(std::size_t n) {
  Dataset d;
  d.name = "index";
  d.sample_shape = {1};
  d.x = Tensor<float>::from_shape({n, 1});
  for (std::size_t i = 0; i < n; ++i) d.x(i, 0) = static_cast<float>(i);
  d.y.assign(n, 0);
  return d;
}

}  // namespace

TEST_CASE("iwae_bound: closed-form weights give the exact bound and ELBO for any chunking") {
  const Dataset data = index_images(7);
  const std::size_t images = 5, k = 10;
  double lse_sum = 0, w_sum = 0;
  for (std::size_t i = 0; i < images; ++i) {
    double m = -1e300, s = 0;
    for (std::size_t j = 0; j < k; ++j) m = std::max(m, known_log_w(i, j));
    for (std::size_t j = 0; j < k; ++j) {
      s += std::exp(known_log_w(i, j) - m);
      w_sum += known_log_w(i, j);
    }
    lse_sum += m + std::log(s) - std::log(static_cast<double>(k));
  }
  const double want_iwae = -lse_sum / images, want_elbo = -w_sum / (images * k);
  // rows_per_call 4096: one call for all 5 images; 7: one image per call, blocks of 5 and 5;
  // 25: 2 images per call (the last call 1), blocks of 10 (k fits); 4: blocks of 4, 4, 2
  for (std::size_t rows : {std::size_t{4096}, std::size_t{7}, std::size_t{25}, std::size_t{4}}) {
    INFO("rows_per_call " << rows);
    FakeWeights model;
    Rng rng(0, "unused");
    const IwaeResult r = iwae_bound(model, "fake", data, images, k, rng, rows);
    CHECK(r.images == images);
    CHECK(r.k == k);
    CHECK(r.neg_iwae == doctest::Approx(want_iwae).epsilon(1e-6));  // float log w: ~1e-7 relative
    CHECK(r.neg_elbo == doctest::Approx(want_elbo).epsilon(1e-6));
    CHECK(r.neg_iwae < r.neg_elbo);  // the bound is tighter than the ELBO for spread weights
    for (std::size_t i = 0; i < images; ++i) CHECK(model.drawn[i] == k);  // every image, k draws
    CHECK(model.drawn.count(images) == 0);                                // and no more images
  }
  FakeWeights counted;
  Rng rng(0, "unused");
  iwae_bound(counted, "fake", data, images, k, rng, 7);
  CHECK(counted.calls == 10);  // 5 images x (5 + 5)
}

TEST_CASE("iwae_bound: k = 1 is the ELBO estimate itself, and more images than the split are capped") {
  const Dataset data = index_images(3);
  FakeWeights model;
  Rng rng(0, "unused");
  const IwaeResult r = iwae_bound(model, "fake", data, 1000, 1, rng);
  CHECK(r.images == 3);
  CHECK(r.neg_iwae == doctest::Approx(r.neg_elbo).epsilon(1e-12));
  CHECK(r.neg_iwae == doctest::Approx((0.5 + 1.0 + 1.5) / 3).epsilon(1e-6));
}

TEST_CASE("iwae_bound: a plugin returning log w of the wrong shape is named") {
  const Dataset data = index_images(4);
  FakeWeights model;
  model.extra_rows = 1;
  Rng rng(0, "unused");
  CHECK_THROWS_WITH_AS(iwae_bound(model, "fake", data, 4, 3, rng),
                       doctest::Contains("plugin 'fake': log_importance_weights(batch of 4, k = 3) returned shape (4, 4)"),
                       PluginError);
}
