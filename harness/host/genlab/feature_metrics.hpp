// Sample-quality statistics on feature sets (rows = samples, e.g. a reference classifier's
// penultimate layer): the Frechet distance of the Gaussians fitted to two sets (FID when the
// features come from a classifier) and precision/recall with k-NN manifolds (Kynkaenniemi et al.
// 2019). Pure maths on given features: it does not compute features or draw samples.
#pragma once
#include <cstddef>
#include <vector>

#include "genlab/tensor.hpp"

namespace genlab {

// Mean and covariance of a feature set, in double.
struct FeatureStats {
  Tensor<double> mean;  // (F,)
  Tensor<double> cov;   // (F, F), unbiased (divides by N - 1)
  std::size_t n = 0;
};

// features: (N, F) with N >= 2 -> their mean and covariance. Throws ShapeError otherwise.
FeatureStats feature_stats(const Tensor<float>& features);

// ||mu_a - mu_b||^2 + tr(S_a) + tr(S_b) - 2 tr(sqrt(S_a S_b)), with tr(sqrt(S_a S_b)) =
// sum sqrt(eig(sqrt(S_a) S_b sqrt(S_a))) from symmetric eigendecompositions (negative
// round-off eigenvalues clamped to 0). Throws ShapeError if the feature sizes differ.
double frechet_distance(const FeatureStats& a, const FeatureStats& b);

// A point set and the squared distance of each point to its k-th nearest neighbour in the set
// (the point itself not counted): the union of those balls approximates the set's manifold.
struct KnnManifold {
  Tensor<float> points;          // (N, F)
  std::vector<double> norms2;    // (N) squared row norms
  std::vector<float> radii2;     // (N) squared k-NN radius
  std::size_t k = 0;
};

// features: (N, F) with N > k >= 1. Pairwise distances come from blocked gemm, so N = 10,000
// takes about a second. Throws ShapeError when N <= k.
KnnManifold knn_manifold(const Tensor<float>& features, std::size_t k);

struct PrecisionRecall {
  double precision = 0;  // fraction of fake points inside the real manifold
  double recall = 0;     // fraction of real points inside the fake manifold
};

// Both sets must have the same feature size (ShapeError otherwise).
PrecisionRecall precision_recall(const KnnManifold& real, const KnnManifold& fake);

}  // namespace genlab
