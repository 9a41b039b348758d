// GaussianVae: the latent side unconditional VAE-style plugins share (vae, vaegan): an encoder
// whose output (B, 2Z) is [mu, logvar] of a diagonal Gaussian q(z|x), a decoder of logits with a
// sigmoid mean, a N(0, I) prior, and the reconstruct / encode / decode / sample / latent_dim
// overrides built on them. It does not train or evaluate: a subclass writes its loss.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

#include "genlab/builders.hpp"
#include "genlab/modular_model.hpp"

namespace genlab {

class GaussianVae : public ModularModel {
 public:
  // x: (B, D) -> sigmoid(decoder(mu)): (B, D), the decoder mean at the posterior mean
  Tensor<float> reconstruct(const Batch& batch) override;
  // x: (B, D) -> mu, logvar: (B, Z) each
  std::pair<Tensor<float>, Tensor<float>> encode(const Batch& batch) override;
  // z: (n, Z) -> sigmoid(decoder(z)): (n, D); labels unused
  Tensor<float> decode(const Tensor<float>& z, const std::vector<std::int32_t>& labels) override;
  // n draws z ~ N(0, I_Z) from rng, decoded: (n, D)
  Tensor<float> sample(std::size_t n, const std::vector<std::int32_t>& labels, Rng& rng) override;
  std::size_t latent_dim() const override { return latent_; }

 protected:
  // Registers make_encoder (-> 2 * latent) as "encoder/" and make_decoder as "decoder/", in that
  // order, both initialised from rng (encoder first).
  void build_encoder_decoder(const NetworkSpec& net, const Shape& sample_shape, std::size_t latent, Rng& rng);
  // x: (B, D) -> mu, logvar: (B, Z)
  std::pair<Var, Var> encode_vars(const Var& x);
  // z: (B, Z) -> logits (B, D)
  Var decode_logits(const Var& z) { return (*decoder_)(z); }

  Sequential<float>& encoder() { return *encoder_; }
  Sequential<float>& decoder() { return *decoder_; }

 private:
  std::size_t latent_ = 0;
  Sequential<float>*encoder_ = nullptr, *decoder_ = nullptr;
};

}  // namespace genlab
