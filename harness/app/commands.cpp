// Implementation of the genlab subcommands: argument meaning, output formatting, exit codes.
// The work itself lives in libgenlab (spec, executor, runner, store, loader).
#include "commands.hpp"

#include <unistd.h>

#include <cstdlib>
#include <set>
#include <iostream>

#include "genlab/error.hpp"
#include "genlab/analysis/watch.hpp"
#include "genlab/executor.hpp"
#include "genlab/loader.hpp"
#include "genlab/reference_classifier.hpp"
#include "genlab/store.hpp"
#include "genlab/table.hpp"

namespace genlab::cli {

namespace {
std::string coords_of(const RunSpec& r) {
  std::string s;
  for (const auto& [k, v] : r.grid) s += (s.empty() ? "" : " ") + k + "=" + v;
  return s;
}

void parse_shard(const std::string& text, ExecutorOptions& o) {
  std::string spec = text;
  if (spec.empty()) {
    const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    if (!id || !count) return;
    spec = std::string(id) + "/" + count;
  }
  const auto slash = spec.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no '/'");
    o.shard_index = std::stoul(spec.substr(0, slash));
    o.shard_count = std::stoul(spec.substr(slash + 1));
  } catch (const std::exception&) {
    throw ConfigError("--shard: expected K/N with 0 <= K < N (got '" + spec + "')");
  }
  if (o.shard_count == 0 || o.shard_index >= o.shard_count) {
    throw ConfigError("--shard: expected K/N with 0 <= K < N (got '" + spec + "')");
  }
}

Table summary_table(const GridOutcome& outcome) {
  std::set<std::string> metric_names;
  for (const auto& [spec, r] : outcome.results) {
    for (const auto& [k, v] : r.final_eval) metric_names.insert(k);
  }
  Table t;
  t.header = {"run", "cell", "status"};
  t.header.insert(t.header.end(), metric_names.begin(), metric_names.end());
  for (const auto& [spec, r] : outcome.results) {
    std::vector<std::string> row{spec->run_id, coords_of(*spec), run_status_str(r.status)};
    for (const auto& m : metric_names) row.push_back(r.final_eval.count(m) ? format_number(r.final_eval.at(m)) : "");
    t.rows.push_back(std::move(row));
  }
  return t;
}
}  // namespace

int cmd_run(const RunArgs& args, const std::string& self_exe) {
  Experiment e = load_and_validate(args.experiment, args.sets);
  if (!args.only.empty()) {
    std::erase_if(e.runs, [&](const RunSpec& r) { return r.run_id != args.only; });
    if (e.runs.empty()) throw ConfigError("--only: no run with id '" + args.only + "' in " + args.experiment);
  }
  if (args.dry_run) {
    Table t;
    t.header = {"#", "run", "cell", "file"};
    for (const auto& r : e.runs) t.rows.push_back({std::to_string(r.index), r.run_id, coords_of(r), r.output_file.string()});
    std::cout << e.runs.size() << " runs in experiment '" << e.name << "':\n" << t.render();
    return kOk;
  }
  ExecutorOptions o;
  o.jobs = std::max(1, args.jobs);
  parse_shard(args.shard, o);
  o.out = &std::cout;
  o.live_progress = !args.no_progress && o.jobs == 1 && isatty(STDOUT_FILENO);
  o.child_command = {self_exe, "run", args.experiment, "--no-progress"};
  for (const auto& s : args.sets) {
    o.child_command.push_back("--set");
    o.child_command.push_back(s);
  }
  if (args.only.empty()) {
    const std::size_t mine = runs_of_shard(e, o.shard_index, o.shard_count).size();
    std::cout << "genlab: experiment '" << e.name << "': " << mine << " of " << e.runs.size() << " runs here"
              << (o.jobs > 1 ? " (" + std::to_string(o.jobs) + " child processes)" : std::string()) << "\n";
  }
  const GridOutcome outcome = run_grid(e, o);
  if (args.only.empty()) std::cout << "\n" << summary_table(outcome).render();
  std::cout << outcome.results.size() << " runs: " << outcome.count(RunStatus::Finished) << " finished, "
            << outcome.count(RunStatus::AlreadyFinished) << " already finished, "
            << outcome.count(RunStatus::Diverged) << " diverged, " << outcome.count(RunStatus::Interrupted)
            << " interrupted, " << outcome.count(RunStatus::Failed) << " failed\n";
  for (const auto& [spec, r] : outcome.results) {
    if (r.status == RunStatus::Failed || r.status == RunStatus::Diverged) {
      std::cout << "  " << spec->run_id << " " << run_status_str(r.status) << ": " << r.message << "\n";
    }
  }
  return outcome.count(RunStatus::Failed) ? kRunsFailed : kOk;
}

int cmd_validate(const std::string& experiment, const std::vector<std::string>& sets) {
  const Experiment e = load_and_validate(experiment, sets);
  std::cout << experiment << ": valid; " << e.runs.size() << " runs (experiment '" << e.name << "')\n";
  return kOk;
}

int cmd_plugins() {
  std::vector<std::string> errors;
  const auto plugins = discover_plugins(&errors);
  for (const auto& p : plugins) {
    const auto& d = p.info().description;
    std::cout << d.name << " " << d.version << " — " << d.summary << "\n  file: " << p.info().file.string()
              << "\n  capabilities: " << capabilities_str(d.capabilities) << "\n";
    Table t;
    t.header = {"parameter", "type", "default", "range / choices", "doc"};
    for (const auto& s : d.schema) {
      std::string range;
      if (!s.choices.empty()) {
        for (const auto& c : s.choices) range += (range.empty() ? "" : " | ") + c;
      } else if (s.min || s.max) {
        range = "[" + (s.min ? format_number(*s.min) : "-inf") + ", " + (s.max ? format_number(*s.max) : "inf") + "]";
      }
      t.rows.push_back({s.name, param_type_name(s.type), param_value_str(s.default_value), range, s.doc});
    }
    std::cout << t.render() << "\n";
  }
  for (const auto& e : errors) std::cout << "warning: " << e << "\n";
  if (plugins.empty()) {
    std::cout << "no plugins found; searched:";
    for (const auto& d : plugin_search_path()) std::cout << " " << d.string();
    std::cout << "\n";
  }
  return kOk;
}

int cmd_show(const std::string& run_file) {
  const RunSummary s = read_run(run_file);
  std::cout << "run file " << run_file << "\n";
  Table attrs;
  attrs.header = {"attribute", "value"};
  for (const auto& [k, v] : s.attrs) attrs.rows.push_back({k, attr_to_string(v)});
  std::cout << attrs.render() << "\ngrid:";
  for (const auto& [k, v] : s.grid) std::cout << " " << k << "=" << v;
  std::cout << "\n\nconfig:\n" << s.config_text << "\n";
  Table metrics;
  metrics.header = {"metric", "final", "evaluations"};
  for (const auto& [k, v] : s.eval) {
    if (k == "step" || k == "epoch" || v.empty()) continue;
    metrics.rows.push_back({"eval/" + k, format_number(v.back()), std::to_string(v.size())});
  }
  for (const auto& [k, v] : s.train) {
    if (k == "step" || k == "epoch" || v.empty()) continue;
    metrics.rows.push_back({"train/" + k, format_number(v.back()), std::to_string(v.size())});
  }
  std::cout << metrics.render();
  std::cout << "checkpoint: " << (s.has_checkpoint ? "step " + std::to_string(s.checkpoint_step) : std::string("none")) << "\n";
  return kOk;
}

int cmd_analyze(const analysis::AnalyzeOptions& options) {
  if (options.watch_s > 0) return analysis::watch_analyze(options, std::cout, std::cerr, [] { return false; });
  return analysis::run_analyze(options, std::cout, std::cerr) == 0 ? kOk : kRunsFailed;
}

int cmd_calibrate(const CalibrateArgs& args) {
  const ReferenceClassifier classifier = ReferenceClassifier::load(args.classifier, args.data_path);
  const DataInfo& d = classifier.data();
  DataOptions o;
  o.name = d.name;
  o.path = args.data_path;
  const DataSplits data = load_data(o, 0);
  const std::vector<std::int32_t> predicted = classifier.predict(data.test.x);
  std::size_t correct = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == data.test.y[i] ? 1 : 0;
  std::cout << "reference classifier " << args.classifier << " (plugin " << classifier.plugin() << ", sha256 "
            << classifier.sha256() << ", id " << classifier.id() << ")\ndata set " << d.name << ": test accuracy "
            << format_number(static_cast<double>(correct) / static_cast<double>(predicted.size())) << " on "
            << predicted.size() << " test images\n\nscored against the " << data.test.x.shape()[0]
            << " test images (precision/recall k = " << args.k << "):\n";
  Table t;
  t.header = {"set", "n", "fid", "precision", "recall"};
  for (const CalibrationRow& r : calibrate(classifier, args.n, args.sigmas, args.k, 0, args.data_path)) {
    t.rows.push_back({r.name, std::to_string(r.n), format_number(r.fid), format_number(r.precision), format_number(r.recall)});
  }
  std::cout << t.render();
  return kOk;
}

}  // namespace genlab::cli
