// load_experiment: file + extends + --set -> grid cells -> validated RunSpecs with ids, and the
// later step that checks plugin hyper-parameters once the plugin's Schema is known. It does not
// load plugins itself: callers pass a SchemaLookup or call finalize_run.
#include <algorithm>
#include <map>

#include "genlab/data.hpp"
#include "genlab/error.hpp"
#include "genlab/spec.hpp"
#include "spec/check.hpp"
#include "spec/grid.hpp"
#include "spec/load.hpp"
#include "spec/sections.hpp"

namespace genlab {

OptimizerSpec RunSpec::optimizer_for(const std::string& group) const {
  const auto it = train.optimizer_groups.find(group);
  return it == train.optimizer_groups.end() ? train.optimizer : it->second;
}

namespace {
std::filesystem::path output_file_of(const RunSpec& run) {
  return run.output_dir / run.experiment / (run.run_id + ".h5");
}

void set_identity(RunSpec& run, std::string config_text) {
  run.config_text = std::move(config_text);
  run.run_id = run_id_of(run.config_text);
  run.output_file = output_file_of(run);
}

// data.identity unless the file gives it: the data's content hash (files hashed once per process).
void fill_data_identity(RunSpec& run) {
  if (!run.data_identity.empty()) return;
  try {
    run.data_identity = data_identity(run.data_name, run.data_path);
  } catch (const DataError& e) {
    throw DataError(run.spec_file.string() + ": data." + "name = \"" + run.data_name + "\", data.path = " +
                    run.data_path.string() + ": the run id covers the data's content, which cannot be read: " + e.what());
  }
}

std::string coordinates_text(const RunSpec& run) {
  std::string out;
  for (const auto& [key, value] : run.grid) out += (out.empty() ? "" : ", ") + key + "=" + value;
  return out;
}

// Two runs with one id would write one file: a grid axis that does not reach the config text
// (keys of [run], paths) or a repeated value.
void check_distinct(const Experiment& e) {
  std::map<std::string, std::size_t> first;
  for (const RunSpec& run : e.runs) {
    const auto [it, fresh] = first.emplace(run.run_id, run.index);
    if (fresh) continue;
    const RunSpec& other = e.runs[it->second];
    throw ConfigError(e.file.string() + ": runs #" + std::to_string(other.index) + " (" +
                      coordinates_text(other) + ") and #" + std::to_string(run.index) + " (" +
                      coordinates_text(run) + ") have the same configuration (run id " +
                      run.run_id + "); a grid value repeats or an axis does not change the "
                      "results (keys of [run], output and paths are not part of the run id)");
  }
}

// The most runs one experiment may expand to (each is a file and a process); a larger spec is a
// mistake (a 1000^3 grid) that would exhaust memory before anything runs.
constexpr std::size_t kMaxRuns = 100000;

// Refuses a grid of more than kMaxRuns cells (times `seeds` per cell), naming the count.
void check_expansion(const spec::GridPlan& plan, std::size_t seeds, const spec::Node* grid, const std::filesystem::path& file) {
  std::size_t runs = std::max<std::size_t>(seeds, 1);
  std::string factors = std::to_string(runs) + (runs == 1 ? " seed" : " seeds");
  bool over = runs > kMaxRuns;
  for (const spec::GridDim& d : plan.dims) {
    factors += " x " + std::to_string(d.size());
    over = over || (d.size() != 0 && runs > kMaxRuns / d.size());
    runs = over ? kMaxRuns + 1 : runs * d.size();
  }
  if (!over && runs <= kMaxRuns) return;
  const std::string where = grid != nullptr ? grid->at.prefix() : file.string() + ": ";
  throw ConfigError(where + "the experiment expands to " + factors + " = more than " + std::to_string(kMaxRuns) +
                    " runs (the limit); split it into several experiment files");
}
}  // namespace

Experiment load_experiment(const std::filesystem::path& file,
                           const std::vector<std::string>& set_overrides) {
  spec::Node doc = spec::load_document(file);
  const std::vector<std::string> fixed = spec::apply_overrides(doc, set_overrides);

  spec::Errors errors;
  const spec::GridPlan plan = spec::read_grid(doc.find("grid"), fixed, errors);
  errors.throw_if_any();
  const spec::Node* seeds_node = doc.find("experiment") ? doc.find("experiment")->find("seeds") : nullptr;
  check_expansion(plan, seeds_node && seeds_node->kind == spec::Node::Kind::Array ? seeds_node->items.size() : 1,
                  doc.find("grid"), file);
  doc.erase("grid");

  Experiment experiment;
  experiment.file = file;
  for (const spec::GridDim& d : plan.dims) {
    for (const spec::GridAxis& a : d.axes) experiment.grid_axes.push_back(a.key);
  }
  experiment.grid_axes.push_back("seed");

  for (const std::vector<std::size_t>& cell : spec::grid_cells(plan)) {
    const spec::Node cell_doc = spec::apply_cell(doc, plan, cell);
    std::vector<std::uint64_t> seeds;
    RunSpec base = spec::read_sections(cell_doc, file.string(), seeds, errors);
    errors.throw_if_any();
    fill_data_identity(base);
    for (std::size_t d = 0; d < plan.dims.size(); ++d) {
      for (const spec::GridAxis& a : plan.dims[d].axes) {
        base.grid.emplace_back(a.key, spec::coordinate_text(a.values[cell[d]]));
      }
    }
    for (const std::uint64_t seed : seeds) {
      RunSpec run = base;
      run.seed = seed;
      run.index = experiment.runs.size();
      run.grid.emplace_back("seed", std::to_string(seed));
      set_identity(run, canonical_config(run));
      experiment.runs.push_back(std::move(run));
    }
  }
  experiment.name = experiment.runs.front().experiment;
  experiment.output_dir = experiment.runs.front().output_dir;
  check_distinct(experiment);
  return experiment;
}

Experiment load_experiment(const std::filesystem::path& file,
                           const std::vector<std::string>& set_overrides,
                           const SchemaLookup& schema_of) {
  Experiment experiment = load_experiment(file, set_overrides);
  for (RunSpec& run : experiment.runs) finalize_run(run, schema_of(run));
  check_distinct(experiment);
  return experiment;
}

Params resolve_model_params(const RunSpec& run, const Schema& schema) {
  spec::Errors errors;
  std::vector<std::string> siblings = {"model.plugin", "model.path"};
  for (const ParamSpec& p : schema) siblings.push_back("model." + p.name);
  std::map<std::string, ParamValue> given;
  for (const auto& [key, located] : run.model_params) {
    const std::string qualified = "model." + key;
    if (const ParamSpec* spec = find_param(schema, key)) {
      if (auto value = spec::check_param(*spec, located.value, qualified, located.location, errors)) {
        given[key] = std::move(*value);
      }
    } else {
      errors.add(located.key_location, spec::unknown_key_message(qualified, siblings, {}) +
                                       " (plugin '" + run.plugin + "')");
    }
  }
  errors.throw_if_any();
  return Params::with_defaults(schema, std::move(given));
}

Params finalize_run(RunSpec& run, const Schema& schema) {
  Params params = resolve_model_params(run, schema);
  run.params = params;
  set_identity(run, canonical_config(run, params));
  return params;
}

void check_optimizer_groups(const RunSpec& run, const std::vector<std::string>& plugin_groups) {
  for (const auto& [group, spec] : run.train.optimizer_groups) {
    if (std::find(plugin_groups.begin(), plugin_groups.end(), group) != plugin_groups.end()) continue;
    std::string list;
    for (const std::string& g : plugin_groups) list += (list.empty() ? "" : ", ") + g;
    std::string message = run.spec_file.string() + ": [train.optimizer." + group + "]: plugin '" +
                          run.plugin + "' has no optimizer group '" + group + "' (its groups: " +
                          (list.empty() ? "none" : list) + ")";
    const std::string near = nearest_key(group, plugin_groups);
    if (!near.empty()) message += "; did you mean '" + near + "'?";
    throw ConfigError(message);
  }
}

}  // namespace genlab
