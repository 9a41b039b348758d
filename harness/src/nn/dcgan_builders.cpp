// The standard small DCGAN generator and discriminator for 28x28 images (issue #11's
// architecture), with the DCGAN initialisation. They do not choose a loss or map data to
// [-1, 1]: plugins do (gan, vaegan).
#include "core/instantiate.hpp"
#include "genlab/builders.hpp"
#include "genlab/error.hpp"

namespace genlab {

namespace {
constexpr std::size_t kKernel = 4;
constexpr Conv2dGeometry kStride2{2, 1, 0};  // k4 s2 p1: H -> H / 2 (conv), H -> 2 H (transposed)
const InitSpec kDcganInit{Init::Normal, 0.02};

void check_image(const Shape& s, const char* who) {
  if (s.size() != 3 || s[1] % 4 != 0 || s[2] % 4 != 0 || s[1] == 0 || s[2] == 0) {
    throw ConfigError(std::string(who) + " needs images (C, H, W) with H and W divisible by 4; got sample shape " +
                      shape_str(s) + " (use arch = \"mlp\" for this data set)");
  }
}

template <class T>
std::unique_ptr<BatchNorm<T>> dcgan_batch_norm(std::size_t channels, Rng& rng) {
  auto bn = std::make_unique<BatchNorm<T>>(channels);
  bn->gamma.mutable_value() = rng.normal_tensor<T>({channels}, T(1), T(0.02));
  return bn;
}
}  // namespace

template <class T>
std::unique_ptr<Sequential<T>> make_dcgan_generator(std::size_t in, const Shape& sample_shape, Rng& rng) {
  check_image(sample_shape, "the DCGAN generator");
  const std::size_t h = sample_shape[1] / 4, w = sample_shape[2] / 4;
  auto net = std::make_unique<Sequential<T>>();
  net->add("fc", std::make_unique<Linear<T>>(in, 128 * h * w, rng, kDcganInit));  // (B, 128 h w)
  net->add("bn0", dcgan_batch_norm<T>(128 * h * w, rng));
  net->add("act0", make_activation<T>("relu"));
  net->add("reshape", std::make_unique<Reshape<T>>(Shape{128, h, w}));  // (B, 128, H/4, W/4)
  net->add("deconv1", std::make_unique<ConvTranspose2d<T>>(128, 64, kKernel, kStride2, rng, kDcganInit));
  net->add("bn1", dcgan_batch_norm<T>(64, rng));  // (B, 64, H/2, W/2)
  net->add("act1", make_activation<T>("relu"));
  net->add("deconv2", std::make_unique<ConvTranspose2d<T>>(64, sample_shape[0], kKernel, kStride2, rng, kDcganInit));
  net->add("tanh", make_activation<T>("tanh"));  // (B, C, H, W)
  net->add("flatten", std::make_unique<Reshape<T>>(Shape{shape_size(sample_shape)}));
  return net;
}

template <class T>
std::unique_ptr<Sequential<T>> make_dcgan_discriminator(const Shape& sample_shape, std::size_t pack, Rng& rng) {
  check_image(sample_shape, "the DCGAN discriminator");
  if (pack == 0) throw ConfigError("the DCGAN discriminator: pack must be >= 1");
  const std::size_t c = sample_shape[0] * pack, h = sample_shape[1] / 4, w = sample_shape[2] / 4;
  auto net = std::make_unique<Sequential<T>>();
  net->add("reshape", std::make_unique<Reshape<T>>(Shape{c, sample_shape[1], sample_shape[2]}));
  net->add("conv1", std::make_unique<Conv2d<T>>(c, 64, kKernel, kStride2, rng, kDcganInit));  // (B, 64, H/2, W/2)
  net->add("act1", make_activation<T>("leaky_relu"));
  net->add("conv2", std::make_unique<Conv2d<T>>(64, 128, kKernel, kStride2, rng, kDcganInit));  // (B, 128, H/4, W/4)
  net->add("act2", make_activation<T>("leaky_relu"));
  net->add("flatten", std::make_unique<Reshape<T>>(Shape{128 * h * w}));
  net->add("fc", std::make_unique<Linear<T>>(128 * h * w, 1, rng, kDcganInit));  // (B, 1)
  return net;
}

#define GENLAB_INSTANTIATE_DCGAN(T)                                                                    \
  template std::unique_ptr<Sequential<T>> make_dcgan_generator<T>(std::size_t, const Shape&, Rng&); \
  template std::unique_ptr<Sequential<T>> make_dcgan_discriminator<T>(const Shape&, std::size_t, Rng&);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_DCGAN)

}  // namespace genlab
