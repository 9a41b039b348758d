// The experiment spec: a TOML file (with `extends` and `--set` overrides) validated with source
// locations and expanded into one RunSpec per grid cell and seed, each with a stable run id.
// It does not load plugins, data or result files: the runner checks plugin hyper-parameters
// with resolve_model_params()/finalize_run() once it knows the plugin's Schema.
// Format, defaults, expansion order and run-id rules: docs/EXPERIMENTS.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "genlab/params.hpp"

namespace genlab {

// Where a value came from: "exp.toml:12:5", "--set model.beta=2", "default".
struct Location {
  std::string where;
  // "exp.toml:12:5: " (empty where => "")
  std::string prefix() const { return where.empty() ? std::string() : where + ": "; }
};

struct OptimizerSpec {
  std::string name = "adam";  // adam | adamw | sgd | rmsprop
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0, momentum = 0.0,
         alpha = 0.99;
  bool nesterov = false;
};

struct ScheduleSpec {
  std::string name = "constant";  // constant | step | linear
  std::int64_t step_size = 1000;  // step: lr * gamma^(step / step_size)
  double gamma = 0.5;
  double end_factor = 0.0;        // linear: lr -> lr * end_factor over the run
};

// [train]: exactly one of epochs / steps is > 0.
struct TrainSpec {
  std::int64_t epochs = 10, steps = 0;
  std::size_t batch_size = 128;
  double clip_grad_norm = 0.0;  // 0 = off
  OptimizerSpec optimizer;      // [train.optimizer]
  std::map<std::string, OptimizerSpec> optimizer_groups;  // [train.optimizer.<group>], resolved
  ScheduleSpec schedule;        // [train.schedule]
};

// [eval]: exactly one of every_epochs / every_steps is > 0.
struct EvalSpec {
  std::int64_t every_epochs = 1, every_steps = 0;
  std::size_t batch_size = 500;
  std::size_t samples = 64;  // images sampled at each evaluation
  std::string heavy_metrics = "final";  // IWAE/classifier metrics: "final" evaluation or "every"
  std::size_t iwae_k = 5000;            // 0 = no IWAE bound
  std::size_t iwae_images = 1000;
  std::string classifier;               // reference classifier run file; "" = none
  std::size_t fid_samples = 10000;
  std::size_t pr_k = 3;
};

// [run]: how to execute, not what to compute: excluded from the config text and the run id.
struct ExecutionSpec {
  int threads = 1;
  std::string float_mode = "ftz_daz";  // "ftz_daz" | "ieee" (genlab/float_mode.hpp); recorded in the run file
  std::int64_t checkpoint_every_epochs = 1, checkpoint_every_steps = 0;  // both 0: at evaluations
  double time_budget_s = 0.0;  // 0 = none
  std::int64_t log_every_steps = 50;
  std::int64_t stop_after_steps = 0;  // > 0: checkpoint and stop once this many steps are done
  bool portable = false;  // pinned BLAS kernel and ISA (genlab/portable.hpp); recorded in the run file
};

// A plugin hyper-parameter as written, with where it was written.
struct LocatedParam {
  ParamValue value;
  Location location;      // of the value: type and range errors point here
  Location key_location;  // of the key: unknown-key errors point here
};

struct RunSpec {
  std::string experiment;       // [experiment] name
  std::string run_id;           // 12 hex chars = run_id_of(config_text)
  std::uint64_t seed = 0;
  std::size_t index = 0;        // position in the expansion order (0-based)
  std::string config_text;      // canonical resolved TOML (see canonical_config)
  // This cell's coordinates in axis order, e.g. {"model.beta", "2.0"}, then {"seed", "1"}.
  // Values are TOML spellings, except strings, which are unquoted.
  std::vector<std::pair<std::string, std::string>> grid;
  std::filesystem::path spec_file;    // the experiment file given to load_experiment
  std::filesystem::path output_dir;   // [experiment] output
  std::filesystem::path output_file;  // <output>/<experiment>/<run_id>.h5

  // [data]
  std::string data_name;
  std::filesystem::path data_path;
  std::size_t data_limit = 0, data_validation = 0;
  std::string data_identity;  // data.identity: the content hash of the data (data_identity()), part of the run id
  std::string data_flip = "mirror";                  // fashion_flip only
  std::vector<std::int64_t> data_classes = {7, 9};   // fashion_classes only
  bool data_paired = false;                          // two-domain transform sets only

  // [model]
  std::string plugin;
  std::filesystem::path plugin_path;                  // "" = find the plugin by name
  Location plugin_at;                                 // where model.plugin (or model.path) was written
  std::map<std::string, LocatedParam> model_params;   // as written, unchecked until finalize_run
  std::optional<Params> params;                       // set by finalize_run: checked + defaults

  TrainSpec train;
  EvalSpec eval;
  ExecutionSpec execution;

  std::string reference_toml;  // "[reference]\n..." as TOML text, or ""

  // The default optimizer with the per-group overrides of `group` applied.
  OptimizerSpec optimizer_for(const std::string& group) const;
};

// The data options of a run's [data] section (load_data's input).
struct DataOptions;
DataOptions data_options_of(const RunSpec& run);

struct Experiment {
  std::filesystem::path file;
  std::string name;
  std::filesystem::path output_dir;
  std::vector<std::string> grid_axes;  // axis keys in expansion order, then "seed"
  std::vector<RunSpec> runs;           // in expansion order
};

// Reads, extends, overrides (`key=value`, value as a TOML value or else a bare string),
// validates and expands `file`. Throws ConfigError; every message starts with its location.
// Runs carry config_text/run_id computed from the model parameters as written.
Experiment load_experiment(const std::filesystem::path& file,
                           const std::vector<std::string>& set_overrides = {});

// The plugin's schema for a run (the runner loads the plugin named by run.plugin/plugin_path).
using SchemaLookup = std::function<Schema(const RunSpec&)>;
// Same, then finalize_run() on every run with schema_of(run); duplicate runs are an error.
Experiment load_experiment(const std::filesystem::path& file,
                           const std::vector<std::string>& set_overrides,
                           const SchemaLookup& schema_of);

// Checks run.model_params against the plugin's schema (unknown key with a suggestion, type,
// range, choices; each error located) and fills defaults. Ints are accepted for floats.
Params resolve_model_params(const RunSpec& run, const Schema& schema);
// resolve_model_params, then stores the Params in run.params and recomputes config_text (with
// the plugin defaults filled), run_id and output_file. Returns the Params.
Params finalize_run(RunSpec& run, const Schema& schema);
// ConfigError if the spec has per-group optimizer overrides for a group the plugin lacks.
void check_optimizer_groups(const RunSpec& run, const std::vector<std::string>& plugin_groups);

// Canonical TOML of everything that determines a run's results: sorted keys, defaults filled,
// the grid cell's values and the seed applied; no [grid], [reference], [run], output, data.path
// or model.path. The first overload uses model_params as written, the second `params`.
std::string canonical_config(const RunSpec& run);
std::string canonical_config(const RunSpec& run, const Params& params);
// First 12 hex chars of SHA-256(config_text).
std::string run_id_of(const std::string& config_text);

// The candidate closest to `key` by edit distance (transpositions count 1), or "" if none is
// close enough to be a plausible typo.
std::string nearest_key(const std::string& key, const std::vector<std::string>& candidates);

// The harness sections as schemas ("experiment", "data", "model", "train", "train.optimizer",
// "train.schedule", "eval", "run"), for documentation and `genlab` help output.
struct SectionSchema {
  std::string section;
  Schema schema;
};
const std::vector<SectionSchema>& harness_sections();

}  // namespace genlab
