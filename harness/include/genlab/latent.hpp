// Latent-variable helpers shared by VAE-style plugins: the reparameterised draw, Bernoulli or
// unit-variance Gaussian decoder terms, IWAE log-weights, repeat_rows and the schema entries
// latent_dim / likelihood / beta with their metric cards. Formulas only: no module, no state.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "genlab/model.hpp"
#include "genlab/ops.hpp"

namespace genlab {

enum class Likelihood { Bernoulli, Gaussian };  // decoder p(x|z): Bernoulli(sigmoid(logits)) or N(sigmoid(logits), I)
Likelihood likelihood_from(const Params& params);  // the "likelihood" hyper-parameter

// Schema entries: latent_dim (>= 1), likelihood (bernoulli | gaussian), beta (KL weight >= 0).
ParamSpec latent_dim_param(std::int64_t default_value, std::string doc = "size of z");
ParamSpec likelihood_param();
ParamSpec beta_param();

// z = mu + exp(logvar / 2) * eps, eps ~ N(0, I) drawn from rng. mu, logvar: (B, Z) -> (B, Z)
Var reparameterize(const Var& mu, const Var& logvar, Rng& rng);
// x: (B, ...) -> (k * B, ...): k copies stacked, row r = copy r / B of row r % B.
Var repeat_rows(const Var& x, std::size_t k);

// -log p(x|z) summed over pixels, not averaged over the batch: a scalar. The Gaussian omits its
// constant (D/2 log 2 pi), as a training loss does. logits, x: (B, D)
Var reconstruction_loss(Likelihood likelihood, const Var& logits, const Var& x);
// log p(x|z) per row with the Gaussian's constant (a true log-density). logits, x: (N, D) -> (N,)
Var log_likelihood_rows(Likelihood likelihood, const Var& logits, const Var& x);
// IWAE log-weights per row: log p(x|z) + log N(z; 0, I) - log N(z; mu, exp(logvar)), in that
// order of additions. log_px: (N,); z, mu, logvar: (N, Z) -> (N,). Reshape to (k, B) for the harness.
Var log_importance_weight_rows(const Var& log_px, const Var& z, const Var& mu, const Var& logvar);

// labels (n,) -> one-hot (n, classes); throws DataError naming a missing or out-of-range label.
Var one_hot(const std::vector<std::int32_t>& labels, std::size_t n, std::size_t classes);

// A VAE's training objective on one batch, per image: recon = -log p(x|z) summed over pixels
// (no Gaussian constant), kl = KL(q(z|x) || N(0, I)), loss = recon + beta * kl.
// logits, x: (B, D); mu, logvar: (B, Z).
struct ElboTerms {
  Var loss, recon, kl;
  Metrics metrics() const { return {{"loss", loss.item()}, {"recon", recon.item()}, {"kl", kl.item()}}; }
};
ElboTerms elbo_loss(Likelihood likelihood, float beta, const Var& logits, const Var& x, const Var& mu,
                    const Var& logvar);

// A VAE's evaluation metrics on one batch, per-image means: recon_bce, recon_mse, kl,
// neg_elbo (with the Gaussian's constant, so a true bound) and loss (recon + beta * kl as
// trained). logits, x: (B, D); mu, logvar: (B, Z).
Metrics elbo_metrics(Likelihood likelihood, float beta, const Var& logits, const Var& x, const Var& mu,
                     const Var& logvar);
// Metric cards of elbo_metrics() and of the train metrics loss / recon / kl.
std::vector<MetricCard> elbo_metric_cards();

}  // namespace genlab
