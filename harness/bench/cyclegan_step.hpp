// The CycleGAN reference step of genlab-bench and the determinism tests: the cyclegan plugin
// itself (so the step is exactly what a run computes), built from an experiment file's first run
// (its [model] parameters and its Adam settings per optimizer group) and stepped on fixed
// synthetic two-domain batches of 28x28 images. Header-only, like reference_nets.hpp.
// It does not load data, schedule the learning rate (a constant lr costs the same), or time.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "genlab/error.hpp"
#include "genlab/executor.hpp"
#include "genlab/loader.hpp"
#include "genlab/model.hpp"
#include "genlab/optim.hpp"
#include "genlab/spec.hpp"

namespace genlab::bench {

// The default experiment: the nets of the CycleGAN ablation (4 base channels, 2 residual blocks,
// PatchGAN 8, batch norm, identity loss off since 8f346e4). Relative to the checkout.
inline const char* kCycleganExperiment = "experiments/ablations/cyclegan_fashion_invert.toml";

// The first run of `experiment` as genlab run would resolve it, without its classifier, grid or
// extra seeds (a step needs none of them); `extra`: more --set overrides after those.
inline RunSpec cyclegan_run_spec(const std::filesystem::path& experiment, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> sets = {"experiment.seeds=[0]", "grid.zip=[]", "eval.classifier=\"\"", "model.mode=\"cycle\""};
  sets.insert(sets.end(), extra.begin(), extra.end());
  const Experiment e = load_and_validate(experiment, sets);
  if (e.runs.empty() || e.runs.front().plugin != "cyclegan") {
    throw ConfigError(experiment.string() + ": expected a cyclegan experiment (model.plugin = \"cyclegan\")");
  }
  return e.runs.front();
}

class CycleganStep {
 public:
  // run: a resolved cyclegan run (cyclegan_run_spec); batch: images per domain and step.
  // plugin_file: the .so to load; empty = by name on the search path (as genlab run does).
  CycleganStep(const RunSpec& run, std::size_t batch, const std::filesystem::path& plugin_file = {})
      : plugin_(plugin_file.empty() ? load_plugin(run.plugin, run.plugin_path) : load_plugin_file(plugin_file)),
        noise_(run.seed, "noise") {
    Context ctx(run, plugin_.info().description);
    model_ = plugin_.create();
    model_->init(ctx);
    optimizers_ = std::move(ctx.optimizers_);
    Rng data(run.seed, "bench/data");
    batch_.x = data.uniform_tensor<float>({batch, kDim}, 0.f, 1.f);            // x: (B, 784), domain A
    batch_.x_b = 1.f - data.uniform_tensor<float>({batch, kDim}, 0.f, 1.f);  // x_b: (B, 784), domain B
    batch_.y.assign(batch, 0);
    batch_.y_b.assign(batch, 0);
  }

  // One train_step of the plugin on the fixed batch: G and F, then D_A and D_B.
  Metrics step() {
    StepContext ctx{noise_, step_, 0.0};
    ++step_;
    return model_->train_step(batch_, ctx);
  }

  std::vector<Tensor<float>> parameter_values() {
    std::vector<Tensor<float>> out;
    for (const auto& p : model_->parameters()) out.push_back(p.variable.value());
    return out;
  }

  // Forward FLOPs (2 x MACs) of the convolutions of one step per sample (one image of each
  // domain), for 28x28 single-channel images and the plugin's architecture (plugins/cyclegan):
  // 4 generator passes (G(a), F(b), F(G(a)), G(F(b))) plus 2 with the identity loss (G(b), F(a)),
  // and 6 PatchGAN passes (2 in the generators' update, 4 in the discriminators').
  static double forward_flops(const Params& p, std::size_t batch) {
    const double g = static_cast<double>(p.get_int("g_channels")), blocks = static_cast<double>(p.get_int("res_blocks"));
    const double d = static_cast<double>(p.get_int("d_channels"));
    const double full = 28.0 * 28, half = 14.0 * 14, quarter = 7.0 * 7;  // pixels at each scale
    // in c7 (1 -> g), down c3 (g -> 2g, 2g -> 4g), residual c3 (4g -> 4g) x 2 per block,
    // up convT3 (4g -> 2g, 2g -> g; MACs counted on the input grid), out c7 (g -> 1); with
    // g_skips the last two layers also read the encoder's maps: up2 4g -> g, out 2g -> 1
    const double widen = p.get_bool("g_skips") ? 2 : 1;
    const double gen = g * 49 * full + 2 * g * g * 9 * half + 8 * g * g * 9 * quarter +
                       blocks * 2 * 16 * g * g * 9 * quarter + 8 * g * g * 9 * quarter + widen * 2 * g * g * 9 * half +
                       widen * g * 49 * full;
    const double disc = d * 16 * half + 2 * d * d * 16 * quarter + 2 * d * 9 * quarter;  // c4, c4, c3
    const double lambda_cycle = p.get_float("lambda_cycle"), id = p.get_float("lambda_id");
    const double gen_passes = (id > 0 || (id == -1.0 && lambda_cycle > 0)) ? 6 : 4;
    return 2.0 * static_cast<double>(batch) * (gen_passes * gen + 6 * disc);
  }

 private:
  static constexpr std::size_t kDim = 28 * 28;

  // What the harness's InitContext gives the plugin: resolved parameters, the data shape, the
  // (seed, "init") stream, and each group's optimizer from the run's [train.optimizer] (Adam only).
  struct Context final : InitContext {
    Context(const RunSpec& run, const ModelDescription& d)
        : run_(run), params_(run.params ? *run.params : Params::with_defaults(d.schema, {})), init_(run.seed, "init") {}
    const Params& params() const override { return params_; }
    const DataInfo& data() const override { return data_; }
    Rng& init_rng() override { return init_; }
    Optimizer<float>& make_optimizer(const std::string& group, std::vector<NamedParameter<float>> p) override {
      const OptimizerSpec o = run_.optimizer_for(group);
      if (o.name != "adam") throw ConfigError("genlab-bench cyclegan: only train.optimizer.name = \"adam\" is supported, got '" + o.name + "'");
      optimizers_.push_back(make_adam<float>(std::move(p), {o.lr, o.beta1, o.beta2, o.eps, o.weight_decay, false}));
      return *optimizers_.back();
    }
    const RunSpec& run_;
    Params params_;
    DataInfo data_{"fashion_invert", {1, 28, 28}, kDim, 10, 1000};
    Rng init_;
    std::vector<std::unique_ptr<Optimizer<float>>> optimizers_;
  };

  Plugin plugin_;  // before the model: the library outlives it
  std::vector<std::unique_ptr<Optimizer<float>>> optimizers_;
  std::shared_ptr<Model> model_;
  Rng noise_;
  Batch batch_;
  std::int64_t step_ = 0;
};

}  // namespace genlab::bench
