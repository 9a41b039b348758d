// build_model, restore_from_run_file and load_model_from_run: the construction the runner uses
// for every run and the rebuild a reference classifier (or any finished run) gets from its file.
// They do not load a data split (one sample gives the shape) and do not evaluate.
#include "run/model_from_run.hpp"

#include "genlab/data.hpp"
#include "genlab/error.hpp"
#include "genlab/stored_config.hpp"
#include "run/checkpoint_io.hpp"
#include "run/init_context.hpp"

namespace fs = std::filesystem;

namespace genlab {

namespace {

// Name, sample shape and classes of data set `name` (one sample is loaded).
DataInfo data_info_of(const std::string& name, const fs::path& data_path, std::uint64_t seed) {
  DataOptions o;
  o.name = name;
  o.path = data_path;
  o.limit = 1;
  const DataSplits d = load_data(o, seed);
  // train_size: not needed to restore a trained model, and this is not the run's training set
  return {d.train.name, d.train.sample_shape, d.train.dim(), d.train.num_classes, 0};
}

}  // namespace

BuiltModel build_model(const Plugin& plugin, const RunSpec& spec, const Params& params, const DataInfo& data,
                       std::int64_t total_steps) {
  const ModelDescription& d = plugin.info().description;
  BuiltModel b;
  b.optimizers = std::make_unique<OptimizerSet>(spec, total_steps);
  b.model = plugin.create();
  HarnessInitContext ctx(params, data, spec.seed, *b.optimizers, d);
  call_plugin(d.name, [&] { b.model->init(ctx); });
  return b;
}

Checkpoint restore_from_run_file(const fs::path& file, Model& model, OptimizerSet& optimizers, Rng& noise,
                                 std::int64_t* step) {
  Checkpoint c = read_checkpoint(file, step);
  restore_checkpoint(c, model, optimizers, noise);
  return c;
}

std::unique_ptr<ModelFromRun> load_model_from_run(const fs::path& file, RunSummary summary, const fs::path& data_path,
                                                  const std::string& origin,
                                                  const std::function<void(const ModelDescription&)>& check_plugin) {
  auto m = std::make_unique<ModelFromRun>();
  m->summary = std::move(summary);
  m->spec = run_spec_of_config(m->summary.config_text, origin);
  m->plugin = load_plugin(m->spec.plugin, m->spec.plugin_path);
  const ModelDescription& d = m->plugin->info().description;
  if (check_plugin) check_plugin(d);
  const Params params = resolve_model_params(m->spec, d.schema);
  m->data = data_info_of(m->spec.data_name, data_path, m->spec.seed);
  m->built = build_model(*m->plugin, m->spec, params, m->data, 1);  // its init draws are overwritten below
  Rng noise(m->spec.seed, "noise");
  try {
    m->checkpoint = restore_from_run_file(file, *m->built.model, *m->built.optimizers, noise);
  } catch (const StoreError& e) {
    throw StoreError(origin + ": " + e.what());
  }
  m->built.model->set_training(false);
  return m;
}

}  // namespace genlab
