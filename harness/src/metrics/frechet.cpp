// Gaussian statistics of feature sets and the Frechet distance between them, in double, with
// LAPACK's symmetric eigensolver (xtensor-blas eigh/eigvalsh). This is the one translation unit
// that includes xtensor-blas; it must never include OpenBLAS's <cblas.h> (blas.cpp does).
#include <xtensor-blas/xlinalg.hpp>

#include <algorithm>
#include <cmath>

#include "genlab/blas.hpp"
#include "genlab/error.hpp"
#include "genlab/feature_metrics.hpp"

namespace genlab {

namespace {

// a: (F, F) row-major, b: (F, F) -> a b (or a b^T)
Tensor<double> matmul_square(const Tensor<double>& a, const Tensor<double>& b, bool trans_b = false) {
  const std::size_t f = a.shape()[0];
  Tensor<double> out = Tensor<double>::from_shape({f, f});
  blas::gemm(false, trans_b, f, f, f, 1.0, a.data(), f, b.data(), f, 0.0, out.data(), f);
  return out;
}

// s: (F, F) symmetric positive semi-definite -> s^(1/2) = V diag(sqrt(max(w, 0))) V^T
Tensor<double> sqrt_psd(const Tensor<double>& s) {
  const auto [w, v] = xt::linalg::eigh(s);  // v: column-major, column j = eigenvector j
  const std::size_t f = s.shape()[0];
  Tensor<double> scaled = Tensor<double>::from_shape({f, f});  // V diag(sqrt(w))
  Tensor<double> vr = Tensor<double>::from_shape({f, f});      // V, row-major
  for (std::size_t i = 0; i < f; ++i) {
    for (std::size_t j = 0; j < f; ++j) {
      vr(i, j) = v(i, j);
      scaled(i, j) = v(i, j) * std::sqrt(std::max(w(j), 0.0));
    }
  }
  return matmul_square(scaled, vr, true);
}

double trace(const Tensor<double>& m) {
  double t = 0;
  for (std::size_t i = 0; i < m.shape()[0]; ++i) t += m(i, i);
  return t;
}

}  // namespace

// features: (N, F) -> mean (F,), covariance (F, F)
FeatureStats feature_stats(const Tensor<float>& features) {
  if (features.dimension() != 2 || features.shape()[0] < 2) {
    throw ShapeError("feature_stats: features must be (N, F) with N >= 2, got " + shape_str(shape_of(features)));
  }
  const std::size_t n = features.shape()[0], f = features.shape()[1];
  FeatureStats s;
  s.n = n;
  s.mean = xt::zeros<double>(Shape{f});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < f; ++j) s.mean(j) += features(i, j);
  }
  for (std::size_t j = 0; j < f; ++j) s.mean(j) /= static_cast<double>(n);
  Tensor<double> centered = Tensor<double>::from_shape({n, f});  // (N, F)
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < f; ++j) centered(i, j) = features(i, j) - s.mean(j);
  }
  s.cov = Tensor<double>::from_shape({f, f});
  blas::gemm(true, false, f, f, n, 1.0 / static_cast<double>(n - 1), centered.data(), f, centered.data(), f, 0.0,
             s.cov.data(), f);
  return s;
}

double frechet_distance(const FeatureStats& a, const FeatureStats& b) {
  if (a.mean.shape() != b.mean.shape()) {
    throw ShapeError("frechet_distance: feature sizes differ: " + shape_str(shape_of(a.mean)) + " and " +
                     shape_str(shape_of(b.mean)));
  }
  double mean_term = 0;
  for (std::size_t j = 0; j < a.mean.size(); ++j) {
    const double d = a.mean(j) - b.mean(j);
    mean_term += d * d;
  }
  const Tensor<double> root_a = sqrt_psd(a.cov);                                    // (F, F)
  Tensor<double> m = matmul_square(matmul_square(root_a, b.cov), root_a);           // (F, F), PSD
  const std::size_t f = m.shape()[0];
  for (std::size_t i = 0; i < f; ++i) {  // symmetric up to round-off: make it exactly so
    for (std::size_t j = i + 1; j < f; ++j) m(i, j) = m(j, i) = 0.5 * (m(i, j) + m(j, i));
  }
  const auto eigenvalues = xt::linalg::eigvalsh(m);
  double trace_sqrt = 0;
  for (std::size_t i = 0; i < f; ++i) trace_sqrt += std::sqrt(std::max(eigenvalues(i), 0.0));
  // Identical sets give ~1e-12 of either sign: a distance is never negative.
  return std::max(0.0, mean_term + trace(a.cov) + trace(b.cov) - 2 * trace_sqrt);
}

}  // namespace genlab
