// Improved precision and recall (Kynkaenniemi et al. 2019): each set's manifold is the union of
// balls reaching every point's k-th nearest neighbour; precision = fake points inside the real
// manifold, recall = real points inside the fake one. Squared distances come from blocked gemm
// (|a|^2 + |b|^2 - 2 a.b), never a full N x M matrix. It does not compute features.
#include <algorithm>
#include <limits>

#include "genlab/blas.hpp"
#include "genlab/error.hpp"
#include "genlab/feature_metrics.hpp"
#include "metrics/row_norms.hpp"

namespace genlab {

namespace {

constexpr std::size_t kBlockRows = 256;  // rows per gemm block: 256 x 10,000 floats = 10 MB

// Squared distances of a's rows [begin, end) to every row of b: out (end - begin, Nb), >= 0.
void distances2(const KnnManifold& a, std::size_t begin, std::size_t end, const KnnManifold& b,
                std::vector<float>& out) {
  const std::size_t f = a.points.shape()[1], nb = b.points.shape()[0], rows = end - begin;
  out.resize(rows * nb);
  blas::gemm(false, true, rows, nb, f, -2.f, a.points.data() + begin * f, f, b.points.data(), f, 0.f, out.data(), nb);
  for (std::size_t r = 0; r < rows; ++r) {
    float* row = out.data() + r * nb;
    const double na = a.norms2[begin + r];
    for (std::size_t j = 0; j < nb; ++j) row[j] = std::max(0.f, static_cast<float>(na + b.norms2[j]) + row[j]);
  }
}

// The (k+1)-th smallest value of row[0..n): the k-th neighbour when the row holds the point itself.
float kth_smallest_with_self(const float* row, std::size_t n, std::size_t k, std::vector<float>& best) {
  best.assign(k + 1, std::numeric_limits<float>::infinity());  // ascending
  for (std::size_t j = 0; j < n; ++j) {
    if (row[j] >= best[k]) continue;
    std::size_t pos = k;
    while (pos > 0 && best[pos - 1] > row[j]) {
      best[pos] = best[pos - 1];
      --pos;
    }
    best[pos] = row[j];
  }
  return best[k];
}

}  // namespace

// features: (N, F) -> the points, their norms and k-NN radii
KnnManifold knn_manifold(const Tensor<float>& features, std::size_t k) {
  if (features.dimension() != 2 || k == 0 || features.shape()[0] <= k) {
    throw ShapeError("knn_manifold: features must be (N, F) with N > k >= 1, got " +
                     shape_str(shape_of(features)) + " and k = " + std::to_string(k));
  }
  KnnManifold m;
  m.points = features;
  m.norms2 = detail::row_norms2(features);
  m.k = k;
  const std::size_t n = features.shape()[0];
  m.radii2.resize(n);
  std::vector<float> block, best;
  for (std::size_t begin = 0; begin < n; begin += kBlockRows) {
    const std::size_t end = std::min(n, begin + kBlockRows);
    distances2(m, begin, end, m, block);
    for (std::size_t i = begin; i < end; ++i) m.radii2[i] = kth_smallest_with_self(block.data() + (i - begin) * n, n, k, best);
  }
  return m;
}

PrecisionRecall precision_recall(const KnnManifold& real, const KnnManifold& fake) {
  if (real.points.shape()[1] != fake.points.shape()[1]) {
    throw ShapeError("precision_recall: feature sizes differ: real " + shape_str(shape_of(real.points)) +
                     ", fake " + shape_str(shape_of(fake.points)));
  }
  const std::size_t nr = real.points.shape()[0], nf = fake.points.shape()[0];
  std::vector<char> fake_in(nf, 0), real_in(nr, 0);
  std::vector<float> block;
  for (std::size_t begin = 0; begin < nr; begin += kBlockRows) {
    const std::size_t end = std::min(nr, begin + kBlockRows);
    distances2(real, begin, end, fake, block);  // (rows, Nf)
    for (std::size_t i = begin; i < end; ++i) {
      const float* row = block.data() + (i - begin) * nf;
      const float radius = real.radii2[i];
      char inside_fake = 0;
      for (std::size_t j = 0; j < nf; ++j) {
        fake_in[j] |= static_cast<char>(row[j] <= radius);
        inside_fake |= static_cast<char>(row[j] <= fake.radii2[j]);
      }
      real_in[i] = inside_fake;
    }
  }
  PrecisionRecall pr;
  pr.precision = static_cast<double>(std::count(fake_in.begin(), fake_in.end(), 1)) / static_cast<double>(nf);
  pr.recall = static_cast<double>(std::count(real_in.begin(), real_in.end(), 1)) / static_cast<double>(nr);
  return pr;
}

}  // namespace genlab
