// Weight and bias initialisers: PyTorch's default (kaiming_uniform with a = sqrt(5), i.e.
// U(-1/sqrt(fan_in), 1/sqrt(fan_in))), Xavier/Glorot uniform and N(0, std).
// Fans are passed in by the module (conv: channels * k * k); nothing here guesses them from shapes.
#include <cmath>
#include <string>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/nn.hpp"

namespace genlab {

namespace {
void require_fan(const char* what, std::size_t fan, const Shape& shape) {
  if (fan == 0) {
    throw ConfigError(std::string(what) + ": fan must be positive for a tensor of shape " +
                      shape_str(shape));
  }
}
}  // namespace

template <class T>
Tensor<T> init_weight(const Shape& shape, std::size_t fan_in, std::size_t fan_out, InitSpec spec,
                      Rng& rng) {
  switch (spec.kind) {
    case Init::KaimingUniform: {
      // gain sqrt(2 / (1 + a^2)) = sqrt(1/3); bound = sqrt(3) * gain / sqrt(fan_in) =
      // 1/sqrt(fan_in)
      require_fan("init_weight (kaiming_uniform) fan_in", fan_in, shape);
      const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
      return rng.uniform_tensor<T>(shape, T(-bound), T(bound));
    }
    case Init::XavierUniform: {
      require_fan("init_weight (xavier_uniform) fan_in + fan_out", fan_in + fan_out, shape);
      const double bound = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
      return rng.uniform_tensor<T>(shape, T(-bound), T(bound));
    }
    case Init::Normal: {
      if (!(spec.normal_std >= 0.0) || !std::isfinite(spec.normal_std)) {
        throw ConfigError("init_weight (normal): std must be finite and >= 0, got " +
                          std::to_string(spec.normal_std));
      }
      return rng.normal_tensor<T>(shape, T(0), T(spec.normal_std));
    }
  }
  throw ConfigError("init_weight: unknown initialiser kind " +
                    std::to_string(static_cast<int>(spec.kind)));
}

template <class T>
Tensor<T> init_bias(const Shape& shape, std::size_t fan_in, Rng& rng) {
  require_fan("init_bias fan_in", fan_in, shape);
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return rng.uniform_tensor<T>(shape, T(-bound), T(bound));
}

#define GENLAB_INSTANTIATE(T)                                                                \
  template Tensor<T> init_weight<T>(const Shape&, std::size_t, std::size_t, InitSpec, Rng&); \
  template Tensor<T> init_bias<T>(const Shape&, std::size_t, Rng&);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
