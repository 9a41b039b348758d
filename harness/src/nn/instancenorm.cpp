// Instance normalisation layer (B, C, H, W): optional trainable gamma/beta, no running
// statistics, so training and evaluation compute the same thing. The arithmetic lives in the
// instance_norm op.
#include <string>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/nn.hpp"

namespace genlab {

template <class T>
InstanceNorm<T>::InstanceNorm(std::size_t channels, bool affine, T eps_value) : eps(eps_value) {
  if (channels == 0) throw ConfigError("InstanceNorm: channels must be positive");
  if (!(eps_value > T(0))) throw ConfigError("InstanceNorm: eps must be > 0, got " + std::to_string(eps_value));
  if (affine) {  // gamma, beta: (C,)
    gamma = Variable<T>::parameter(full<T>({channels}, T(1)));
    beta = Variable<T>::parameter(zeros<T>({channels}));
  }
}

// x: (B, C, H, W) -> same shape
template <class T>
Variable<T> InstanceNorm<T>::forward(const Variable<T>& x) {
  return instance_norm(x, gamma, beta, eps);
}

template <class T>
void InstanceNorm<T>::collect_parameters(const std::string& prefix, std::vector<NamedParameter<T>>& out) {
  if (!gamma.defined()) return;
  out.push_back({prefix + "gamma", gamma});
  out.push_back({prefix + "beta", beta});
}

#define GENLAB_INSTANTIATE(T) template class InstanceNorm<T>;
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
