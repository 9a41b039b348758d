// Plugin "ae": a deterministic MLP or conv autoencoder (arch) with a Bernoulli (BCE) or Gaussian
// (MSE) reconstruction loss. It has no prior, so it does not sample; it reconstructs and encodes
// (logvar is returned as zeros so shared metrics such as active units still apply; it declares
// no Gaussian posterior, so the harness computes no KL from it).
#include "genlab/builders.hpp"
#include "genlab/latent.hpp"
#include "genlab/modular_model.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

class Ae final : public ModularModel {
 public:
  static ModelDescription describe() {
    Schema schema = network_schema();
    schema.push_back(latent_dim_param(20, "size of the code z"));
    schema.push_back(string_param("likelihood", "bernoulli",
                                  "loss: bernoulli = summed BCE, gaussian = summed squared error / 2")
                         .one_of({"bernoulli", "gaussian"}));
    return {"ae", "1.1.0", "Deterministic autoencoder (MLP or conv), BCE or MSE reconstruction",
            kReconstructs | kEncodes, schema};
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    latent_ = static_cast<std::size_t>(p.get_int("latent_dim"));
    likelihood_ = likelihood_from(p);
    const NetworkSpec net = NetworkSpec::from(p);
    encoder_ = &add_module("encoder/", make_encoder<float>(net, ctx.data().sample_shape, latent_, ctx.init_rng()));
    decoder_ = &add_module("decoder/", make_decoder<float>(net, latent_, ctx.data().sample_shape, ctx.init_rng()));
    optimizer_ = &ctx.make_optimizer("model", parameters());
  }

  Metrics train_step(const Batch& batch, StepContext&) override {
    const Var x(batch.x);                         // x: (B, D)
    const Var logits = (*decoder_)((*encoder_)(x));  // z: (B, Z) -> logits: (B, D)
    const Var loss = reconstruction_loss(likelihood_, logits, x) * (1.f / static_cast<float>(batch.size()));
    optimizer_->zero_grad();
    loss.backward();
    optimizer_->step();
    return {{"loss", loss.item()}};
  }

  Metrics evaluate(const Batch& batch, Rng&) override {
    const Var x(batch.x);
    const Var logits = (*decoder_)((*encoder_)(x));
    const float inv_b = 1.f / static_cast<float>(batch.size());
    const double bce_v = (bce_with_logits(logits, x, Reduction::Sum) * inv_b).item();
    const double mse_v = (mse(sigmoid(logits), x, Reduction::Sum) * inv_b).item();
    return {{"recon_bce", bce_v}, {"recon_mse", mse_v}, {"loss", likelihood_ == Likelihood::Bernoulli ? bce_v : 0.5 * mse_v}};
  }

  Tensor<float> reconstruct(const Batch& batch) override {
    return sigmoid((*decoder_)((*encoder_)(Var(batch.x)))).value();
  }
  std::pair<Tensor<float>, Tensor<float>> encode(const Batch& batch) override {
    Tensor<float> z = (*encoder_)(Var(batch.x)).value();
    return {z, zeros<float>(shape_of(z))};
  }
  Tensor<float> decode(const Tensor<float>& z, const std::vector<std::int32_t>&) override {
    return sigmoid((*decoder_)(Var(z))).value();
  }
  std::size_t latent_dim() const override { return latent_; }

 private:
  std::size_t latent_ = 0;
  Likelihood likelihood_ = Likelihood::Bernoulli;
  Sequential<float>*encoder_ = nullptr, *decoder_ = nullptr;
  Optimizer<float>* optimizer_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(Ae)
