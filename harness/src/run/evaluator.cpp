// Evaluation over a split with gradients off, metrics weighted by batch size, shared metrics
// and image grids. It never writes files: the runner stores what it returns.
#include "run/evaluator.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "genlab/iwae.hpp"
#include "genlab/loader.hpp"
#include "run/adversarial_eval.hpp"
#include "run/latent_images.hpp"
#include "run/translation_eval.hpp"

namespace genlab {

namespace {
// Per latent dimension, over a split: sums of the encoder mean, of its square, and of the
// analytic KL(q(z_j|x) || N(0, 1)) = 0.5 (mu^2 + exp(logvar) - 1 - logvar), in double.
struct LatentSums {
  std::vector<double> mu, mu_sq, kl;
  // mu, logvar: (B, Z)
  void add(const Tensor<float>& mu_b, const Tensor<float>& logvar_b) {
    const std::size_t z = mu_b.shape()[1];
    mu.resize(z, 0.0);
    mu_sq.resize(z, 0.0);
    kl.resize(z, 0.0);
    for (std::size_t i = 0; i < mu_b.shape()[0]; ++i) {
      for (std::size_t j = 0; j < z; ++j) {
        const double m = mu_b(i, j), lv = logvar_b(i, j);
        mu[j] += m;
        mu_sq[j] += m * m;
        kl[j] += 0.5 * (m * m + std::exp(lv) - 1.0 - lv);
      }
    }
  }
};

// Number of latent dimensions whose encoder mean varies over the split by more than 0.01
// (Burda et al. 2016). sums: (Z) of mu, squares: (Z) of mu^2, accumulated in double.
double active_units(const std::vector<double>& sums, const std::vector<double>& squares, std::size_t n) {
  double active = 0;
  for (std::size_t j = 0; j < sums.size(); ++j) {
    const double mean = sums[j] / n;
    if (squares[j] / n - mean * mean > 0.01) active += 1;
  }
  return active;
}

// "interpolation" for encoders, "classes" for conditional samplers (test split only: the
// validation evaluation asks for no samples).
void add_latent_images(Model& model, const ModelDescription& d, const Dataset& split, const DataInfo& info,
                       const EvalSettings& s, EvalOutput& out) {
  if (s.samples == 0) return;
  if (d.capabilities & kEncodes) {
    if (auto grid = interpolation_grid(model, d, split, info)) out.images.emplace_back("interpolation", *grid);
  }
  if ((d.capabilities & kSamples) && (d.capabilities & kConditional) && info.num_classes > 0) {
    out.images.emplace_back("classes", classes_grid(model, d, info, s.seed));
  }
}

void add_images(Model& model, const ModelDescription& d, const Dataset& split, const DataInfo& info,
                const EvalSettings& s, EvalOutput& out) {
  if (info.sample_shape.size() != 3) return;  // 2-D point sets have no pictures
  if (d.capabilities & kReconstructs) {
    const std::size_t n = std::min<std::size_t>(8, split.x.shape()[0]);
    const Batch b = batch_of(split, 0, n);
    const Tensor<float> recon = to_unit_range(call_plugin(d.name, [&] { return model.reconstruct(b); }), d.output_range);
    Tensor<float> both = Tensor<float>::from_shape({2 * n, info.dim});
    std::copy(b.x.data(), b.x.data() + n * info.dim, both.data());
    std::copy(recon.data(), recon.data() + n * info.dim, both.data() + n * info.dim);
    out.images.emplace_back("reconstructions", make_image_grid(both, info.sample_shape, n));
  }
  if ((d.capabilities & kSamples) && s.samples > 0) {
    // The same noise for every evaluation and every run with this seed: grids line up.
    Rng bank(s.seed, "noise_bank");
    std::vector<std::int32_t> labels;
    if (d.capabilities & kConditional) {
      for (std::size_t i = 0; i < s.samples; ++i) labels.push_back(static_cast<std::int32_t>(i % std::max<std::size_t>(1, info.num_classes)));
    }
    const Tensor<float> x =
        to_unit_range(call_plugin(d.name, [&] { return model.sample(s.samples, labels, bank); }), d.output_range);
    const auto cols = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(s.samples))));
    out.images.emplace_back("samples", make_image_grid(x, info.sample_shape, cols));
  }
  add_latent_images(model, d, split, info, s, out);
}

// The KL of each latent dimension, mean over the split, as the JSON array attribute
// "kl_per_dim" of the metric "active_units": a vector per evaluation would be Z series, too many
// for tables, so the attribute holds the latest evaluation's values.
void add_kl_per_dim(const LatentSums& sums, std::size_t n, EvalOutput& out) {
  std::string json = "[";
  for (std::size_t j = 0; j < sums.kl.size(); ++j) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.6g", j ? ", " : "", sums.kl[j] / static_cast<double>(n));
    json += buf;
  }
  AttrMap& attrs = out.attrs["active_units"];
  attrs["kl_per_dim"] = json + "]";
  attrs["kl_per_dim_definition"] = std::string(
      "per latent dimension j: mean over the split of KL(q(z_j|x) || N(0,1)), analytic, nats; latest evaluation");
}

// IWAE-k on the first iwae_images images (stream (seed, "eval/<step>/iwae")) and the negative
// ELBO estimated from the same draws, for plugins with importance weights.
void add_iwae(Model& model, const ModelDescription& d, const Dataset& split, const EvalSettings& s,
              EvalOutput& out) {
  Rng rng(s.seed, "eval/" + std::to_string(s.step) + "/iwae");
  const auto t0 = std::chrono::steady_clock::now();
  const IwaeResult r = iwae_bound(model, d.name, split, s.iwae_images, s.iwae_k, rng, kIwaeRowsPerCall, s.iwae_progress);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string of = (d.capabilities & kConditional) ? "-log p(x|y)" : "-log p(x)";
  const AttrMap common = {{"split", s.split_name}, {"n", static_cast<std::int64_t>(r.images)},
                          {"k", static_cast<std::int64_t>(r.k)}, {"better", std::string("lower")},
                          {"seconds", seconds}};
  out.metrics["neg_iwae"] = r.neg_iwae;
  out.attrs["neg_iwae"] = common;
  out.attrs["neg_iwae"]["definition"] = "-IWAE-k: upper bound on " + of +
      " = -mean_x(logsumexp_k log w_k - log k), log w = log p(x,z) - log q(z|x), nats per image";
  out.metrics["neg_elbo_iwae_subset"] = r.neg_elbo;
  out.attrs["neg_elbo_iwae_subset"] = common;
  out.attrs["neg_elbo_iwae_subset"]["definition"] =
      "negative ELBO (bound on " + of + ") on the IWAE images = -mean over images and the k draws of log w, nats per image";
}
// The attributes of a plugin metric: its card (definition, unit, better) if it has one.
AttrMap plugin_metric_attrs(const ModelDescription& d, const std::string& name, const std::string& split,
                            std::int64_t n, const char* generic) {
  AttrMap a = metric_card_attrs(d, name);
  a.try_emplace("definition", "plugin metric " + name + ", " + generic);
  a["split"] = split;
  a["n"] = n;
  return a;
}
}  // namespace

AttrMap metric_card_attrs(const ModelDescription& d, const std::string& name) {
  AttrMap a;
  const MetricCard* card = find_metric_card(d, name);
  if (!card) return a;
  if (!card->definition.empty()) a["definition"] = card->definition;
  if (!card->unit.empty()) a["unit"] = card->unit;
  if (card->better != Better::Unspecified) a["better"] = std::string(card->better == Better::Lower ? "lower" : "higher");
  return a;
}

EvalOutput evaluate_model(Model& model, const ModelDescription& d, const Dataset& split,
                          const DataInfo& info, const EvalSettings& s) {
  NoGradGuard no_grad;
  model.set_training(false);
  // training mode comes back however the evaluation ends (a metric or the plugin may throw)
  struct TrainingAgain {
    Model& m;
    ~TrainingAgain() {
      try {
        m.set_training(true);
      } catch (...) {  // a destructor must not throw; the first error is already on its way
      }
    }
  } training_again{model};
  Rng eval_rng(s.seed, "eval/" + std::to_string(s.step));
  const std::size_t n = split.x.shape()[0];
  std::map<std::string, double> sums;
  LatentSums latent;
  call_plugin(d.name, [&] { model.begin_evaluation(); });
  for (std::size_t begin = 0; begin < n; begin += s.batch_size) {
    const std::size_t end = std::min(n, begin + s.batch_size);
    const Batch b = batch_of(split, begin, end);
    const Metrics m = call_plugin(d.name, [&] { return model.evaluate(b, eval_rng); });
    for (const auto& [k, v] : m) sums[k] += v * static_cast<double>(end - begin);
    if (d.capabilities & kEncodes) {
      const auto [mu, logvar] = call_plugin(d.name, [&] { return model.encode(b); });
      latent.add(mu, logvar);
    }
  }
  EvalOutput out;
  const auto count = static_cast<std::int64_t>(n);
  for (const auto& [k, v] : sums) {
    out.metrics[k] = v / static_cast<double>(n);
    out.attrs[k] = plugin_metric_attrs(d, k, s.split_name, count, "mean per example");
  }
  // whole-split metrics (v3): as the plugin computed them, never averaged over batches
  for (const auto& [k, v] : call_plugin(d.name, [&] { return model.end_evaluation(); })) {
    if (out.metrics.count(k)) {
      throw PluginError("plugin '" + d.name + "': metric '" + k + "' returned by both evaluate() and end_evaluation()");
    }
    out.metrics[k] = v;
    out.attrs[k] = plugin_metric_attrs(d, k, s.split_name, count, "over the whole split");
    out.attrs[k]["aggregation"] = std::string("whole split");
  }
  if (d.capabilities & kEncodes) {
    out.metrics["active_units"] = active_units(latent.mu, latent.mu_sq, n);
    out.attrs["active_units"] = {{"split", s.split_name}, {"n", count},
                                 {"definition", "latent dimensions with Var_x[E q(z|x)] > 0.01"}};
  }
  // KL per dimension needs a real Gaussian posterior and a N(0, I) prior, as declared (v3).
  const unsigned kl_needs = kEncodes | kGaussianPosterior | kStandardNormalPrior;
  if ((d.capabilities & kl_needs) == kl_needs) add_kl_per_dim(latent, n, out);
  if (s.heavy && s.iwae_k > 0 && (d.capabilities & kImportanceWeights)) add_iwae(model, d, split, s, out);
  if ((d.capabilities & kDiscriminates) && (d.capabilities & kSamples)) add_discriminator_metrics(model, d, split, info, s, out);
  // Mode coverage does not depend on the split: only the test evaluation computes it.
  if ((d.capabilities & kSamples) && s.split_name == "test") add_mode_metrics(model, d, info, s, out);
  add_translation_metrics(model, d, split, info, s, out);  // kTranslates on two-domain splits
  add_images(model, d, split, info, s, out);
  return out;
}

double estimate_iwae_seconds(Model& model, const ModelDescription& d, const Dataset& split, const EvalSettings& s) {
  if (s.iwae_k == 0 || !(d.capabilities & kImportanceWeights) || split.x.shape()[0] == 0) return 0.0;
  const std::size_t images = std::min(s.iwae_images, split.x.shape()[0]);
  const IwaeGeometry g = iwae_geometry(images, s.iwae_k);
  NoGradGuard no_grad;
  model.set_training(false);
  Rng rng(s.seed, "eval/iwae_probe");
  const Batch b = batch_of(split, 0, std::min(g.images_per_call, split.x.shape()[0]));
  double best = 0.0;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    call_plugin(d.name, [&] { return model.log_importance_weights(b, g.samples_per_call, rng); });
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = i == 0 ? t : std::min(best, t);
  }
  model.set_training(true);
  return best * static_cast<double>(g.calls);
}

}  // namespace genlab
