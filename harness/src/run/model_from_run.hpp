// The one way the harness makes a plugin's model (its OptimizerSet, create(), init() through
// HarnessInitContext from stream (seed, "init")) and the one way it rebuilds a model from a run
// file (its /config read back as the spec, the plugin it names, that construction, and the
// file's /checkpoint restored). The runner and reference classifiers use these; the plugin
// contract builds its own (it wraps the InitContext). Nothing here loads a data split or trains.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "genlab/loader.hpp"
#include "genlab/model.hpp"
#include "genlab/spec.hpp"
#include "genlab/store.hpp"
#include "run/optimizer_set.hpp"

namespace genlab {

struct BuiltModel {
  std::unique_ptr<OptimizerSet> optimizers;  // refers to the RunSpec it was built from: keep that alive
  std::shared_ptr<Model> model;
};

// A fresh model of `plugin` for `spec` on data of shape `data`, its optimizers scheduled over
// total_steps. PluginError (via call_plugin) if init() throws.
BuiltModel build_model(const Plugin& plugin, const RunSpec& spec, const Params& params, const DataInfo& data,
                       std::int64_t total_steps);

// `file`'s /checkpoint restored into model, optimizers and noise (parameters, buffers, optimizer
// state, the noise stream, the plugin's extra state), returned; its step in *step. StoreError.
Checkpoint restore_from_run_file(const std::filesystem::path& file, Model& model, OptimizerSet& optimizers, Rng& noise,
                                 std::int64_t* step = nullptr);

// A run's model rebuilt from its file alone, in evaluation mode. Not movable: the optimizers
// refer to `spec`.
struct ModelFromRun {
  ModelFromRun() = default;
  ModelFromRun(const ModelFromRun&) = delete;
  ModelFromRun& operator=(const ModelFromRun&) = delete;

  RunSummary summary;
  RunSpec spec;
  std::optional<Plugin> plugin;
  DataInfo data;         // the run's data set: name, sample shape, classes (train_size 0)
  BuiltModel built;
  Checkpoint checkpoint;  // as read, for identities
};

// `summary` is read_run(file) (the caller has usually checked its status); `origin` starts every
// error ("reference classifier <file>"); check_plugin may refuse the plugin's description before
// init (a ConfigError). The data set's shape comes from loading one sample from data_path.
std::unique_ptr<ModelFromRun> load_model_from_run(const std::filesystem::path& file, RunSummary summary,
                                                  const std::filesystem::path& data_path, const std::string& origin,
                                                  const std::function<void(const ModelDescription&)>& check_plugin = {});

}  // namespace genlab
