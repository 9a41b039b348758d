// Global gradient-norm clipping as torch.nn.utils.clip_grad_norm_: the L2 norm over every
// parameter's gradient, summed in double in parameter order then element order (no threads, so
// the result never depends on the machine); grads are scaled by max_norm / (norm + 1e-6) when
// that is below 1. A non-finite norm is returned with the gradients left untouched.
#include <cmath>
#include <string>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/optim.hpp"

namespace genlab {

template <class T>
double clip_grad_norm(const std::vector<NamedParameter<T>>& params, double max_norm) {
  if (!(max_norm >= 0)) {
    throw ConfigError("clip_grad_norm: max_norm must be >= 0, got " + std::to_string(max_norm));
  }
  double sum_sq = 0;
  for (const auto& p : params) {
    if (!p.variable.has_grad()) continue;
    const Tensor<T>& g = p.variable.mutable_grad();
    const T* gd = g.data();
    for (std::size_t j = 0; j < g.size(); ++j) {
      const double x = static_cast<double>(gd[j]);
      sum_sq += x * x;
    }
  }
  const double norm = std::sqrt(sum_sq);
  if (!std::isfinite(norm)) return norm;
  const double coef = max_norm / (norm + 1e-6);
  if (coef >= 1.0) return norm;
  const T scale = static_cast<T>(coef);
  for (const auto& p : params) {
    if (!p.variable.has_grad()) continue;
    Tensor<T>& g = p.variable.mutable_grad();
    T* gd = g.data();
    for (std::size_t j = 0; j < g.size(); ++j) gd[j] *= scale;
  }
  return norm;
}

#define GENLAB_INSTANTIATE(T) \
  template double clip_grad_norm<T>(const std::vector<NamedParameter<T>>&, double);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
