// Conv2d and ConvTranspose2d layers over the conv2d / conv_transpose2d ops, initialised as in
// PyTorch: fans come from the weight's dims 1 and 0 times k*k, so a transposed conv's fan_in is
// Cout * k * k (its weight is (Cin, Cout, k, k)). Geometry is checked by the ops, not here.
#include <string>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/nn.hpp"

namespace genlab {

namespace {
void require_positive(const char* layer, std::size_t in_channels, std::size_t out_channels,
                      std::size_t kernel, Conv2dGeometry g) {
  if (in_channels == 0 || out_channels == 0 || kernel == 0 || g.stride == 0) {
    throw ConfigError(std::string(layer) +
                      ": channels, kernel and stride must be positive, got in " +
                      std::to_string(in_channels) + " out " + std::to_string(out_channels) +
                      " kernel " + std::to_string(kernel) + " stride " + std::to_string(g.stride));
  }
}
}  // namespace

template <class T>
Conv2d<T>::Conv2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel,
                  Conv2dGeometry g, Rng& rng, InitSpec init, bool with_bias)
    : geometry(g) {
  require_positive("Conv2d", in_channels, out_channels, kernel, g);
  // W: (Cout, Cin, k, k); fan_in = Cin k k, fan_out = Cout k k; b: (Cout,)
  const std::size_t fan_in = in_channels * kernel * kernel;
  const std::size_t fan_out = out_channels * kernel * kernel;
  weight = Variable<T>::parameter(
      init_weight<T>({out_channels, in_channels, kernel, kernel}, fan_in, fan_out, init, rng));
  if (with_bias) bias = Variable<T>::parameter(init_bias<T>({out_channels}, fan_in, rng));
}

// x: (B, Cin, H, W) -> (B, Cout, Ho, Wo)
template <class T>
Variable<T> Conv2d<T>::forward(const Variable<T>& x) {
  return conv2d(x, weight, bias, geometry);
}

template <class T>
void Conv2d<T>::collect_parameters(const std::string& prefix, std::vector<NamedParameter<T>>& out) {
  out.push_back({prefix + "W", weight});
  if (bias.defined()) out.push_back({prefix + "b", bias});
}

template <class T>
ConvTranspose2d<T>::ConvTranspose2d(std::size_t in_channels, std::size_t out_channels,
                                    std::size_t kernel, Conv2dGeometry g, Rng& rng, InitSpec init,
                                    bool with_bias)
    : geometry(g) {
  require_positive("ConvTranspose2d", in_channels, out_channels, kernel, g);
  // W: (Cin, Cout, k, k); PyTorch: fan_in = W.size(1) k k = Cout k k, fan_out = Cin k k
  const std::size_t fan_in = out_channels * kernel * kernel;
  const std::size_t fan_out = in_channels * kernel * kernel;
  weight = Variable<T>::parameter(
      init_weight<T>({in_channels, out_channels, kernel, kernel}, fan_in, fan_out, init, rng));
  if (with_bias) bias = Variable<T>::parameter(init_bias<T>({out_channels}, fan_in, rng));
}

// x: (B, Cin, H, W) -> (B, Cout, Ho, Wo)
template <class T>
Variable<T> ConvTranspose2d<T>::forward(const Variable<T>& x) {
  return conv_transpose2d(x, weight, bias, geometry);
}

template <class T>
void ConvTranspose2d<T>::collect_parameters(const std::string& prefix,
                                            std::vector<NamedParameter<T>>& out) {
  out.push_back({prefix + "W", weight});
  if (bias.defined()) out.push_back({prefix + "b", bias});
}

#define GENLAB_INSTANTIATE(T) \
  template class Conv2d<T>;   \
  template class ConvTranspose2d<T>;
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
