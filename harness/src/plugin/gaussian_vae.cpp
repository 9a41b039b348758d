// GaussianVae's shared overrides: the same genlab ops vae.cpp and vaegan.cpp each wrote before
// (so their results are unchanged bit for bit). No loss lives here.
#include "genlab/gaussian_vae.hpp"

#include "genlab/ops.hpp"

namespace genlab {

void GaussianVae::build_encoder_decoder(const NetworkSpec& net, const Shape& sample_shape, std::size_t latent,
                                        Rng& rng) {
  latent_ = latent;
  encoder_ = &add_module("encoder/", make_encoder<float>(net, sample_shape, 2 * latent_, rng));
  decoder_ = &add_module("decoder/", make_decoder<float>(net, latent_, sample_shape, rng));
}

std::pair<Var, Var> GaussianVae::encode_vars(const Var& x) {
  const Var h = (*encoder_)(x);  // (B, 2Z)
  return {slice(h, 1, 0, latent_), slice(h, 1, latent_, 2 * latent_)};
}

Tensor<float> GaussianVae::reconstruct(const Batch& batch) {
  const auto [mu, logvar] = encode_vars(Var(batch.x));
  return sigmoid(decode_logits(mu)).value();
}

std::pair<Tensor<float>, Tensor<float>> GaussianVae::encode(const Batch& batch) {
  const auto [mu, logvar] = encode_vars(Var(batch.x));
  return {mu.value(), logvar.value()};
}

Tensor<float> GaussianVae::decode(const Tensor<float>& z, const std::vector<std::int32_t>&) {
  return sigmoid(decode_logits(Var(z))).value();
}

Tensor<float> GaussianVae::sample(std::size_t n, const std::vector<std::int32_t>& labels, Rng& rng) {
  return decode(rng.normal_tensor<float>({n, latent_}, 0.f, 1.f), labels);
}

}  // namespace genlab
