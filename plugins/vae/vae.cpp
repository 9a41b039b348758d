// Plugin "vae": the variational autoencoder (Kingma & Welling 2014) with an MLP or conv encoder
// and decoder (arch), Bernoulli (BCE) or Gaussian (MSE) decoder, and a beta weight on the KL
// (beta-VAE). It provides the importance weights of the IWAE bound but does not compute shared
// metrics (active units, IWAE, FID): the harness does, via encode(), sample() and
// log_importance_weights().
#include "genlab/gaussian_vae.hpp"
#include "genlab/latent.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

class Vae final : public GaussianVae {
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
    beta_ = static_cast<float>(p.get_float("beta"));
    likelihood_ = likelihood_from(p);
    build_encoder_decoder(NetworkSpec::from(p), ctx.data().sample_shape, static_cast<std::size_t>(p.get_int("latent_dim")),
                          ctx.init_rng());
    optimizer_ = &ctx.make_optimizer("model", parameters());
  }

  Metrics train_step(const Batch& batch, StepContext& ctx) override {
    const Var x(batch.x);                                      // x: (B, D)
    const auto [mu, logvar] = encode_vars(x);                  // (B, Z) each
    const Var logits = decode_logits(reparameterize(mu, logvar, ctx.noise));  // z: (B, Z) -> (B, D)
    const ElboTerms terms = elbo_loss(likelihood_, beta_, logits, x, mu, logvar);
    optimizer_->zero_grad();
    terms.loss.backward();
    optimizer_->step();
    return terms.metrics();
  }

  Metrics evaluate(const Batch& batch, Rng& eval_rng) override {
    const Var x(batch.x);
    const auto [mu, logvar] = encode_vars(x);
    return elbo_metrics(likelihood_, beta_, decode_logits(reparameterize(mu, logvar, eval_rng)), x, mu, logvar);
  }

  // x: (B, D) -> log p(x|z) + log p(z) - log q(z|x): (k, B), with z ~ q(z|x) drawn from rng.
  Tensor<float> log_importance_weights(const Batch& batch, std::size_t k, Rng& rng) override {
    const auto [mu1, logvar1] = encode_vars(Var(batch.x));
    const Var mu = repeat_rows(mu1, k), logvar = repeat_rows(logvar1, k);  // (kB, Z)
    const Var z = reparameterize(mu, logvar, rng);
    const Var log_px = log_likelihood_rows(likelihood_, decode_logits(z), repeat_rows(Var(batch.x), k));  // (kB,)
    return reshape(log_importance_weight_rows(log_px, z, mu, logvar), {k, batch.size()}).value();
  }

 private:
  float beta_ = 1.f;
  Likelihood likelihood_ = Likelihood::Bernoulli;
  Optimizer<float>* optimizer_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(Vae)
