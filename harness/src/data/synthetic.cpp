// The standard mode-collapse test sets: ring8 (8 Gaussians on the unit circle at angles 2*pi*k/8,
// std 0.01) and grid25 (means {-4,-2,0,2,4}^2, std 0.05); 50,000 train and 10,000 test points,
// each point's component uniform, all drawn from Rng(seed, "data/synthetic"). The means live in
// find_mixture() (mixtures.hpp), which the mode-coverage metric shares. No other shapes.
#include <cmath>
#include <cstdio>
#include <numbers>

#include "data/sources.hpp"
#include "genlab/error.hpp"
#include "genlab/mixtures.hpp"
#include "genlab/rng.hpp"

namespace genlab {

std::optional<Mixture2d> find_mixture(const std::string& name) {
  Mixture2d m;
  if (name == "ring8") {
    for (int k = 0; k < 8; ++k) {
      const double angle = 2.0 * std::numbers::pi * k / 8.0;
      m.means.push_back({std::cos(angle), std::sin(angle)});
    }
    m.stddev = 0.01;
  } else if (name == "grid25") {
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 5; ++j) m.means.push_back({-4.0 + 2.0 * i, -4.0 + 2.0 * j});
    }
    m.stddev = 0.05;
  } else {
    return std::nullopt;
  }
  return m;
}

}  // namespace genlab

namespace genlab::data_detail {

namespace {
constexpr std::size_t train_points = 50000, test_points = 10000;

Mixture2d mixture_of(const std::string& name) {
  if (auto m = find_mixture(name)) return *m;
  throw DataError("unknown synthetic data set '" + name + "' (known: ring8, grid25)");
}

// n points: x (n, 2), y = component index.
Dataset sample(const std::string& name, const Mixture2d& m, std::size_t n, Rng rng) {
  Dataset out{name, Tensor<float>::from_shape({n, 2}), std::vector<std::int32_t>(n), {2}, m.means.size()};
  float* x = out.x.data();
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(rng.below(m.means.size()));
    out.y[i] = static_cast<std::int32_t>(k);
    x[2 * i] = static_cast<float>(m.means[k][0] + m.stddev * rng.normal());
    x[2 * i + 1] = static_cast<float>(m.means[k][1] + m.stddev * rng.normal());
  }
  return out;
}
}  // namespace

std::string mixture_description(const std::string& name) {
  const Mixture2d m = mixture_of(name);
  char buf[64];
  std::string out = name + ": Rng(seed, \"data/synthetic\"), train " + std::to_string(train_points) + ", test " +
                    std::to_string(test_points);
  std::snprintf(buf, sizeof buf, ", stddev %.17g, means", m.stddev);
  out += buf;
  for (const auto& mean : m.means) {
    std::snprintf(buf, sizeof buf, " (%.17g, %.17g)", mean[0], mean[1]);
    out += buf;
  }
  return out;
}

std::pair<Dataset, Dataset> make_mixture(const std::string& name, std::uint64_t seed, std::size_t limit) {
  const Mixture2d m = mixture_of(name);
  const Rng rng(seed, "data/synthetic");
  return {sample(name, m, capped(train_points, limit), rng.derive("train")),
          sample(name, m, capped(test_points, limit), rng.derive("test"))};
}

}  // namespace genlab::data_detail
