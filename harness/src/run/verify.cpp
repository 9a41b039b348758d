// verify_run: the stored /config is read back as its one run (stored_config.hpp), the run is
// re-executed in a scratch folder with run.stop_after_steps = K (or its checkpoint
// re-evaluated), and the scratch run file is compared with the stored one by run_compare. Execution settings that do
// not change results (threads, checkpoint cadence) are the verifier's own.
#include "genlab/verify.hpp"

#include <unistd.h>

#include <atomic>

#include "genlab/error.hpp"
#include "genlab/data.hpp"
#include "genlab/loader.hpp"
#include "genlab/portable.hpp"
#include "genlab/runner.hpp"
#include "genlab/spec.hpp"
#include "genlab/store.hpp"
#include "genlab/stored_config.hpp"

namespace genlab {

namespace fs = std::filesystem;

namespace {
// A scratch folder, removed on destruction when it was created here.
class Scratch {
 public:
  explicit Scratch(const fs::path& given) {
    static std::atomic<int> counter{0};
    owned_ = given.empty();
    path_ = owned_ ? fs::temp_directory_path() / ("genlab-verify-" + std::to_string(::getpid()) + "-" +
                                                   std::to_string(counter.fetch_add(1)))
                   : given;
    if (owned_) fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~Scratch() {
    std::error_code ignored;
    if (owned_) fs::remove_all(path_, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool owned_ = true;
};

std::string attr_or(const AttrMap& attrs, const std::string& key, const std::string& fallback = "") {
  const auto it = attrs.find(key);
  return it == attrs.end() ? fallback : attr_to_string(it->second);
}

// The run as the stored /config describes it, writing into `out_file`.
RunSpec rebuild_spec(const RunSummary& stored, const fs::path& file, const fs::path& out_file, const VerifyOptions& o) {
  RunSpec spec = run_spec_of_config(stored.config_text, file.string());
  spec.output_file = out_file;
  fs::remove(out_file);  // a kept --scratch folder: never resume or skip an older re-execution
  spec.grid.assign(stored.grid.begin(), stored.grid.end());
  spec.execution.threads = o.threads;
  // the float mode is a [run] key but changes results: re-execute in the run's own mode (files
  // written before the mode existed were trained with IEEE subnormals)
  spec.execution.float_mode = attr_or(stored.attrs, "float_mode", "ieee");
  spec.execution.portable = attr_or(stored.attrs, "portable") == "true";  // a [run] key too
  if (const std::string path = attr_or(stored.attrs, "data_path"); !path.empty()) spec.data_path = path;
  spec.execution.checkpoint_every_epochs = 0;
  spec.execution.checkpoint_every_steps = 0;
  spec.execution.time_budget_s = 0;
  spec.execution.log_every_steps = 1 << 30;
  return spec;
}

std::int64_t last_step(const std::map<std::string, std::vector<double>>& series) {
  const auto it = series.find("step");
  return it == series.end() || it->second.empty() ? 0 : static_cast<std::int64_t>(it->second.back());
}

VerifyCheck compare_rows(const std::string& what, const RunSummary& stored, const RunSummary& now, std::int64_t max_step,
                         bool train, std::size_t expected_rows) {
  VerifyCheck c;
  c.what = what;
  const auto& a = train ? stored.train : stored.eval;
  const auto& b = train ? now.train : now.eval;
  c.compared_rows = common_steps(a, b, max_step);
  c.divergence = first_divergence(a, b, train ? std::set<std::string>{"samples_per_s"} : std::set<std::string>{}, max_step);
  if (!c.divergence && c.compared_rows < expected_rows) {
    c.problem = "only " + std::to_string(c.compared_rows) + " of " + std::to_string(expected_rows) +
                " rows were logged by both (re-execution: " + attr_or(now.attrs, "status") + ", " +
                attr_or(now.attrs, "status_message") + ")";
  }
  c.reproduced = !c.divergence && c.problem.empty();
  return c;
}

std::size_t rows_up_to(const std::map<std::string, std::vector<double>>& series, std::int64_t max_step) {
  const auto it = series.find("step");
  if (it == series.end()) return 0;
  std::size_t n = 0;
  for (double s : it->second) n += s <= static_cast<double>(max_step) ? 1 : 0;
  return n;
}

VerifyCheck check_eval(const fs::path& file, const RunSummary& stored, RunSpec spec, const fs::path& scratch) {
  VerifyCheck c;
  if (!stored.has_checkpoint) {
    c.what = "evaluation at the checkpoint";
    c.problem = "the run file has no checkpoint";
    return c;
  }
  const std::int64_t step = stored.checkpoint_step;
  c.what = "evaluation at step " + std::to_string(step) + " (from the checkpoint)";
  const auto& steps = stored.eval.count("step") ? stored.eval.at("step") : std::vector<double>{};
  if (std::find(steps.begin(), steps.end(), static_cast<double>(step)) == steps.end()) {
    c.problem = "the checkpoint (step " + std::to_string(step) + ") is not at an evaluation (last at step " +
                std::to_string(last_step(stored.eval)) + "): nothing stored to compare with";
    return c;
  }
  spec.output_file = scratch / "reevaluated.h5";
  fs::remove(spec.output_file);
  const RunResult r = reevaluate_checkpoint(spec, file, {});
  const RunSummary now = read_run(spec.output_file);
  if (r.status != RunStatus::Finished) {
    c.problem = "the re-evaluation failed: " + r.message;
    return c;
  }
  // only the checkpoint's row: earlier evaluations are not in the re-evaluated file
  std::map<std::string, std::vector<double>> stored_row;
  const auto row = static_cast<std::size_t>(std::find(steps.begin(), steps.end(), static_cast<double>(step)) - steps.begin());
  for (const auto& [k, v] : stored.eval) {
    if (row < v.size()) stored_row[k] = {v[row]};
  }
  RunSummary only = stored;
  only.eval = stored_row;
  return compare_rows(c.what, only, now, step, false, 1);
}
}  // namespace

namespace {
// The provenance difference most likely to explain different bits (provenance_keys() order, code
// first, then the kernels), "" when none would.
std::string likely_provenance_cause(const std::vector<ValueDifference>& provenance) {
  for (const ValueDifference& p : provenance) {
    if (p.key == "host" || p.key == "data_path" || p.key == "blas_threads") continue;
    if (p.key == "blas") continue;  // its text includes the kernel: blas_core names it
    return p.key + " (" + (p.a.empty() ? "(not recorded)" : p.a) + " -> " + (p.b.empty() ? "(not recorded)" : p.b) +
           "): " + provenance_effect(p.key);
  }
  return "";
}
}  // namespace

bool VerifyReport::reproduced() const {
  if (checks.empty()) return false;
  for (const VerifyCheck& c : checks) {
    if (!c.reproduced) return false;
  }
  return true;
}

std::vector<std::string> VerifyReport::lines() const {
  std::vector<std::string> out;
  for (const VerifyCheck& c : checks) {
    if (c.reproduced) {
      out.push_back("reproduced: " + c.what + " (" + std::to_string(c.compared_rows) + " rows, bit for bit)");
    } else if (c.divergence) {
      const SeriesDivergence& d = *c.divergence;
      const std::string prefix = c.what.starts_with("train") ? "train/" : "eval/";
      out.push_back("NOT reproduced: " + c.what + ": first difference at step " + std::to_string(d.step) + ", " +
                    prefix + d.metric + ": stored " + (d.a ? exact_value(*d.a) : std::string("(absent)")) + ", now " +
                    (d.b ? exact_value(*d.b) : std::string("(absent)")));
      if (!d.others.empty()) {
        std::string list;
        for (const std::string& o : d.others) list += (list.empty() ? "" : ", ") + prefix + o;
        out.push_back("  also different at that step: " + list);
      }
    } else {
      out.push_back("NOT verified: " + c.what + ": " + c.problem);
    }
  }
  for (const std::string& n : notes) out.push_back("note: " + n);
  if (!provenance.empty()) {
    out.push_back(reproduced() ? "provenance that differs (the bits agree anyway):"
                               : "possible reasons (provenance that differs, stored -> now):");
    for (const ValueDifference& p : provenance) {
      out.push_back("  " + p.key + ": " + (p.a.empty() ? "(not recorded)" : p.a) + " -> " + (p.b.empty() ? "(not recorded)" : p.b) +
                    ": " + provenance_effect(p.key));
    }
  } else if (!reproduced()) {
    out.push_back("possible reasons: none in the provenance (same plugin file, genlab commit, compiler, BLAS, threads, host)");
  }
  if (!reproduced() && !likely_cause.empty()) out.push_back("likely cause: " + likely_cause);
  out.push_back(reproduced() ? "reproduced" : "not reproduced");
  return out;
}

namespace {
void check_options(const VerifyOptions& o) {
  if (o.steps < 1) throw ConfigError("verify --steps " + std::to_string(o.steps) + ": expected at least 1");
  if (o.threads < 1) throw ConfigError("verify --threads " + std::to_string(o.threads) + ": expected at least 1");
}
}  // namespace

VerifyReport verify_run(const fs::path& file, const VerifyOptions& o) {
  check_options(o);  // a bad --steps or --threads is reported before the file is read
  // isolated: a stored file whose metadata crashes HDF5 is a StoreError naming it (only --eval
  // reads its checkpoint, in-process, once the summary has read cleanly)
  return verify_run(file, read_run_isolated(file), o);
}

VerifyReport verify_run(const fs::path& file, const RunSummary& stored, const VerifyOptions& o) {
  check_options(o);
  VerifyReport report;
  report.file = file;
  report.run_id = attr_or(stored.attrs, "run_id", file.stem().string());
  report.status = attr_or(stored.attrs, "status");
  const Scratch scratch(o.scratch);
  RunSpec spec = rebuild_spec(stored, file, scratch.path() / "reexecuted.h5", o);
  // checked first: a portable run is re-executed with the pinned kernels, in a process that has them
  if (spec.execution.portable) {
    require_portable_process(file.string() + ": verify: ");
    report.notes.push_back(std::string("portable run: re-executed with OpenBLAS's ") + kPortableBlasCore +
                           " kernels and the portable ISA");
  }
  const std::string data_now = data_identity(spec.data_name, spec.data_path);
  if (data_now != spec.data_identity) {
    report.likely_cause = "the data changed: data.identity was " + spec.data_identity + ", the data at " +
                          spec.data_path.string() + " is now " + data_now;
    report.notes.push_back(report.likely_cause + " (re-executed on the data as it is now)");
  }
  {
    const Plugin plugin = load_plugin(spec.plugin, spec.plugin_path);
    const std::string rebuilt = canonical_config(spec, resolve_model_params(spec, plugin.info().description.schema));
    if (rebuilt != stored.config_text) {
      const auto diffs = config_differences(stored.config_text, rebuilt, "stored /config", "rebuilt config");
      std::string list;
      for (const ValueDifference& d : diffs) list += (list.empty() ? "" : ", ") + d.key + " " + d.a + " -> " + d.b;
      report.notes.push_back("the plugin now resolves the stored /config differently (" + list +
                             "): its schema or defaults, or genlab's config format, changed");
    }
  }
  const std::int64_t stored_steps = last_step(stored.train);
  const std::int64_t k = std::min(o.steps, stored_steps);
  if (k < o.steps) report.notes.push_back("the file holds " + std::to_string(stored_steps) + " training steps: compared those");
  if (k == 0) {
    VerifyCheck c;
    c.what = "train steps";
    c.problem = "the run file holds no training step";
    report.checks.push_back(c);
  } else {
    RunSpec train_spec = spec;
    train_spec.execution.stop_after_steps = k;
    RunnerOptions ro;
    ro.allow_changed_data = true;  // named above as the likely cause
    const RunResult r = run_one(train_spec, ro);
    const RunSummary now = read_run(train_spec.output_file);
    report.provenance = provenance_differences(stored.attrs, now.attrs);
    if (report.likely_cause.empty()) report.likely_cause = likely_provenance_cause(report.provenance);
    report.checks.push_back(compare_rows("train steps 1.." + std::to_string(k), stored, now, k, true, rows_up_to(stored.train, k)));
    if (rows_up_to(stored.eval, k) > 0) {
      report.checks.push_back(compare_rows("evaluations up to step " + std::to_string(k), stored, now, k, false,
                                           rows_up_to(stored.eval, k)));
    }
    if (r.status == RunStatus::Failed) report.notes.push_back("the re-execution failed: " + r.message);
  }
  if (o.eval) report.checks.push_back(check_eval(file, stored, spec, scratch.path()));
  return report;
}

}  // namespace genlab
