// Plugin "vae": the variational autoencoder (Kingma & Welling 2014) with an MLP or conv encoder
// and decoder (arch), Bernoulli (BCE) or Gaussian (MSE) decoder, and a beta weight on the KL
// (beta-VAE). It provides the importance weights of the IWAE bound but does not compute shared
// metrics (active units, IWAE, FID): the harness does, via encode(), sample() and
// log_importance_weights().
#include "genlab/builders.hpp"
#include "genlab/latent.hpp"
#include "genlab/modular_model.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

class Vae final : public ModularModel {
 public:
  static ModelDescription describe() {
    Schema schema = network_schema();
    schema.insert(schema.end(), {latent_dim_param(20), likelihood_param(), beta_param()});
    ModelDescription d{"vae", "1.1.0", "Variational autoencoder (MLP or conv), Bernoulli or Gaussian decoder, beta on the KL",
                       kReconstructs | kEncodes | kSamples | kImportanceWeights | kGaussianPosterior | kStandardNormalPrior,
                       schema};
    d.metric_cards = elbo_metric_cards();
    return d;
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    latent_ = static_cast<std::size_t>(p.get_int("latent_dim"));
    beta_ = static_cast<float>(p.get_float("beta"));
    likelihood_ = likelihood_from(p);
    const NetworkSpec net = NetworkSpec::from(p);
    encoder_ = &add_module("encoder/", make_encoder<float>(net, ctx.data().sample_shape, 2 * latent_, ctx.init_rng()));
    decoder_ = &add_module("decoder/", make_decoder<float>(net, latent_, ctx.data().sample_shape, ctx.init_rng()));
    optimizer_ = &ctx.make_optimizer("model", parameters());
  }

  Metrics train_step(const Batch& batch, StepContext& ctx) override {
    const Var x(batch.x);                                      // x: (B, D)
    const auto [mu, logvar] = encode_vars(x);                  // (B, Z) each
    const Var logits = (*decoder_)(reparameterize(mu, logvar, ctx.noise));  // z: (B, Z) -> (B, D)
    const ElboTerms terms = elbo_loss(likelihood_, beta_, logits, x, mu, logvar);
    optimizer_->zero_grad();
    terms.loss.backward();
    optimizer_->step();
    return terms.metrics();
  }

  Metrics evaluate(const Batch& batch, Rng& eval_rng) override {
    const Var x(batch.x);
    const auto [mu, logvar] = encode_vars(x);
    return elbo_metrics(likelihood_, beta_, (*decoder_)(reparameterize(mu, logvar, eval_rng)), x, mu, logvar);
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
    const auto [mu1, logvar1] = encode_vars(Var(batch.x));
    const Var mu = repeat_rows(mu1, k), logvar = repeat_rows(logvar1, k);  // (kB, Z)
    const Var z = reparameterize(mu, logvar, rng);
    const Var log_px = log_likelihood_rows(likelihood_, (*decoder_)(z), repeat_rows(Var(batch.x), k));  // (kB,)
    return reshape(log_importance_weight_rows(log_px, z, mu, logvar), {k, batch.size()}).value();
  }

 private:
  // x: (B, D) -> mu, logvar: (B, Z)
  std::pair<Var, Var> encode_vars(const Var& x) {
    const Var h = (*encoder_)(x);
    return {slice(h, 1, 0, latent_), slice(h, 1, latent_, 2 * latent_)};
  }

  std::size_t latent_ = 0;
  float beta_ = 1.f;
  Likelihood likelihood_ = Likelihood::Bernoulli;
  Sequential<float>*encoder_ = nullptr, *decoder_ = nullptr;
  Optimizer<float>* optimizer_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(Vae)
