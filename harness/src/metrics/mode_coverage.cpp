// PacGAN's mode coverage, high-quality share and reverse KL of 2-D samples against the known
// mixture means (gan_metrics.hpp gives the definitions). Distances in double; it does not
// draw samples.
#include <cmath>
#include <limits>

#include "genlab/error.hpp"
#include "genlab/gan_metrics.hpp"

namespace genlab {

ModeCoverage mode_coverage(const Tensor<float>& samples, const Mixture2d& mixture) {
  if (samples.dimension() != 2 || samples.shape()[1] != 2 || samples.shape()[0] == 0) {
    throw ShapeError("mode_coverage: samples must be (N, 2) with N >= 1, got " + shape_str(shape_of(samples)));
  }
  const std::size_t n = samples.shape()[0], k = mixture.means.size();
  ModeCoverage out;
  out.counts.assign(k, 0);
  out.n = n;
  std::size_t hq = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = samples(i, 0), y = samples(i, 1);
    std::size_t best = 0;
    double best_d2 = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < k; ++j) {
      const double dx = (x - mixture.means[j][0]) / mixture.stddev, dy = (y - mixture.means[j][1]) / mixture.stddev;
      const double d2 = dx * dx + dy * dy;
      if (d2 < best_d2) {
        best_d2 = d2;
        best = j;
      }
    }
    if (best_d2 < 9.0) {  // standardised distance < 3 (NaN samples compare false: not high quality)
      ++out.counts[best];
      ++hq;
    }
  }
  out.high_quality = static_cast<double>(hq) / static_cast<double>(n);
  double kl = 0;
  for (std::size_t c : out.counts) {
    if (c == 0) continue;
    ++out.modes;
    const double p = static_cast<double>(c) / static_cast<double>(hq);
    kl += p * std::log(p * static_cast<double>(k));
  }
  out.reverse_kl = hq == 0 ? std::log(static_cast<double>(k)) : kl;
  return out;
}

}  // namespace genlab
