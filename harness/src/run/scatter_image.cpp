// scatter_image(): pixels of 2-D samples and mode rings. It does not draw text (gnuplot does in
// analysis/); the picture's square is fixed by the mixture so evaluations line up.
#include "run/scatter_image.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace genlab {

namespace {
void put(ImageGrid& g, long row, long col, std::uint8_t r, std::uint8_t gr, std::uint8_t b) {
  if (row < 0 || col < 0 || row >= static_cast<long>(g.height) || col >= static_cast<long>(g.width)) return;
  std::uint8_t* p = g.pixels.data() + (static_cast<std::size_t>(row) * g.width + static_cast<std::size_t>(col)) * 3;
  p[0] = r;
  p[1] = gr;
  p[2] = b;
}
}  // namespace

double scatter_half_width(const Mixture2d& mixture) {
  double m = 0;
  for (const auto& mean : mixture.means) m = std::max({m, std::abs(mean[0]), std::abs(mean[1])});
  return 1.25 * m + 10.0 * mixture.stddev;
}

ImageGrid scatter_image(const Tensor<float>& points, const Mixture2d& mixture, std::size_t size) {
  ImageGrid g;
  g.height = g.width = size;
  g.channels = 3;
  g.pixels.assign(size * size * 3, 255);
  const double h = scatter_half_width(mixture), scale = static_cast<double>(size) / (2.0 * h);
  auto col_of = [&](double x) { return static_cast<long>(std::floor((x + h) * scale)); };
  auto row_of = [&](double y) { return static_cast<long>(std::floor((h - y) * scale)); };
  const double ring = std::max(3.0, 3.0 * mixture.stddev * scale);  // pixels
  for (const auto& mean : mixture.means) {
    for (int a = 0; a < 360; ++a) {
      const double t = a * std::numbers::pi / 180.0;
      put(g, row_of(mean[1]) + std::lround(ring * std::sin(t)), col_of(mean[0]) + std::lround(ring * std::cos(t)), 220, 30, 30);
    }
  }
  for (std::size_t i = 0; i < points.shape()[0]; ++i) {
    const double x = points(i, 0), y = points(i, 1);
    if (!(std::abs(x) < h) || !(std::abs(y) < h)) continue;  // outside, or not finite
    put(g, row_of(y), col_of(x), 20, 40, 160);
  }
  return g;
}

}  // namespace genlab
