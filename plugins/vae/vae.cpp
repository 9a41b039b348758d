// Plugin "vae": the variational autoencoder (Kingma & Welling 2014) with an MLP or conv encoder
// and decoder (arch), Bernoulli (BCE) or Gaussian (MSE) decoder, and a beta weight on the KL
// (beta-VAE). It provides the importance weights of the IWAE bound but does not compute shared
// metrics (active units, IWAE, FID): the harness does, via encode(), sample() and
// log_importance_weights().
#include <cmath>
#include <numbers>

#include "genlab/builders.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

// x: (B, ...) -> (k * B, ...): k copies stacked, row r = copy r / B of row r % B.
Var repeat_rows(const Var& x, std::size_t k) { return concat(std::vector<Var>(k, x), 0); }

class Vae final : public Model {
 public:
  static ModelDescription describe() {
    Schema schema = network_schema();
    schema.push_back(int_param("latent_dim", 20, "size of z").at_least(1).at_most(4096));
    schema.push_back(string_param("likelihood", "bernoulli",
                                  "decoder: bernoulli = summed BCE, gaussian = summed squared error / 2 (unit variance)")
                         .one_of({"bernoulli", "gaussian"}));
    schema.push_back(float_param("beta", 1.0, "weight of the KL term (beta-VAE when != 1)").at_least(0).at_most(1e6));
    return {"vae", "1.1.0", "Variational autoencoder (MLP or conv), Bernoulli or Gaussian decoder, beta on the KL",
            kReconstructs | kEncodes | kSamples | kImportanceWeights, schema};
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    dim_ = ctx.data().dim;
    latent_ = static_cast<std::size_t>(p.get_int("latent_dim"));
    beta_ = static_cast<float>(p.get_float("beta"));
    bernoulli_ = p.get_string("likelihood") == "bernoulli";
    const NetworkSpec net = NetworkSpec::from(p);
    encoder_ = make_encoder<float>(net, ctx.data().sample_shape, 2 * latent_, ctx.init_rng());
    decoder_ = make_decoder<float>(net, latent_, ctx.data().sample_shape, ctx.init_rng());
    optimizer_ = &ctx.make_optimizer("model", parameters());
  }

  Metrics train_step(const Batch& batch, StepContext& ctx) override {
    const Var x(batch.x);                                      // x: (B, D)
    const auto [mu, logvar] = encode_vars(x);                  // (B, Z) each
    const Var eps(ctx.noise.normal_tensor<float>(mu.shape(), 0.f, 1.f));
    const Var z = mu + exp(logvar * 0.5f) * eps;               // z: (B, Z)
    const Var logits = (*decoder_)(z);                         // (B, D)
    const float inv_b = 1.f / static_cast<float>(batch.size());
    const Var recon = reconstruction_loss(logits, x) * inv_b;  // per image
    const Var kl = gaussian_kl(mu, logvar, Reduction::Sum) * inv_b;
    const Var loss = recon + kl * beta_;
    optimizer_->zero_grad();
    loss.backward();
    optimizer_->step();
    return {{"loss", loss.item()}, {"recon", recon.item()}, {"kl", kl.item()}};
  }

  Metrics evaluate(const Batch& batch, Rng& eval_rng) override {
    const Var x(batch.x);
    const auto [mu, logvar] = encode_vars(x);
    const Var eps(eval_rng.normal_tensor<float>(mu.shape(), 0.f, 1.f));
    const Var logits = (*decoder_)(mu + exp(logvar * 0.5f) * eps);
    const float inv_b = 1.f / static_cast<float>(batch.size());
    const Var mean = sigmoid(logits);
    const double bce_v = (bce_with_logits(logits, x, Reduction::Sum) * inv_b).item();
    const double mse_v = (mse(mean, x, Reduction::Sum) * inv_b).item();
    const double kl_v = (gaussian_kl(mu, logvar, Reduction::Sum) * inv_b).item();
    // -log p(x|z): BCE, or the unit-variance Gaussian with its constant (so it is a true ELBO)
    const double trained_recon = bernoulli_ ? bce_v : 0.5 * mse_v;
    const double log_norm = bernoulli_ ? 0.0 : 0.5 * static_cast<double>(dim_) * std::log(2 * std::numbers::pi);
    return {{"recon_bce", bce_v}, {"recon_mse", mse_v}, {"kl", kl_v},
            {"neg_elbo", trained_recon + log_norm + kl_v}, {"loss", trained_recon + beta_ * kl_v}};
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
    const auto [mu, logvar] = encode_vars(Var(batch.x));
    return sigmoid((*decoder_)(mu)).value();
  }
  std::pair<Tensor<float>, Tensor<float>> encode(const Batch& batch) override {
    const auto [mu, logvar] = encode_vars(Var(batch.x));
    return {mu.value(), logvar.value()};
  }
  Tensor<float> decode(const Tensor<float>& z, const std::vector<std::int32_t>&) override {
    return sigmoid((*decoder_)(Var(z))).value();
  }
  Tensor<float> sample(std::size_t n, const std::vector<std::int32_t>& labels, Rng& rng) override {
    return decode(rng.normal_tensor<float>({n, latent_}, 0.f, 1.f), labels);
  }
  std::size_t latent_dim() const override { return latent_; }

  // x: (B, D) -> log p(x|z) + log p(z) - log q(z|x): (k, B), with z ~ q(z|x) drawn from rng.
  Tensor<float> log_importance_weights(const Batch& batch, std::size_t k, Rng& rng) override {
    const std::size_t b = batch.size();
    const auto [mu1, logvar1] = encode_vars(Var(batch.x));
    const Var mu = repeat_rows(mu1, k), logvar = repeat_rows(logvar1, k);  // (kB, Z)
    const Var z = mu + exp(logvar * 0.5f) * Var(rng.normal_tensor<float>(mu.shape(), 0.f, 1.f));
    const Var x = repeat_rows(Var(batch.x), k);                            // (kB, D)
    const Var zero(zeros<float>(z.shape()));
    const Var log_pz = sum(gaussian_log_density(z, zero, zero, Reduction::None), {1});
    const Var log_qz = sum(gaussian_log_density(z, mu, logvar, Reduction::None), {1});
    const Var log_w = log_likelihood((*decoder_)(z), x) + log_pz - log_qz;  // (kB,)
    return reshape(log_w, {k, b}).value();
  }

 private:
  // x: (B, D) -> mu, logvar: (B, Z)
  std::pair<Var, Var> encode_vars(const Var& x) {
    const Var h = (*encoder_)(x);
    return {slice(h, 1, 0, latent_), slice(h, 1, latent_, 2 * latent_)};
  }
  // summed over pixels, not yet averaged over the batch
  Var reconstruction_loss(const Var& logits, const Var& x) const {
    if (bernoulli_) return bce_with_logits(logits, x, Reduction::Sum);
    return mse(sigmoid(logits), x, Reduction::Sum) * 0.5f;
  }
  // logits, x: (N, D) -> log p(x|z) per row: (N,), with the Gaussian's normalising constant
  Var log_likelihood(const Var& logits, const Var& x) const {
    if (bernoulli_) return sum(bernoulli_log_density(x, logits, Reduction::None), {1});
    const Var unit(zeros<float>(x.shape()));  // log variance 0
    return sum(gaussian_log_density(x, sigmoid(logits), unit, Reduction::None), {1});
  }

  std::size_t dim_ = 0, latent_ = 0;
  float beta_ = 1.f;
  bool bernoulli_ = true;
  std::unique_ptr<Sequential<float>> encoder_, decoder_;
  Optimizer<float>* optimizer_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(Vae)
