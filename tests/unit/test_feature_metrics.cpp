// Frechet distance and k-NN precision/recall on synthetic features: closed forms for Gaussians
// with known parameters, a set against itself, monotone growth with added noise, and k-NN radii
// against brute force. No classifier is involved (tests/plugins covers the full path).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "genlab/error.hpp"
#include "genlab/feature_metrics.hpp"
#include "genlab/rng.hpp"

using namespace genlab;

namespace {

FeatureStats gaussian(std::vector<double> mean, std::vector<std::vector<double>> cov) {
  FeatureStats s;
  const std::size_t f = mean.size();
  s.mean = Tensor<double>::from_shape({f});
  s.cov = Tensor<double>::from_shape({f, f});
  for (std::size_t i = 0; i < f; ++i) {
    s.mean(i) = mean[i];
    for (std::size_t j = 0; j < f; ++j) s.cov(i, j) = cov[i][j];
  }
  return s;
}

// x + N(0, sigma^2) elementwise
Tensor<float> noisy(const Tensor<float>& x, float sigma, Rng rng) {
  Tensor<float> out = rng.normal_tensor<float>(shape_of(x), 0.f, sigma);
  for (std::size_t i = 0; i < out.size(); ++i) out.data()[i] += x.data()[i];
  return out;
}

}  // namespace

TEST_CASE("feature_stats: mean and unbiased covariance match a direct computation") {
  Rng rng(1, "stats");
  const Tensor<float> x = rng.normal_tensor<float>({50, 3}, 1.f, 2.f);  // (N, F)
  const FeatureStats s = feature_stats(x);
  CHECK(s.n == 50);
  for (std::size_t a = 0; a < 3; ++a) {
    double mean_a = 0;
    for (std::size_t i = 0; i < 50; ++i) mean_a += x(i, a);
    mean_a /= 50;
    CHECK(s.mean(a) == doctest::Approx(mean_a).epsilon(1e-12));
    for (std::size_t b = 0; b < 3; ++b) {
      double mean_b = 0, c = 0;
      for (std::size_t i = 0; i < 50; ++i) mean_b += x(i, b);
      mean_b /= 50;
      for (std::size_t i = 0; i < 50; ++i) c += (x(i, a) - mean_a) * (x(i, b) - mean_b);
      CHECK(s.cov(a, b) == doctest::Approx(c / 49).epsilon(1e-10));
    }
  }
  CHECK_THROWS_AS(feature_stats(Tensor<float>::from_shape({1, 3})), ShapeError);
}

TEST_CASE("frechet_distance: closed forms for Gaussians with known parameters") {
  SUBCASE("diagonal covariances: |mu_a - mu_b|^2 + sum (sqrt(a_i) - sqrt(b_i))^2") {
    const FeatureStats a = gaussian({0, 1, 2}, {{4, 0, 0}, {0, 1, 0}, {0, 0, 9}});
    const FeatureStats b = gaussian({1, 1, 0}, {{1, 0, 0}, {0, 4, 0}, {0, 0, 9}});
    const double expected = (1 + 0 + 4) + (1.0 + 1.0 + 0.0);  // (2-1)^2 + (1-2)^2 + (3-3)^2
    CHECK(frechet_distance(a, b) == doctest::Approx(expected).epsilon(1e-10));
    CHECK(frechet_distance(b, a) == doctest::Approx(expected).epsilon(1e-10));
  }
  SUBCASE("2 x 2, non-commuting: tr sqrt(S_a S_b) = sqrt(tr(S_a S_b) + 2 sqrt(det S_a det S_b))") {
    const FeatureStats a = gaussian({0.5, -1}, {{2.0, 0.6}, {0.6, 1.0}});
    const FeatureStats b = gaussian({0, 0}, {{1.0, -0.3}, {-0.3, 0.5}});
    const double tr_ab = 2.0 * 1.0 + 0.6 * -0.3 + 0.6 * -0.3 + 1.0 * 0.5;
    const double det_a = 2.0 * 1.0 - 0.36, det_b = 0.5 - 0.09;
    const double tr_sqrt = std::sqrt(tr_ab + 2 * std::sqrt(det_a * det_b));
    const double expected = (0.25 + 1) + (3.0 + 1.5) - 2 * tr_sqrt;
    CHECK(frechet_distance(a, b) == doctest::Approx(expected).epsilon(1e-10));
  }
  SUBCASE("a singular covariance (rank 1) is handled") {
    const FeatureStats a = gaussian({0, 0}, {{1, 1}, {1, 1}});  // variance 2 along (1, 1)
    const FeatureStats b = gaussian({0, 0}, {{2, 0}, {0, 2}});
    // S_a S_b = 2 S_a has eigenvalues 4 and 0: tr sqrt = 2; FD = 2 + 4 - 4
    CHECK(frechet_distance(a, b) == doctest::Approx(2.0).epsilon(1e-10));
  }
  CHECK_THROWS_AS(frechet_distance(gaussian({0}, {{1}}), gaussian({0, 0}, {{1, 0}, {0, 1}})), ShapeError);
}

TEST_CASE("frechet_distance: a set against itself is ~0 and grows monotonically with added noise") {
  Rng rng(2, "fid");
  Tensor<float> x = rng.normal_tensor<float>({2000, 16}, 0.f, 1.f);
  for (std::size_t i = 0; i < 2000; ++i) x(i, 3) += 2 * x(i, 0);  // correlated features
  const FeatureStats ref = feature_stats(x);
  CHECK(frechet_distance(ref, ref) < 1e-9);
  double previous = 0;
  for (const float sigma : {0.05f, 0.2f, 0.5f, 1.0f}) {
    const double d = frechet_distance(feature_stats(noisy(x, sigma, Rng(3, "noise"))), ref);
    INFO("sigma " << sigma << ": " << d);
    CHECK(d > previous);
    previous = d;
  }
  // 16 features of variance 1 + sigma^2 against 1: about 16 (sqrt(2) - 1)^2 ~ 2.7 at sigma = 1
  CHECK(previous == doctest::Approx(16 * std::pow(std::sqrt(2.0) - 1, 2)).epsilon(0.25));
}

TEST_CASE("knn_manifold: radii are the distances to the k-th nearest other point (brute force)") {
  Rng rng(4, "knn");
  const Tensor<float> x = rng.normal_tensor<float>({300, 5}, 0.f, 1.f);
  const KnnManifold m = knn_manifold(x, 3);
  for (std::size_t i = 0; i < 300; i += 7) {
    std::vector<double> d;
    for (std::size_t j = 0; j < 300; ++j) {
      if (j == i) continue;
      double s = 0;
      for (std::size_t c = 0; c < 5; ++c) s += std::pow(static_cast<double>(x(i, c)) - x(j, c), 2);
      d.push_back(s);
    }
    std::sort(d.begin(), d.end());
    CHECK(m.radii2[i] == doctest::Approx(d[2]).epsilon(1e-4));
  }
  CHECK_THROWS_AS(knn_manifold(x, 300), ShapeError);
}

TEST_CASE("precision_recall: a set against itself scores precision 1 and recall 1 while far or half-shifted sets score as expected") {
  Rng rng(5, "pr");
  const Tensor<float> x = rng.normal_tensor<float>({1000, 8}, 0.f, 1.f);
  const KnnManifold real = knn_manifold(x, 3);
  const PrecisionRecall same = precision_recall(real, knn_manifold(x, 3));
  CHECK(same.precision == 1.0);
  CHECK(same.recall == 1.0);

  Tensor<float> far = x;
  for (std::size_t i = 0; i < far.size(); ++i) far.data()[i] += 100.f;
  const PrecisionRecall none = precision_recall(real, knn_manifold(far, 3));
  CHECK(none.precision == 0.0);
  CHECK(none.recall == 0.0);

  // Half the fake points are real points, half are far away: precision exactly 1/2.
  Tensor<float> half = x;
  for (std::size_t i = 500; i < 1000; ++i) {
    for (std::size_t c = 0; c < 8; ++c) half(i, c) = x(i - 500, c) + 100.f;
  }
  const PrecisionRecall p = precision_recall(real, knn_manifold(half, 3));
  CHECK(p.precision == 0.5);
  CHECK(p.recall >= 0.5);  // the first 500 real points are fake points themselves
  CHECK(p.recall < 1.0);   // the others are not all within reach
}
