// One scheduled evaluation of a model on a data split: the plugin's own metrics averaged over
// the split, the shared metrics the harness computes for every plugin of a capability (active
// units and KL per dimension for encoders, the IWAE bound for importance weights, discriminator
// accuracy for samplers that discriminate, mode coverage on 2-D mixtures), and the image grids
// (reconstructions, samples from a fixed noise bank, latent interpolations, per-class rows, the
// 2-D scatter).
// It draws only from streams derived from (seed, "eval/<step>...") and (seed, "noise_bank..."),
// so evaluating never changes training.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "genlab/data.hpp"
#include "genlab/image.hpp"
#include "genlab/iwae.hpp"
#include "genlab/model.hpp"
#include "genlab/store.hpp"

namespace genlab {

struct EvalSettings {
  std::size_t batch_size = 500;
  std::size_t samples = 64;  // images in the samples grid
  std::uint64_t seed = 0;
  std::int64_t step = 0;
  std::string split_name = "test";
  // Heavy metrics: the runner sets `heavy` at the final evaluation (or at every one, with
  // eval.heavy_metrics = "every"). IWAE-k on the first iwae_images images; iwae_k = 0 = off.
  bool heavy = false;
  std::size_t iwae_k = 0, iwae_images = 0;
  IwaeProgress iwae_progress;  // progress output during the bound (may be empty)
};

struct EvalOutput {
  Metrics metrics;
  std::map<std::string, AttrMap> attrs;                   // per metric: definition, split, n
  // "reconstructions", "samples", "interpolation", "classes", "scatter"
  std::vector<std::pair<std::string, ImageGrid>> images;
};

EvalOutput evaluate_model(Model& model, const ModelDescription& description, const Dataset& split,
                          const DataInfo& info, const EvalSettings& settings);

// Seconds the IWAE-k bound of `settings` will take, from timing a few log_importance_weights
// calls of its size (the best of three) on the first test image, with a stream of its own
// ((seed, "eval/iwae_probe")), so it changes nothing. For the progress ETA; 0 if there is no bound.
double estimate_iwae_seconds(Model& model, const ModelDescription& description, const Dataset& split,
                             const EvalSettings& settings);

// The attributes a plugin's metric card gives metric `name` (definition, unit, better), or none.
AttrMap metric_card_attrs(const ModelDescription& description, const std::string& name);

}  // namespace genlab
