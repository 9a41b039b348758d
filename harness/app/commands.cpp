// Implementation of the genlab subcommands: argument meaning, output formatting, exit codes.
// The work itself lives in libgenlab (spec, executor, runner, store, loader).
#include "commands.hpp"
#include "scale_commands.hpp"

#include <unistd.h>

#include <cstdlib>
#include <set>
#include <iostream>

#include "genlab/cells.hpp"
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

// A parameter's bounds as an interval: "(0, inf)" for > 0, "[0, 1e+06]" for >= 0 and <= 1e6.
std::string interval_str(const ParamSpec& s) {
  return std::string(s.min && !s.min_exclusive ? "[" : "(") + (s.min ? format_number(*s.min) : "-inf") + ", " +
         (s.max ? format_number(*s.max) : "inf") + (s.max && !s.max_exclusive ? "]" : ")");
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

// Which cells: --cells, else --shard (or SLURM_ARRAY_TASK_ID/COUNT). An explicit choice (--cells,
// --only) is never re-sharded: --jobs children inherit the SLURM_* variables of their parent.
void select_cells(const RunArgs& args, const Experiment& e, ExecutorOptions& o) {
  if (!args.cells.empty() && !args.shard.empty()) throw ConfigError("--cell/--cells and --shard cannot be combined");
  if (!args.cells.empty() && !args.only.empty()) throw ConfigError("--cell/--cells and --only cannot be combined");
  if (!args.cells.empty()) o.cells = parse_cell_list(args.cells, e.runs.size(), "--cells");
  else if (args.only.empty()) parse_shard(args.shard, o);
}
}  // namespace

int report_outcome(const GridOutcome& outcome, bool table) {
  if (table) std::cout << "\n" << summary_table(outcome).render();
  std::cout << outcome.results.size() << " runs: " << outcome.count(RunStatus::Finished) << " finished, "
            << outcome.count(RunStatus::AlreadyFinished) << " already finished, "
            << outcome.count(RunStatus::Diverged) << " diverged, " << outcome.count(RunStatus::Interrupted)
            << " interrupted, " << outcome.count(RunStatus::Failed) << " failed";
  if (outcome.count(RunStatus::Taken)) std::cout << ", " << outcome.count(RunStatus::Taken) << " taken by another process";
  std::cout << "\n";
  for (const auto& [spec, r] : outcome.results) {
    if (r.status == RunStatus::Failed || r.status == RunStatus::Diverged || r.status == RunStatus::Taken) {
      std::cout << "  " << spec->run_id << " " << run_status_str(r.status) << ": " << r.message << "\n";
    }
  }
  return outcome.count(RunStatus::Failed) ? kRunsFailed : kOk;
}

int cmd_run(const RunArgs& args, const std::string& self_exe) {
  install_stop_handlers();
  if (args.in_process && args.jobs > 1) throw ConfigError("--in-process runs one cell at a time: drop --jobs");
  Experiment e = load_and_validate(args.experiment, args.sets);
  ExecutorOptions o;
  select_cells(args, e, o);
  if (!args.only.empty()) {
    std::erase_if(e.runs, [&](const RunSpec& r) { return r.run_id != args.only; });
    if (e.runs.empty()) throw ConfigError("--only: no run with id '" + args.only + "' in " + args.experiment);
  }
  const std::vector<const RunSpec*> mine = selected_runs(e, o);
  if (args.dry_run) {
    Table t;
    t.header = {"#", "run", "cell", "file"};
    for (const RunSpec* r : mine) t.rows.push_back({std::to_string(r->index), r->run_id, coords_of(*r), r->output_file.string()});
    std::cout << mine.size() << " of " << e.runs.size() << " runs in experiment '" << e.name << "':\n" << t.render();
    return kOk;
  }
  o.jobs = std::max(1, args.jobs);
  o.out = &std::cout;
  o.live_progress = !args.no_progress && o.jobs == 1 && isatty(STDOUT_FILENO);
  o.in_process = args.in_process;
  o.fatal_exit_codes = {kConfigError, kDataError, kStoreError};
  o.child_command = {self_exe, "run", args.experiment, "--in-process"};
  if (!o.live_progress) o.child_command.push_back("--no-progress");
  o.allow_changed_code = args.allow_changed_code;
  if (args.allow_changed_code) o.child_command.push_back("--allow-changed-code");
  o.restart_unresumable = args.restart_unresumable;
  if (args.restart_unresumable) o.child_command.push_back("--restart-unresumable");
  o.allow_changed_data = args.allow_changed_data;
  if (args.allow_changed_data) o.child_command.push_back("--allow-changed-data");
  for (const auto& s : args.sets) {
    o.child_command.push_back("--set");
    o.child_command.push_back(s);
  }
  if (args.mpi) return cmd_run_mpi(e, o);
  if (args.only.empty()) {
    std::cout << "genlab: experiment '" << e.name << "': " << mine.size() << " of " << e.runs.size() << " runs here"
              << (o.jobs > 1 ? " (" + std::to_string(o.jobs) + " child processes)" : std::string()) << "\n";
  }
  const GridOutcome outcome = run_grid(e, o);
  if (outcome.fatal_exit_code != 0) return outcome.fatal_exit_code;
  const int stop = stop_requested();
  // --only of a run another process writes: exit 75, so a parent does not count that run as its own
  const bool taken = !args.only.empty() && outcome.count(RunStatus::Taken) > 0;
  if (running_as_cell()) {  // the parent prints the counts
    if (taken) return kTakenExitCode;
    const bool done_before = !args.only.empty() && outcome.count(RunStatus::AlreadyFinished) == outcome.results.size() &&
                             !outcome.results.empty();
    if (done_before && stop == 0) return kAlreadyFinishedExitCode;
    return stop != 0 ? 128 + stop : outcome.count(RunStatus::Failed) ? kRunsFailed : kOk;
  }
  const int code = report_outcome(outcome, args.only.empty());
  if (stop != 0) {
    std::cout << "stopped by " << signal_name(stop)
              << (outcome.not_started ? "; " + std::to_string(outcome.not_started) + " runs not started" : std::string())
              << ". Resume with the same command: genlab run " << args.experiment;
    for (const auto& s : args.sets) std::cout << " --set " << s;
    std::cout << "\n";
    return 128 + stop;
  }
  return taken ? kTakenExitCode : code;
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
              << "\n  capabilities: " << capabilities_str(d.capabilities) << "\n  output range: "
              << output_range_str(d.output_range) << "\n  optimizer groups:";
    for (const auto& g : d.optimizer_groups) std::cout << " " << g;
    std::cout << "\n";
    if (const std::string w = shadowing_warning(p.info()); !w.empty()) std::cout << "  warning: " << w << "\n";
    Table t;
    t.header = {"parameter", "type", "default", "range / choices", "doc"};
    for (const auto& s : d.schema) {
      std::string range;
      if (!s.choices.empty()) {
        for (const auto& c : s.choices) range += (range.empty() ? "" : " | ") + c;
      } else if (s.min || s.max) {
        range = interval_str(s);
      }
      t.rows.push_back({s.name, param_type_name(s.type), param_value_str(s.default_value), range, s.doc});
    }
    std::cout << t.render() << "\n";
  }
  for (const auto& e : errors) std::cout << "warning: " << e << "\n";
  if (plugins.empty()) {
    std::cout << "no plugins found; searched:";
    for (const auto& d : plugin_search_dirs()) std::cout << " " << d.dir.string() << " (" << d.origin << ")";
    std::cout << "\n";
  }
  return kOk;
}

int cmd_show(const std::string& run_file) {
  const RunSummary s = read_run_isolated(run_file);  // a corrupt file is an error, never a crash
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
