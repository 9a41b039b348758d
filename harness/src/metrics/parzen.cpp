// Parzen-window (isotropic Gaussian kernel density) log-likelihood of points under a set of
// centres, with the bandwidth chosen on validation points. Squared distances come from blocked
// gemm (|x|^2 + |c|^2 - 2 x.c, clamped at 0), the log-sum-exp per point is formed in double.
// It does not draw the centres: the evaluator passes samples (or training images, the baseline).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "genlab/blas.hpp"
#include "genlab/error.hpp"
#include "genlab/gan_metrics.hpp"
#include "metrics/row_norms.hpp"

namespace genlab {

namespace {
constexpr std::size_t kBlockRows = 128;  // points per gemm block: 128 x 10,000 floats = 5 MB

void check_sets(const Tensor<float>& centres, const Tensor<float>& points, const char* what) {
  if (centres.dimension() != 2 || points.dimension() != 2 || centres.shape()[0] == 0 || points.shape()[0] == 0 ||
      centres.shape()[1] != points.shape()[1]) {
    throw ShapeError(std::string("parzen: ") + what + " must be non-empty (N, D) and (M, D), got " +
                     shape_str(shape_of(centres)) + " and " + shape_str(shape_of(points)));
  }
}
}  // namespace

std::vector<double> parzen_log_likelihoods(const Tensor<float>& centres, const Tensor<float>& points,
                                           const std::vector<double>& sigmas) {
  check_sets(centres, points, "centres and points");
  const std::size_t n = centres.shape()[0], m = points.shape()[0], d = centres.shape()[1];
  const std::vector<double> cn = detail::row_norms2(centres), pn = detail::row_norms2(points);
  std::vector<double> totals(sigmas.size(), 0.0);
  std::vector<float> block;
  std::vector<double> d2(n);
  for (std::size_t begin = 0; begin < m; begin += kBlockRows) {
    const std::size_t rows = std::min(m, begin + kBlockRows) - begin;
    block.resize(rows * n);
    // block (rows, N) = -2 points[begin:begin+rows] centres^T
    blas::gemm(false, true, rows, n, d, -2.f, points.data() + begin * d, d, centres.data(), d, 0.f, block.data(), n);
    for (std::size_t r = 0; r < rows; ++r) {
      double min_d2 = std::numeric_limits<double>::infinity();
      for (std::size_t i = 0; i < n; ++i) {
        d2[i] = std::max(0.0, pn[begin + r] + cn[i] + static_cast<double>(block[r * n + i]));
        min_d2 = std::min(min_d2, d2[i]);
      }
      for (std::size_t s = 0; s < sigmas.size(); ++s) {
        const double inv = 1.0 / (2.0 * sigmas[s] * sigmas[s]);
        double acc = 0;  // sum_i exp(-(d2_i - min) / (2 sigma^2)), >= 1
        for (std::size_t i = 0; i < n; ++i) acc += std::exp(-(d2[i] - min_d2) * inv);
        totals[s] += -min_d2 * inv + std::log(acc);
      }
    }
  }
  std::vector<double> out(sigmas.size());
  for (std::size_t s = 0; s < sigmas.size(); ++s) {
    const double log_norm = std::log(static_cast<double>(n)) +
                            0.5 * static_cast<double>(d) * std::log(2.0 * std::numbers::pi * sigmas[s] * sigmas[s]);
    out[s] = totals[s] / static_cast<double>(m) - log_norm;
  }
  return out;
}

double parzen_log_likelihood(const Tensor<float>& centres, const Tensor<float>& points, double sigma) {
  return parzen_log_likelihoods(centres, points, {sigma})[0];
}

ParzenResult parzen_select_and_evaluate(const Tensor<float>& centres, const Tensor<float>& validation,
                                        const Tensor<float>& test, const std::vector<double>& sigmas) {
  check_sets(centres, validation, "centres and validation points");
  check_sets(centres, test, "centres and test points");
  if (sigmas.empty()) throw ShapeError("parzen: no bandwidths to choose from");
  ParzenResult r;
  r.sigmas = sigmas;
  r.validation_lls = parzen_log_likelihoods(centres, validation, sigmas);
  std::size_t best = 0;
  for (std::size_t s = 1; s < sigmas.size(); ++s) {
    if (r.validation_lls[s] > r.validation_lls[best]) best = s;
  }
  r.sigma = sigmas[best];
  r.validation_ll = r.validation_lls[best];
  r.test_ll = parzen_log_likelihood(centres, test, r.sigma);
  return r;
}

std::vector<double> parzen_sigma_grid() {
  std::vector<double> out;
  for (int k = -24; k <= 8; ++k) out.push_back(std::pow(10.0, k / 8.0));
  return out;
}

}  // namespace genlab
