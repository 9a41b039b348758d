// The synthetic 2-D Gaussian mixtures genlab generates (ring8, grid25): their component means and
// common standard deviation, shared by the data source (data/synthetic.cpp) and the mode-coverage
// metric (gan_metrics.hpp). It does not draw points: load_data() does.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace genlab {

struct Mixture2d {
  std::vector<std::array<double, 2>> means;  // (K, 2) component means, equal weights
  double stddev = 0;                         // isotropic per-dimension standard deviation
};

// ring8: 8 means on the unit circle at angles 2*pi*k/8, std 0.01; grid25: means
// {-4,-2,0,2,4}^2, std 0.05. std::nullopt for any other name.
std::optional<Mixture2d> find_mixture(const std::string& name);

}  // namespace genlab
