// One resolved document -> RunSpec: each harness table is checked against its Schema
// (schemas.cpp) with check_param, then the rules that span keys (exactly one of epochs/steps,
// seed vs seeds, validation < limit, ...). Plugin hyper-parameters are only converted here;
// they are checked against the plugin's schema later (experiment.cpp).
#include "spec/sections.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "genlab/data.hpp"
#include "spec/toml_text.hpp"

namespace genlab::spec {

namespace {
// A harness table read against its schema: defaults filled, and where each written key was.
struct Section {
  Params values;
  std::map<std::string, Location> given;  // keys written with a valid value
};

const Schema& schema_named(const std::string& section) {
  for (const SectionSchema& s : harness_sections()) {
    if (s.section == section) return s.schema;
  }
  static const Schema none;
  return none;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// `table` checked against `schema`; its keys are named `prefix.key` in messages. Entries named
// in `children` are left to the caller; anything else unknown is an error with a suggestion.
Section read_table(const Node* table, const std::string& prefix, const Schema& schema,
                   const std::vector<std::string>& children, Errors& errors) {
  Section out;
  std::map<std::string, ParamValue> values;
  if (table && !table->is_table()) {
    errors.add(table->at, prefix + " must be a table (got " + describe_node(*table) + ")");
    table = nullptr;
  }
  std::vector<std::string> siblings;
  for (const ParamSpec& p : schema) siblings.push_back(prefix + "." + p.name);
  for (const std::string& c : children) siblings.push_back(prefix + "." + c);
  static const decltype(Node::entries) no_entries;
  for (const auto& [key, node] : table ? table->entries : no_entries) {
    const std::string qualified = prefix + "." + key;
    if (const ParamSpec* spec = find_param(schema, key)) {
      const std::optional<ParamValue> raw = to_param_value(node);
      if (!raw) {
        errors.add(node.at, qualified + " must be " + expected_phrase(spec->type) + " (got " +
                                describe_node(node) + ")");
      } else if (auto value = check_param(*spec, *raw, qualified, node.at, errors)) {
        values[key] = std::move(*value);
        out.given[key] = node.at;
      }
    } else if (!contains(children, key)) {
      errors.add(node.key_at, unknown_key_message(qualified, siblings, all_harness_keys()));
    }
  }
  out.values = Params::with_defaults(schema, std::move(values));
  return out;
}

Section read_section(const Node& doc, const std::string& section,
                     const std::vector<std::string>& children, Errors& errors) {
  return read_table(doc.find(section), section, schema_named(section), children, errors);
}

bool written(const Node* table, const std::string& key) {
  return table && table->is_table() && table->find(key);
}

// "Exactly one of a / b > 0" (need_one) or "at most one". A key left out while its partner is
// written counts as 0, so `steps = 500` alone means training by steps.
void exclusive_pair(Section& s, const std::string& section, const std::string& a,
                    const std::string& b, bool need_one, const Location& file_at, Errors& errors) {
  const bool a_given = s.given.count(a) != 0, b_given = s.given.count(b) != 0;
  if (a_given != b_given) s.values.set(a_given ? b : a, std::int64_t{0});
  const std::int64_t va = s.values.get_int(a), vb = s.values.get_int(b);
  const std::string qa = section + "." + a, qb = section + "." + b;
  if (va > 0 && vb > 0) {
    errors.add(s.given.at(b), qb + " = " + std::to_string(vb) + " and " + qa + " = " +
                                  std::to_string(va) + " (" + s.given.at(a).where +
                                  ") are both > 0; set exactly one of them, the other to 0");
  } else if (need_one && va == 0 && vb == 0) {
    const Location at = b_given ? s.given.at(b) : a_given ? s.given.at(a) : file_at;
    errors.add(at, "one of " + qa + " / " + qb + " must be > 0");
  }
}

OptimizerSpec optimizer_from(const Params& p) {
  OptimizerSpec o;
  o.name = p.get_string("name");
  o.lr = p.get_float("lr");
  o.beta1 = p.get_float("beta1");
  o.beta2 = p.get_float("beta2");
  o.eps = p.get_float("eps");
  o.weight_decay = p.get_float("weight_decay");
  o.momentum = p.get_float("momentum");
  o.alpha = p.get_float("alpha");
  o.nesterov = p.get_bool("nesterov");
  return o;
}

// Nesterov momentum without momentum is meaningless (PyTorch refuses it too). Checked where one
// of the keys involved is written, so a group does not repeat its base table's error.
void check_nesterov(const OptimizerSpec& o, const std::string& prefix, const Section& s,
                    Errors& errors) {
  if (!o.nesterov || o.name != "sgd" || o.momentum != 0.0) return;
  for (const char* key : {"nesterov", "momentum", "name"}) {
    const auto it = s.given.find(key);
    if (it == s.given.end()) continue;
    errors.add(it->second, prefix + ".nesterov = true needs " + prefix + ".momentum > 0");
    return;
  }
}

void read_experiment(const Node& doc, const Location& file_at, RunSpec& run,
                     std::vector<std::uint64_t>& seeds, Errors& errors) {
  const Node* table = doc.find("experiment");
  Section s = read_section(doc, "experiment", {}, errors);
  run.experiment = s.values.get_string("name");
  if (!written(table, "name")) {
    errors.add(file_at, "missing required key 'experiment.name' (write it under [experiment])");
  } else if (s.given.count("name") && !is_bare_key(run.experiment)) {
    errors.add(s.given.at("name"), "experiment.name must match [A-Za-z0-9_-]+ (got " +
                                       quote_string(run.experiment) + ")");
  }
  run.output_dir = s.values.get_string("output");
  if (s.given.count("output") && run.output_dir.empty()) {
    errors.add(s.given.at("output"), "experiment.output must not be empty");
  }
  std::vector<std::int64_t> list = s.values.get_int_list("seeds");
  if (s.given.count("seed")) {
    if (s.given.count("seeds")) {
      errors.add(s.given.at("seed"), "experiment.seed and experiment.seeds (" +
                                         s.given.at("seeds").where + ") are both set; keep one");
    }
    list = {s.values.get_int("seed")};
  } else if (list.empty()) {
    errors.add(s.given.at("seeds"), "experiment.seeds must not be empty");
  }
  seeds.clear();
  std::set<std::int64_t> seen;  // linear-log: a list of 10^6 seeds is checked in a blink
  for (const std::int64_t seed : list) {
    if (!seen.insert(seed).second) {
      errors.add(s.given.at("seeds"), "experiment.seeds lists seed " + std::to_string(seed) + " twice");
    }
    seeds.push_back(static_cast<std::uint64_t>(seed));
  }
}

void read_data(const Node& doc, RunSpec& run, Errors& errors) {
  Section s = read_section(doc, "data", {}, errors);
  run.data_name = s.values.get_string("name");
  run.data_path = s.values.get_string("path");
  run.data_identity = s.values.get_string("identity");
  const std::int64_t limit = s.values.get_int("limit"), validation = s.values.get_int("validation");
  run.data_limit = static_cast<std::size_t>(limit);
  run.data_validation = static_cast<std::size_t>(validation);
  run.data_flip = s.values.get_string("flip");
  run.data_classes = s.values.get_int_list("classes");
  run.data_paired = s.values.get_bool("paired");
  if (s.given.count("classes") && (run.data_classes.size() != 2 || run.data_classes[0] == run.data_classes[1])) {
    errors.add(s.given.at("classes"),
               "data.classes must list two different classes (class of A, class of B), e.g. [7, 9]");
  }
  if (limit > 0 && validation >= limit) {
    errors.add(s.given.at("validation"), "data.validation = " + std::to_string(validation) +
                                             " must be smaller than data.limit = " +
                                             std::to_string(limit));
  }
}

void read_model(const Node& doc, const Location& file_at, RunSpec& run, Errors& errors) {
  const Node* table = doc.find("model");
  std::vector<std::string> hyper;  // every key but plugin/path is a plugin hyper-parameter
  if (table && table->is_table()) {
    for (const auto& [key, node] : table->entries) {
      if (key != "plugin" && key != "path") hyper.push_back(key);
    }
  }
  Section s = read_section(doc, "model", hyper, errors);
  run.plugin = s.values.get_string("plugin");
  run.plugin_path = s.values.get_string("path");
  run.plugin_at = s.given.count("path") ? s.given.at("path") : s.given.count("plugin") ? s.given.at("plugin") : file_at;
  if (!written(table, "plugin")) {
    errors.add(file_at, "missing required key 'model.plugin' (write it under [model])");
  } else if (s.given.count("plugin") && run.plugin.empty()) {
    errors.add(s.given.at("plugin"), "model.plugin must not be empty");
  }
  run.model_params.clear();
  for (const std::string& key : hyper) {
    const Node& node = *table->find(key);
    if (auto value = to_param_value(node)) {
      run.model_params[key] = LocatedParam{std::move(*value), node.at, node.key_at};
    } else {
      errors.add(node.at, "model." + key +
                              " must be a bool, number, string or array of numbers (got " +
                              describe_node(node) + ")");
    }
  }
}

void read_optimizer(const Node* train, TrainSpec& out, Errors& errors) {
  const Node* table = train && train->is_table() ? train->find("optimizer") : nullptr;
  const Schema& schema = schema_named("train.optimizer");
  std::vector<std::string> groups;  // sub-tables that are not optimizer keys name groups
  if (table && table->is_table()) {
    for (const auto& [key, node] : table->entries) {
      if (node.is_table() && !find_param(schema, key)) groups.push_back(key);
    }
  }
  const Section base = read_table(table, "train.optimizer", schema, groups, errors);
  out.optimizer = optimizer_from(base.values);
  check_nesterov(out.optimizer, "train.optimizer", base, errors);
  out.optimizer_groups.clear();
  for (const std::string& group : groups) {
    const std::string prefix = "train.optimizer." + group;
    const Section own = read_table(table->find(group), prefix, schema, {}, errors);
    Params merged = base.values;
    for (const auto& [key, at] : own.given) merged.set(key, own.values.at(key));
    out.optimizer_groups[group] = optimizer_from(merged);
    check_nesterov(out.optimizer_groups[group], prefix, own, errors);
  }
}

void read_train(const Node& doc, const Location& file_at, RunSpec& run, Errors& errors) {
  Section s = read_section(doc, "train", {"optimizer", "schedule"}, errors);
  exclusive_pair(s, "train", "epochs", "steps", true, file_at, errors);
  TrainSpec& t = run.train;
  t.epochs = s.values.get_int("epochs");
  t.steps = s.values.get_int("steps");
  t.batch_size = static_cast<std::size_t>(s.values.get_int("batch_size"));
  t.clip_grad_norm = s.values.get_float("clip_grad_norm");
  const Node* train = doc.find("train");
  read_optimizer(train, t, errors);
  const Node* schedule = train && train->is_table() ? train->find("schedule") : nullptr;
  const Section sch = read_table(schedule, "train.schedule", schema_named("train.schedule"), {}, errors);
  t.schedule.name = sch.values.get_string("name");
  t.schedule.step_size = sch.values.get_int("step_size");
  t.schedule.gamma = sch.values.get_float("gamma");
  t.schedule.end_factor = sch.values.get_float("end_factor");
}

void read_eval(const Node& doc, const Location& file_at, RunSpec& run, Errors& errors) {
  Section s = read_section(doc, "eval", {}, errors);
  exclusive_pair(s, "eval", "every_epochs", "every_steps", true, file_at, errors);
  run.eval.every_epochs = s.values.get_int("every_epochs");
  run.eval.every_steps = s.values.get_int("every_steps");
  run.eval.batch_size = static_cast<std::size_t>(s.values.get_int("batch_size"));
  run.eval.samples = static_cast<std::size_t>(s.values.get_int("samples"));
  run.eval.heavy_metrics = s.values.get_string("heavy_metrics");
  run.eval.iwae_k = static_cast<std::size_t>(s.values.get_int("iwae_k"));
  run.eval.iwae_images = static_cast<std::size_t>(s.values.get_int("iwae_images"));
  run.eval.classifier = s.values.get_string("classifier");
  run.eval.fid_samples = static_cast<std::size_t>(s.values.get_int("fid_samples"));
  run.eval.pr_k = static_cast<std::size_t>(s.values.get_int("pr_k"));
}

void read_run(const Node& doc, const Location& file_at, RunSpec& run, Errors& errors) {
  Section s = read_section(doc, "run", {}, errors);
  exclusive_pair(s, "run", "checkpoint_every_epochs", "checkpoint_every_steps", false, file_at,
                 errors);
  ExecutionSpec& e = run.execution;
  e.threads = static_cast<int>(std::min<std::int64_t>(s.values.get_int("threads"), 1 << 16));
  e.float_mode = s.values.get_string("float_mode");
  e.checkpoint_every_epochs = s.values.get_int("checkpoint_every_epochs");
  e.checkpoint_every_steps = s.values.get_int("checkpoint_every_steps");
  e.time_budget_s = s.values.get_float("time_budget_s");
  e.log_every_steps = s.values.get_int("log_every_steps");
  e.stop_after_steps = s.values.get_int("stop_after_steps");
  e.portable = s.values.get_bool("portable");
}

void read_reference(const Node& doc, RunSpec& run, Errors& errors) {
  run.reference_toml.clear();
  const Node* reference = doc.find("reference");
  if (!reference) return;
  if (!reference->is_table() && reference->kind != Node::Kind::Array) {
    errors.add(reference->at,
               "reference must be a table or an array (got " + describe_node(*reference) + ")");
    return;
  }
  Node root = make_table({});
  root.put("reference", *reference);
  run.reference_toml = render_document(root);
}

void check_top_level(const Node& doc, Errors& errors) {
  static const std::vector<std::string> known = {"experiment", "data", "model", "train",
                                                 "eval",       "run",  "grid",  "reference"};
  for (const auto& [key, node] : doc.entries) {
    if (!contains(known, key)) {
      errors.add(node.key_at, unknown_key_message(key, known, all_harness_keys()));
    }
  }
}
}  // namespace

RunSpec read_sections(const Node& doc, const std::string& file, std::vector<std::uint64_t>& seeds,
                      Errors& errors) {
  const Location file_at{file};
  RunSpec run;
  run.spec_file = file;
  check_top_level(doc, errors);
  read_experiment(doc, file_at, run, seeds, errors);
  read_data(doc, run, errors);
  read_model(doc, file_at, run, errors);
  read_train(doc, file_at, run, errors);
  read_eval(doc, file_at, run, errors);
  read_run(doc, file_at, run, errors);
  read_reference(doc, run, errors);
  return run;
}

}  // namespace genlab::spec

namespace genlab {

DataOptions data_options_of(const RunSpec& run) {
  DataOptions o;
  o.name = run.data_name;
  o.path = run.data_path;
  o.limit = run.data_limit;
  o.validation = run.data_validation;
  o.flip = run.data_flip;
  o.classes = run.data_classes;
  o.paired = run.data_paired;
  return o;
}

}  // namespace genlab
