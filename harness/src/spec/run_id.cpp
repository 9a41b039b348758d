// The canonical config of a run and its id. The text holds what determines the results (data,
// model, training, evaluation, seed) with sorted keys and every default filled, so equal
// configs give equal bytes however the file was written; execution settings ([run], output
// folder, data and plugin paths) and [reference] are left out so changing them keeps the id.
// The data enter by name and content (data.identity, computed when not given), not by path.
#include <map>

#include "genlab/data.hpp"
#include "genlab/hash.hpp"
#include "genlab/spec.hpp"
#include "spec/tree.hpp"

namespace genlab {

namespace {
using spec::Node;
using Table = std::map<std::string, Node>;  // sorted keys

Node table_of(Table entries) {
  Node t = spec::make_table({});
  for (auto& [key, value] : entries) t.entries.emplace_back(key, std::move(value));
  return t;
}

Node value_of(ParamValue v) { return spec::from_param_value(v, {}); }
Node int_of(std::int64_t v) { return value_of(v); }
Node size_of(std::size_t v) { return value_of(static_cast<std::int64_t>(v)); }

Table optimizer_table(const OptimizerSpec& o) {
  return {{"name", value_of(o.name)},       {"lr", value_of(o.lr)},
          {"beta1", value_of(o.beta1)},     {"beta2", value_of(o.beta2)},
          {"eps", value_of(o.eps)},         {"weight_decay", value_of(o.weight_decay)},
          {"momentum", value_of(o.momentum)}, {"alpha", value_of(o.alpha)},
          {"nesterov", value_of(o.nesterov)}};
}

std::string render(const RunSpec& run, const std::map<std::string, ParamValue>& model) {
  Table experiment = {{"name", value_of(run.experiment)},
                      {"seed", int_of(static_cast<std::int64_t>(run.seed))}};
  Table data = {{"name", value_of(run.data_name)},
                {"limit", size_of(run.data_limit)},
                {"validation", size_of(run.data_validation)},
                {"identity", value_of(run.data_identity.empty() ? data_identity(run.data_name, run.data_path)
                                                                : run.data_identity)}};
  // keys of one data set only: a derived set's parameters (its identity covers its source files)
  if (run.data_name == "fashion_flip") data["flip"] = value_of(run.data_flip);
  if (run.data_name == "fashion_classes") data["classes"] = value_of(ParamValue(run.data_classes));
  if (run.data_paired) data["paired"] = value_of(true);
  Table model_table = {{"plugin", value_of(run.plugin)}};
  for (const auto& [key, value] : model) model_table[key] = value_of(value);

  const TrainSpec& t = run.train;
  Table optimizer = optimizer_table(t.optimizer);
  for (const auto& [group, o] : t.optimizer_groups) optimizer[group] = table_of(optimizer_table(o));
  Table schedule = {{"name", value_of(t.schedule.name)},
                    {"step_size", int_of(t.schedule.step_size)},
                    {"gamma", value_of(t.schedule.gamma)},
                    {"end_factor", value_of(t.schedule.end_factor)}};
  Table train = {{"epochs", int_of(t.epochs)},
                 {"steps", int_of(t.steps)},
                 {"batch_size", size_of(t.batch_size)},
                 {"clip_grad_norm", value_of(t.clip_grad_norm)},
                 {"optimizer", table_of(std::move(optimizer))},
                 {"schedule", table_of(std::move(schedule))}};
  Table eval = {{"every_epochs", int_of(run.eval.every_epochs)},
                {"every_steps", int_of(run.eval.every_steps)},
                {"batch_size", size_of(run.eval.batch_size)},
                {"samples", size_of(run.eval.samples)},
                {"heavy_metrics", value_of(run.eval.heavy_metrics)},
                {"iwae_k", size_of(run.eval.iwae_k)},
                {"iwae_images", size_of(run.eval.iwae_images)},
                {"classifier", value_of(run.eval.classifier)},
                {"fid_samples", size_of(run.eval.fid_samples)},
                {"pr_k", size_of(run.eval.pr_k)}};

  Table root = {{"experiment", table_of(std::move(experiment))},
                {"data", table_of(std::move(data))},
                {"model", table_of(std::move(model_table))},
                {"train", table_of(std::move(train))},
                {"eval", table_of(std::move(eval))}};
  return spec::render_document(table_of(std::move(root)));
}
}  // namespace

std::string canonical_config(const RunSpec& run) {
  std::map<std::string, ParamValue> model;
  for (const auto& [key, located] : run.model_params) model[key] = located.value;
  return render(run, model);
}

std::string canonical_config(const RunSpec& run, const Params& params) {
  return render(run, params.values());
}

std::string run_id_of(const std::string& config_text) { return sha256_hex(config_text).substr(0, 12); }

}  // namespace genlab
