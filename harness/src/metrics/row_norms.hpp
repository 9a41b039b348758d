// Internal to the metrics: squared Euclidean norms of a matrix's rows, accumulated in double, as
// the blocked squared-distance loops (||a||^2 + ||b||^2 - 2 a.b) of Parzen and precision/recall
// need them. It computes no distances itself.
#pragma once
#include <cstddef>
#include <vector>

#include "genlab/tensor.hpp"

namespace genlab::detail {

// x: (N, D) -> (N,) of sum_j x(i, j)^2
inline std::vector<double> row_norms2(const Tensor<float>& x) {
  const std::size_t n = x.shape()[0], f = x.shape()[1];
  std::vector<double> out(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = x.data() + i * f;
    for (std::size_t j = 0; j < f; ++j) out[i] += static_cast<double>(row[j]) * row[j];
  }
  return out;
}

}  // namespace genlab::detail
