// Plugin "ae": a deterministic MLP or conv autoencoder (arch) with a Bernoulli (BCE) or Gaussian
// (MSE) reconstruction loss. It has no prior, so it does not sample; it reconstructs and encodes
// (logvar is returned as zeros so shared metrics such as active units still apply).
#include "genlab/builders.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

class Ae final : public Model {
 public:
  static ModelDescription describe() {
    Schema schema = network_schema();
    schema.push_back(int_param("latent_dim", 20, "size of the code z").at_least(1).at_most(4096));
    schema.push_back(string_param("likelihood", "bernoulli",
                                  "loss: bernoulli = summed BCE, gaussian = summed squared error / 2")
                         .one_of({"bernoulli", "gaussian"}));
    return {"ae", "1.1.0", "Deterministic autoencoder (MLP or conv), BCE or MSE reconstruction",
            kReconstructs | kEncodes, schema};
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    latent_ = static_cast<std::size_t>(p.get_int("latent_dim"));
    bernoulli_ = p.get_string("likelihood") == "bernoulli";
    const NetworkSpec net = NetworkSpec::from(p);
    encoder_ = make_encoder<float>(net, ctx.data().sample_shape, latent_, ctx.init_rng());
    decoder_ = make_decoder<float>(net, latent_, ctx.data().sample_shape, ctx.init_rng());
    optimizer_ = &ctx.make_optimizer("model", parameters());
  }

  Metrics train_step(const Batch& batch, StepContext&) override {
    const Var x(batch.x);                         // x: (B, D)
    const Var logits = (*decoder_)((*encoder_)(x));  // z: (B, Z) -> logits: (B, D)
    const Var loss = reconstruction_loss(logits, x) * (1.f / static_cast<float>(batch.size()));
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
    return {{"recon_bce", bce_v}, {"recon_mse", mse_v}, {"loss", bernoulli_ ? bce_v : 0.5 * mse_v}};
  }

  std::vector<NamedParameter<float>> parameters() override {
    auto params = encoder_->parameters("encoder/");
    for (auto& p : decoder_->parameters("decoder/")) params.push_back(std::move(p));
    return params;
  }
  std::vector<std::pair<std::string, Tensor<float>*>> buffers() override {
    auto b = encoder_->buffers("encoder/");
    for (auto& d : decoder_->buffers("decoder/")) b.push_back(d);
    return b;
  }
  void set_training(bool on) override {
    encoder_->set_training(on);
    decoder_->set_training(on);
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
  Var reconstruction_loss(const Var& logits, const Var& x) const {
    if (bernoulli_) return bce_with_logits(logits, x, Reduction::Sum);
    return mse(sigmoid(logits), x, Reduction::Sum) * 0.5f;
  }

  std::size_t latent_ = 0;
  bool bernoulli_ = true;
  std::unique_ptr<Sequential<float>> encoder_, decoder_;
  Optimizer<float>* optimizer_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(Ae)
