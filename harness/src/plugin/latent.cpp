// The latent-variable helpers of latent.hpp: each is the exact sequence of genlab ops the
// VAE plugins used to write themselves (so their results are unchanged bit for bit).
#include "genlab/latent.hpp"

#include <cmath>
#include <numbers>

#include "genlab/error.hpp"

namespace genlab {

Likelihood likelihood_from(const Params& params) {
  return params.get_string("likelihood") == "bernoulli" ? Likelihood::Bernoulli : Likelihood::Gaussian;
}

ParamSpec latent_dim_param(std::int64_t default_value, std::string doc) {
  return int_param("latent_dim", default_value, std::move(doc)).at_least(1).at_most(4096);
}

ParamSpec likelihood_param() {
  return string_param("likelihood", "bernoulli",
                      "decoder: bernoulli = summed BCE, gaussian = summed squared error / 2 (unit variance)")
      .one_of({"bernoulli", "gaussian"});
}

ParamSpec beta_param() {
  return float_param("beta", 1.0, "weight of the KL term (beta-VAE when != 1)").at_least(0).at_most(1e6);
}

Var reparameterize(const Var& mu, const Var& logvar, Rng& rng) {
  const Var eps(rng.normal_tensor<float>(mu.shape(), 0.f, 1.f));
  return mu + exp(logvar * 0.5f) * eps;
}

Var repeat_rows(const Var& x, std::size_t k) { return concat(std::vector<Var>(k, x), 0); }

Var reconstruction_loss(Likelihood likelihood, const Var& logits, const Var& x) {
  if (likelihood == Likelihood::Bernoulli) return bce_with_logits(logits, x, Reduction::Sum);
  return mse(sigmoid(logits), x, Reduction::Sum) * 0.5f;
}

Var log_likelihood_rows(Likelihood likelihood, const Var& logits, const Var& x) {
  if (likelihood == Likelihood::Bernoulli) return sum(bernoulli_log_density(x, logits, Reduction::None), {1});
  const Var unit(zeros<float>(x.shape()));  // log variance 0
  return sum(gaussian_log_density(x, sigmoid(logits), unit, Reduction::None), {1});
}

Var log_importance_weight_rows(const Var& log_px, const Var& z, const Var& mu, const Var& logvar) {
  const Var zero(zeros<float>(z.shape()));
  const Var log_pz = sum(gaussian_log_density(z, zero, zero, Reduction::None), {1});
  const Var log_qz = sum(gaussian_log_density(z, mu, logvar, Reduction::None), {1});
  return log_px + log_pz - log_qz;
}

Var one_hot(const std::vector<std::int32_t>& labels, std::size_t n, std::size_t classes) {
  if (labels.size() != n) {
    throw DataError("one_hot: needs one label per row, got " + std::to_string(labels.size()) + " labels for " +
                    std::to_string(n) + " rows");
  }
  Tensor<float> t = zeros<float>({n, classes});
  for (std::size_t i = 0; i < n; ++i) {
    if (labels[i] < 0 || static_cast<std::size_t>(labels[i]) >= classes) {
      throw DataError("one_hot: label " + std::to_string(labels[i]) + " outside [0, " + std::to_string(classes) + ")");
    }
    t(i, static_cast<std::size_t>(labels[i])) = 1.f;
  }
  return Var(t);
}

ElboTerms elbo_loss(Likelihood likelihood, float beta, const Var& logits, const Var& x, const Var& mu,
                    const Var& logvar) {
  const float inv_b = 1.f / static_cast<float>(x.dim(0));
  const Var recon = reconstruction_loss(likelihood, logits, x) * inv_b;
  const Var kl = gaussian_kl(mu, logvar, Reduction::Sum) * inv_b;
  return {recon + kl * beta, recon, kl};
}

Metrics elbo_metrics(Likelihood likelihood, float beta, const Var& logits, const Var& x, const Var& mu,
                     const Var& logvar) {
  const bool bernoulli = likelihood == Likelihood::Bernoulli;
  const float inv_b = 1.f / static_cast<float>(x.dim(0));
  const double bce_v = (bce_with_logits(logits, x, Reduction::Sum) * inv_b).item();
  const double mse_v = (mse(sigmoid(logits), x, Reduction::Sum) * inv_b).item();
  const double kl_v = (gaussian_kl(mu, logvar, Reduction::Sum) * inv_b).item();
  // -log p(x|z): BCE, or the unit-variance Gaussian with its constant (so it is a true ELBO)
  const double trained_recon = bernoulli ? bce_v : 0.5 * mse_v;
  const double log_norm = bernoulli ? 0.0 : 0.5 * static_cast<double>(x.dim(1)) * std::log(2 * std::numbers::pi);
  return {{"recon_bce", bce_v}, {"recon_mse", mse_v}, {"kl", kl_v},
          {"neg_elbo", trained_recon + log_norm + kl_v}, {"loss", trained_recon + beta * kl_v}};
}

std::vector<MetricCard> elbo_metric_cards() {
  return {{"loss", "the training objective: -log p(x|z) (no Gaussian constant) + beta * KL, mean per image",
           "nats per image", Better::Lower},
          {"recon", "training batch: -log p(x|z) summed over pixels (no Gaussian constant), mean per image",
           "nats per image", Better::Lower},
          {"kl", "KL(q(z|x) || N(0, I)), analytic, mean per image", "nats per image", Better::Lower},
          {"recon_bce", "summed BCE of the decoder mean, z ~ q(z|x), mean per image", "nats per image", Better::Lower},
          {"recon_mse", "summed squared error of the decoder mean, z ~ q(z|x), mean per image", "pixel^2 per image",
           Better::Lower},
          {"neg_elbo", "negative ELBO, an upper bound on -log p(x) (-log p(x|y) if conditional), one z per image",
           "nats per image", Better::Lower}};
}

}  // namespace genlab
