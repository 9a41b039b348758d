// Linear layer y = x W + b with PyTorch's default initialisation (W from init_weight, b from
// init_bias, both with fan_in = in). It stores W as (in, out), PyTorch's transpose, so forward is
// one gemm without a transposed operand; it does not check shapes itself (the linear op does).
#include <string>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/nn.hpp"

namespace genlab {

template <class T>
Linear<T>::Linear(std::size_t in, std::size_t out, Rng& rng, InitSpec init, bool with_bias) {
  if (in == 0 || out == 0) {
    throw ConfigError("Linear: in and out features must be positive, got in " + std::to_string(in) +
                      " out " + std::to_string(out));
  }
  // W: (in, out), b: (out,) -- drawn in this order from rng
  weight = Variable<T>::parameter(init_weight<T>({in, out}, in, out, init, rng));
  if (with_bias) bias = Variable<T>::parameter(init_bias<T>({out}, in, rng));
}

// x: (B, in) -> (B, out)
template <class T>
Variable<T> Linear<T>::forward(const Variable<T>& x) {
  return linear(x, weight, bias);
}

template <class T>
void Linear<T>::collect_parameters(const std::string& prefix, std::vector<NamedParameter<T>>& out) {
  out.push_back({prefix + "W", weight});
  if (bias.defined()) out.push_back({prefix + "b", bias});
}

#define GENLAB_INSTANTIATE(T) template class Linear<T>;
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
