// Calibration of FID and precision/recall for one reference classifier: what real data scores
// against the test images (train images: the floor a perfect generator reaches) and how the
// scores move with a known corruption (Gaussian pixel noise). It does not print: the CLI does.
#include <algorithm>
#include <cstdio>

#include "genlab/error.hpp"
#include "genlab/feature_metrics.hpp"
#include "genlab/reference_classifier.hpp"

namespace genlab {

namespace {

// x: (N, D) + N(0, sigma^2) per pixel, clamped to [0, 1]
Tensor<float> add_noise(const Tensor<float>& x, double sigma, Rng& rng) {
  Tensor<float> out = rng.normal_tensor<float>(shape_of(x), 0.f, static_cast<float>(sigma));
  for (std::size_t i = 0; i < out.size(); ++i) out.data()[i] = std::clamp(out.data()[i] + x.data()[i], 0.f, 1.f);
  return out;
}

std::string sigma_text(double sigma) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", sigma);
  return buf;
}

}  // namespace

std::vector<CalibrationRow> calibrate(const ReferenceClassifier& classifier, std::size_t n,
                                      const std::vector<double>& sigmas, std::size_t k, std::uint64_t seed,
                                      const std::filesystem::path& data_path) {
  DataOptions o;
  o.name = classifier.data().name;
  o.path = data_path;
  const DataSplits data = load_data(o, seed);
  const std::size_t n_train = data.train.x.shape()[0];
  if (n == 0 || n > n_train) {
    throw ConfigError("calibrate: --n must be in [1, " + std::to_string(n_train) + "] (the training set's size), got " +
                      std::to_string(n));
  }
  const Tensor<float> test_features = classifier.features(data.test.x);  // (N_test, F)
  const FeatureStats test_stats = feature_stats(test_features);
  const KnnManifold test_manifold = knn_manifold(test_features, k);

  auto score = [&](const std::string& name, const Tensor<float>& x) {
    const Tensor<float> f = classifier.features(x);
    const PrecisionRecall pr = precision_recall(test_manifold, knn_manifold(f, k));
    return CalibrationRow{name, x.shape()[0], frechet_distance(feature_stats(f), test_stats), pr.precision, pr.recall};
  };
  std::vector<CalibrationRow> rows;
  // The first n train images: the data order is not part of the question.
  std::vector<std::size_t> first(n);
  for (std::size_t i = 0; i < n; ++i) first[i] = i;
  rows.push_back(score("train (floor)", gather_rows(data.train.x, first.data(), n)));
  for (const double sigma : sigmas) {
    Rng rng(seed, "calibrate/noise/" + sigma_text(sigma));
    rows.push_back(score("test + N(0, " + sigma_text(sigma) + "^2)", add_noise(data.test.x, sigma, rng)));
  }
  return rows;
}

}  // namespace genlab
