// make_conv_encoder / make_conv_decoder: the DCGAN-style k4 s2 p1 conv stacks for image models
// (28x28 -> 14x14 -> 7x7 and back), with optional batch norm. They do not condition on labels
// or split outputs into means and variances: plugins do that around them.
#include "core/instantiate.hpp"
#include "genlab/builders.hpp"
#include "genlab/error.hpp"

namespace genlab {

namespace {
constexpr std::size_t kKernel = 4;
constexpr Conv2dGeometry kHalve{2, 1, 0};  // stride 2, padding 1: H -> H / 2 for even H

// {C, H/2^n, W/2^n} after n halvings; throws ConfigError when a side stops being even.
Shape reduced_shape(const Shape& sample_shape, const std::vector<std::size_t>& channels) {
  if (sample_shape.size() != 3) {
    throw ConfigError("conv architecture needs image samples (C, H, W); got sample shape " +
                      shape_str(sample_shape) + " (use arch = \"mlp\" for this data set)");
  }
  if (channels.empty()) throw ConfigError("conv architecture: model.channels must not be empty");
  std::size_t h = sample_shape[1], w = sample_shape[2];
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (channels[i] == 0) throw ConfigError("conv architecture: model.channels entries must be positive");
    if (h % 2 != 0 || w % 2 != 0 || h < 2 || w < 2) {
      throw ConfigError("conv architecture: " + std::to_string(channels.size()) +
                        " stride-2 layers (model.channels) do not fit images of " +
                        std::to_string(sample_shape[1]) + "x" + std::to_string(sample_shape[2]) +
                        ": layer " + std::to_string(i + 1) + " would halve an odd size " +
                        std::to_string(h) + "x" + std::to_string(w));
    }
    h /= 2;
    w /= 2;
  }
  return {channels.back(), h, w};
}
}  // namespace

std::size_t conv_feature_size(const Shape& sample_shape, const std::vector<std::size_t>& channels) {
  return shape_size(reduced_shape(sample_shape, channels));
}

template <class T>
std::unique_ptr<Sequential<T>> make_conv_encoder(const Shape& sample_shape,
                                                 const std::vector<std::size_t>& channels,
                                                 const std::string& activation, bool batch_norm,
                                                 Rng& rng, std::size_t out) {
  const Shape last = reduced_shape(sample_shape, channels);
  auto net = std::make_unique<Sequential<T>>();
  net->add("reshape", std::make_unique<Reshape<T>>(sample_shape));  // (B, D) -> (B, C, H, W)
  std::size_t in = sample_shape[0];
  for (std::size_t i = 0; i < channels.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    net->add("conv" + n, std::make_unique<Conv2d<T>>(in, channels[i], kKernel, kHalve, rng));
    if (batch_norm) net->add("bn" + n, std::make_unique<BatchNorm<T>>(channels[i]));
    net->add("act" + n, make_activation<T>(activation));
    in = channels[i];
  }
  net->add("flatten", std::make_unique<Reshape<T>>(Shape{shape_size(last)}));  // (B, F)
  if (out > 0) net->add("fc", std::make_unique<Linear<T>>(shape_size(last), out, rng));
  return net;
}

template <class T>
std::unique_ptr<Sequential<T>> make_conv_decoder(std::size_t in, const Shape& sample_shape,
                                                 const std::vector<std::size_t>& channels,
                                                 const std::string& activation, bool batch_norm,
                                                 Rng& rng) {
  const Shape first = reduced_shape(sample_shape, channels);
  auto net = std::make_unique<Sequential<T>>();
  net->add("fc", std::make_unique<Linear<T>>(in, shape_size(first), rng));  // (B, in) -> (B, F)
  net->add("act0", make_activation<T>(activation));
  net->add("reshape", std::make_unique<Reshape<T>>(first));  // (B, C_n, H/2^n, W/2^n)
  for (std::size_t i = channels.size(); i-- > 0;) {
    const std::string n = std::to_string(channels.size() - i);
    const bool last_layer = i == 0;
    const std::size_t to = last_layer ? sample_shape[0] : channels[i - 1];
    net->add("deconv" + n, std::make_unique<ConvTranspose2d<T>>(channels[i], to, kKernel, kHalve, rng));
    if (last_layer) break;
    if (batch_norm) net->add("bn" + n, std::make_unique<BatchNorm<T>>(to));
    net->add("act" + n, make_activation<T>(activation));
  }
  net->add("flatten", std::make_unique<Reshape<T>>(Shape{shape_size(sample_shape)}));  // (B, D)
  return net;
}

#define GENLAB_INSTANTIATE_CONV_BUILDERS(T)                                                     \
  template std::unique_ptr<Sequential<T>> make_conv_encoder<T>(                                 \
      const Shape&, const std::vector<std::size_t>&, const std::string&, bool, Rng&, std::size_t); \
  template std::unique_ptr<Sequential<T>> make_conv_decoder<T>(                                 \
      std::size_t, const Shape&, const std::vector<std::size_t>&, const std::string&, bool, Rng&);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_CONV_BUILDERS)

}  // namespace genlab
