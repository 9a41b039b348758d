// Batch normalisation layer (1d on (B, C), 2d on (B, C, H, W)): trainable gamma/beta and the
// running statistics as buffers. Batch statistics vs running statistics follow training();
// the arithmetic and the running-statistics update live in the batch_norm op.
#include <string>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/nn.hpp"

namespace genlab {

template <class T>
BatchNorm<T>::BatchNorm(std::size_t channels, T momentum_value, T eps_value)
    : momentum(momentum_value), eps(eps_value) {
  if (channels == 0) throw ConfigError("BatchNorm: channels must be positive");
  if (!(momentum_value >= T(0) && momentum_value <= T(1)) || !(eps_value > T(0))) {
    throw ConfigError("BatchNorm: need 0 <= momentum <= 1 and eps > 0, got momentum " +
                      std::to_string(momentum_value) + " eps " + std::to_string(eps_value));
  }
  // gamma, beta, running_mean, running_var: (C,)
  gamma = Variable<T>::parameter(full<T>({channels}, T(1)));
  beta = Variable<T>::parameter(zeros<T>({channels}));
  running_mean = zeros<T>({channels});
  running_var = full<T>({channels}, T(1));
}

// x: (B, C) or (B, C, H, W) -> same shape
template <class T>
Variable<T> BatchNorm<T>::forward(const Variable<T>& x) {
  return batch_norm(x, gamma, beta, running_mean, running_var, this->training_, momentum, eps);
}

template <class T>
void BatchNorm<T>::collect_parameters(const std::string& prefix,
                                      std::vector<NamedParameter<T>>& out) {
  out.push_back({prefix + "gamma", gamma});
  out.push_back({prefix + "beta", beta});
}

template <class T>
void BatchNorm<T>::collect_buffers(const std::string& prefix,
                                   std::vector<std::pair<std::string, Tensor<T>*>>& out) {
  out.emplace_back(prefix + "running_mean", &running_mean);
  out.emplace_back(prefix + "running_var", &running_var);
}

#define GENLAB_INSTANTIATE(T) template class BatchNorm<T>;
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
