// The harness sections described as Schemas, so one validator (check.cpp) serves both them and
// plugin hyper-parameters, and `genlab` can print every key with its default and doc. Defaults
// here must match the member initialisers in spec.hpp (a unit test compares them).
#include <string>
#include <vector>

#include "genlab/data.hpp"
#include "genlab/spec.hpp"
#include "spec/sections.hpp"
#include "spec/toml_text.hpp"

namespace genlab {


namespace {
// Upper bounds that keep every product of counts (steps x batch, epochs x steps per epoch) far
// from int64 overflow and every buffer allocatable; floats are also checked finite (check.cpp).
constexpr double kMaxCount = 1e9;
constexpr double kMaxBatch = 1 << 16;

Schema experiment_schema() {
  return {
      string_param("name", "", "required; [A-Za-z0-9_-]+; results go to <output>/<name>/"),
      string_param("output", "results", "results folder, relative to the working directory"),
      int_list_param("seeds", {0}, "the repeat axis: every grid cell runs once per seed").at_least(0),
      int_param("seed", 0, "a single seed, instead of seeds").at_least(0),
  };
}

Schema data_schema() {
  return {
      string_param("name", "fashion_mnist", "data set").one_of(dataset_names()),
      string_param("path", "/usr/share/datasets/fashion-mnist", "folder of the Fashion-MNIST files"),
      int_param("limit", 0, "use the first N train (and N test) samples; 0 = all").at_least(0).at_most(kMaxCount),
      int_param("validation", 0, "train samples held out as a validation split").at_least(0).at_most(kMaxCount),
      string_param("identity", "",
                   "content hash of the data (part of the run id); \"\" = computed from the files or "
                   "generator; a value given must match the data when the run loads it"),
      string_param("flip", "mirror", "fashion_flip: B = A mirrored left-right or rotated 90 degrees clockwise")
          .one_of({"mirror", "rot90"}),
      int_list_param("classes", {7, 9}, "fashion_classes: the class of domain A and of domain B (7 sneaker, 9 ankle boot)")
          .at_least(0).at_most(9),
      bool_param("paired", false, "two-domain transform sets: train on pairs (a, T(a)) (the supervised baseline)"),
  };
}

Schema model_schema() {
  return {
      string_param("plugin", "", "required; the model plugin's name"),
      string_param("path", "", "explicit path to the plugin .so; empty = search by name"),
  };
}

Schema train_schema() {
  return {
      int_param("epochs", 10, "passes over the training set (exactly one of epochs/steps > 0)")
          .at_least(0).at_most(1e6),
      int_param("steps", 0, "optimisation steps (exactly one of epochs/steps > 0)").at_least(0).at_most(kMaxCount),
      int_param("batch_size", 128, "training batch size").at_least(1).at_most(kMaxBatch),
      float_param("clip_grad_norm", 0.0, "clip the global gradient L2 norm; 0 = off").at_least(0),
  };
}

Schema optimizer_schema() {
  return {
      string_param("name", "adam", "optimizer").one_of({"adam", "adamw", "sgd", "rmsprop"}),
      float_param("lr", 1e-3, "learning rate").greater_than(0).at_most(1e30),
      float_param("beta1", 0.9, "Adam first-moment decay").at_least(0).less_than(1),
      float_param("beta2", 0.999, "Adam second-moment decay").at_least(0).less_than(1),
      float_param("eps", 1e-8, "Adam/RMSProp denominator term").greater_than(0),
      float_param("weight_decay", 0.0, "L2 penalty (decoupled for adamw)").at_least(0),
      float_param("momentum", 0.0, "SGD/RMSProp momentum").at_least(0).less_than(1),
      float_param("alpha", 0.99, "RMSProp smoothing constant").at_least(0).at_most(1),
      bool_param("nesterov", false, "Nesterov momentum (sgd, needs momentum > 0)"),
  };
}

Schema schedule_schema() {
  return {
      string_param("name", "constant", "learning-rate schedule (constant_linear: constant for the first half, then linear)")
          .one_of({"constant", "step", "linear", "constant_linear"}),
      int_param("step_size", 1000, "step: multiply lr by gamma every step_size steps").at_least(1).at_most(kMaxCount),
      float_param("gamma", 0.5, "step: decay factor").greater_than(0),
      float_param("end_factor", 0.0, "linear: lr decays to lr * end_factor at the last step")
          .at_least(0),
  };
}

Schema eval_schema() {
  return {
      int_param("every_epochs", 1, "evaluate every N epochs (exactly one of every_* > 0)").at_least(0).at_most(kMaxCount),
      int_param("every_steps", 0, "evaluate every N steps (exactly one of every_* > 0)").at_least(0).at_most(kMaxCount),
      int_param("batch_size", 500, "evaluation batch size").at_least(1).at_most(kMaxBatch),
      int_param("samples", 64, "images sampled at each evaluation").at_least(0).at_most(10000),
      string_param("heavy_metrics", "final",
                   "when IWAE and classifier metrics run: at the final evaluation or at every one")
          .one_of({"final", "every"}),
      int_param("iwae_k", 5000, "importance samples of the IWAE bound; 0 = off").at_least(0).at_most(1e6),
      int_param("iwae_images", 1000, "test images the IWAE bound is averaged over").at_least(1).at_most(kMaxCount),
      string_param("classifier", "",
                   "reference classifier run file (.h5) for FID, precision/recall, conditional accuracy; "
                   "\"\" = off"),
      int_param("fid_samples", 10000, "generated samples compared with the test images").at_least(2).at_most(1e6),
      int_param("pr_k", 3, "k of the k-NN manifolds of precision/recall").at_least(1).at_most(1000),
  };
}

Schema run_schema() {
  return {
      int_param("threads", 1, "BLAS threads for this run").at_least(1).at_most(1024),
      string_param("float_mode", "ftz_daz",
                   "ftz_daz: flush subnormal floats to zero (fast; results defined under it); "
                   "ieee: keep IEEE subnormals (about 2x slower once values underflow)")
          .one_of({"ftz_daz", "ieee"}),
      int_param("checkpoint_every_epochs", 1,
                "checkpoint every N epochs (both checkpoint_every_* = 0: only at evaluations)")
          .at_least(0).at_most(kMaxCount),
      int_param("checkpoint_every_steps", 0, "checkpoint every N steps").at_least(0).at_most(kMaxCount),
      float_param("time_budget_s", 0.0, "stop the run after this many seconds; 0 = none")
          .at_least(0).at_most(1e9),
      int_param("log_every_steps", 50,
                "print a progress line every N steps (metrics are recorded at every step)")
          .at_least(1).at_most(kMaxCount),
      int_param("stop_after_steps", 0,
                "checkpoint and stop (resumable) once this many steps are done; 0 = never")
          .at_least(0).at_most(kMaxCount),
      bool_param("portable", false,
                 "pin the BLAS kernel (OpenBLAS Haswell) and genlab's ISA choices to what every x86-64 "
                 "CPU with AVX2 + FMA runs: the same bits on any such machine (slower on AVX-512 CPUs)"),
  };
}
}  // namespace

const std::vector<SectionSchema>& harness_sections() {
  static const std::vector<SectionSchema> sections = {
      {"experiment", experiment_schema()}, {"data", data_schema()},
      {"model", model_schema()},           {"train", train_schema()},
      {"train.optimizer", optimizer_schema()}, {"train.schedule", schedule_schema()},
      {"eval", eval_schema()},             {"run", run_schema()},
  };
  return sections;
}

namespace spec {

const std::vector<std::string>& all_harness_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    for (const SectionSchema& s : harness_sections()) {
      out.push_back(s.section);
      for (const ParamSpec& p : s.schema) out.push_back(s.section + "." + p.name);
    }
    out.push_back("grid");
    out.push_back("grid.product");
    out.push_back("grid.zip");
    out.push_back("reference");
    return out;
  }();
  return keys;
}

namespace {
std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

const Schema* section_schema(const std::string& section) {
  for (const SectionSchema& s : harness_sections()) {
    if (s.section == section) return &s.schema;
  }
  return nullptr;
}

std::vector<std::string> qualified_keys(const std::string& section) {
  std::vector<std::string> out;
  if (const Schema* schema = section_schema(section)) {
    for (const ParamSpec& p : *schema) out.push_back(section + "." + p.name);
  }
  return out;
}
}  // namespace

std::string grid_axis_problem(const std::string& key) {
  const std::vector<std::string> parts = split_key(key);
  for (const std::string& p : parts) {
    if (!is_bare_key(p)) {
      return "grid axis '" + key + "' must be a dotted key of plain names, such as \"model.beta\"";
    }
  }
  const std::string& head = parts[0];
  if (head == "experiment") {
    return "experiment." + (parts.size() > 1 ? parts[1] : std::string()) +
           " cannot be a grid axis (repeats are experiment.seeds)";
  }
  if (head == "model") {
    if (parts.size() == 2) return "";  // plugin hyper-parameters are checked with the plugin
    return "grid axis '" + key + "' must be model.<hyper-parameter> (plugin values are not nested)";
  }
  if (parts.size() == 4 && head == "train" && parts[1] == "optimizer") {
    // A per-group override: train.optimizer.<group>.<key>
    if (find_param(optimizer_schema(), parts[3])) return "";
    return unknown_key_message(key, {}, {}) + " (per-group optimizer keys: " +
           [] {
             std::string names;
             for (const ParamSpec& p : optimizer_schema()) names += (names.empty() ? "" : ", ") + p.name;
             return names;
           }() + ")";
  }
  if (parts.size() >= 2) {
    const std::string section = key.substr(0, key.rfind('.'));
    if (const Schema* schema = section_schema(section)) {
      if (section != "model" && find_param(*schema, parts.back())) return "";
    }
  }
  std::vector<std::string> siblings;
  if (parts.size() >= 2) siblings = qualified_keys(key.substr(0, key.rfind('.')));
  if (siblings.empty()) {
    for (const SectionSchema& s : harness_sections()) {
      if (s.section == "experiment" || s.section == "model") continue;
      for (const ParamSpec& p : s.schema) siblings.push_back(s.section + "." + p.name);
    }
  }
  return "grid axis: " + unknown_key_message(key, siblings, all_harness_keys());
}

}  // namespace spec
}  // namespace genlab
