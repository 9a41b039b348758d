// run_one: one grid cell from plugin load to status "finished" (or diverged/failed/interrupted),
// with exact resume from the run file's checkpoint. Data order, noise and evaluation streams are
// all derived from the run's seed; nothing here reads a clock into the maths.
#include "genlab/runner.hpp"

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <ostream>

#include "genlab/blas.hpp"
#include "genlab/data.hpp"
#include "genlab/error.hpp"
#include "genlab/float_mode.hpp"
#include "genlab/loader.hpp"
#include "genlab/portable.hpp"
#include "genlab/store.hpp"
#include "genlab/version.hpp"
#include "run/adversarial_eval.hpp"
#include "run/checkpoint_io.hpp"
#include "run/evaluator.hpp"
#include "run/model_from_run.hpp"
#include "run/optimizer_set.hpp"
#include "run/progress.hpp"
#include "run/provenance.hpp"
#include "run/sample_quality.hpp"
#include "run/translation_eval.hpp"

namespace fs = std::filesystem;

namespace genlab {

const char* run_status_str(RunStatus status) {
  switch (status) {
    case RunStatus::Finished: return "finished";
    case RunStatus::AlreadyFinished: return "already finished";
    case RunStatus::Diverged: return "diverged";
    case RunStatus::Failed: return "failed";
    case RunStatus::Interrupted: return "interrupted";
    case RunStatus::Taken: return "taken";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

bool all_finite(const Metrics& m, std::string* bad) {
  for (const auto& [k, v] : m) {
    if (!std::isfinite(v)) {
      *bad = k + " = " + std::to_string(v);
      return false;
    }
  }
  return true;
}

// What differs between the code that started a run and this one ("" if nothing): the plugin
// file's sha256 and genlab's commit, as stored in the run file's provenance.
std::string code_changes(const AttrMap& stored, const std::string& plugin_sha256) {
  std::string out;
  auto compare = [&](const char* key, const std::string& now) {
    const auto it = stored.find(key);
    if (it == stored.end() || attr_to_string(it->second) == now) return;
    out += (out.empty() ? "" : ", ") + std::string(key) + " was " + attr_to_string(it->second) + ", now " + now;
  };
  compare("plugin_sha256", plugin_sha256);
  compare("git_commit", git_commit());
  return out;
}

// The first line where two config texts differ, for the "changed config" refusal.
std::string first_difference(const std::string& a, const std::string& b) {
  std::size_t line = 1, i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) {
    if (a[i] == '\n') ++line;
    ++i;
  }
  auto line_at = [](const std::string& s, std::size_t pos) {
    const std::size_t start = s.rfind('\n', pos == 0 ? 0 : pos - 1);
    const std::size_t from = (start == std::string::npos || pos == 0) ? 0 : start + 1;
    return s.substr(from, s.find('\n', from) - from);
  };
  return "line " + std::to_string(line) + ": stored '" + line_at(a, i) + "', now '" + line_at(b, i) + "'";
}

// A run resumes only in the float mode it was trained in: mixing modes would give bits that
// neither mode reproduces. Files written before the mode existed were trained with IEEE subnormals.
void require_same_float_mode(const RunSummary& stored, const RunSpec& spec) {
  const auto it = stored.attrs.find("float_mode");
  const std::string was = it == stored.attrs.end() ? "ieee" : attr_to_string(it->second);
  if (was == spec.execution.float_mode) return;
  throw ConfigError("run " + spec.run_id + " (" + spec.output_file.string() + ") was trained with [run] float_mode = \"" +
                    was + "\"; resuming it with \"" + spec.execution.float_mode +
                    "\" would mix two modes: set --set 'run.float_mode=\"" + was +
                    "\"' to resume it, or delete the file to start anew");
}

// Nor in another portability mode ([run] portable): the BLAS kernels would change mid-run.
void require_same_portable(const RunSummary& stored, const RunSpec& spec) {
  const auto it = stored.attrs.find("portable");
  const std::string was = it == stored.attrs.end() ? "false" : attr_to_string(it->second);
  const std::string now = spec.execution.portable ? "true" : "false";
  if (was == now) return;
  throw ConfigError("run " + spec.run_id + " (" + spec.output_file.string() + ") was trained with [run] portable = " + was +
                    "; resuming it with portable = " + now + " would mix two kernel sets: set --set run.portable=" + was +
                    " to resume it, or delete the file to start anew");
}

// "" when the data loaded now has the identity in the run's config (data.identity), else what changed.
std::string data_change(const RunSpec& spec) {
  const std::string now = data_identity(spec.data_name, spec.data_path);
  if (spec.data_identity.empty() || spec.data_identity == now) return "";
  return "data.identity was " + spec.data_identity + ", the data at " + spec.data_path.string() + " is now " + now;
}

struct Schedule {
  std::int64_t steps_per_epoch, total, eval_every, checkpoint_every;
  bool eval_due(std::int64_t done) const { return done % eval_every == 0 || done == total; }
  bool checkpoint_due(std::int64_t done) const {
    return (checkpoint_every > 0 && done % checkpoint_every == 0) || eval_due(done);
  }
};

Schedule make_schedule(const RunSpec& spec, std::size_t n_train) {
  const auto batch = static_cast<std::int64_t>(spec.train.batch_size);
  Schedule s{};
  s.steps_per_epoch = (static_cast<std::int64_t>(n_train) + batch - 1) / batch;
  s.total = spec.train.epochs > 0 ? spec.train.epochs * s.steps_per_epoch : spec.train.steps;
  s.eval_every = spec.eval.every_steps > 0 ? spec.eval.every_steps : spec.eval.every_epochs * s.steps_per_epoch;
  s.checkpoint_every = spec.execution.checkpoint_every_steps > 0
                           ? spec.execution.checkpoint_every_steps
                           : spec.execution.checkpoint_every_epochs * s.steps_per_epoch;
  if (s.eval_every <= 0) s.eval_every = s.total;
  return s;
}

class Run {
 public:
  Run(const RunSpec& spec, const RunnerOptions& options) : spec_(spec), options_(options) {}
  RunResult execute();
  RunResult reevaluate(const fs::path& source);

 private:
  void load_plugin_and_config();
  AttrMap start_attrs() const;
  void prepare();
  std::string resume_from_checkpoint();  // "" when resumed, else why the checkpoint is unusable
  void set_aside(const std::string& why);  // renames the run file to <file>.unresumable
  RunResult train();
  void evaluate(std::int64_t done);
  EvalSettings eval_settings(std::int64_t done) const;
  IwaeProgress iwae_progress_lines(std::size_t k);
  void checkpoint(std::int64_t done);
  RunResult finish(RunStatus status, const std::string& message);
  void commit_final(AttrMap attrs);

  const RunSpec& spec_;
  const RunnerOptions& options_;
  Clock::time_point start_ = Clock::now();
  std::optional<Plugin> plugin_;
  Params params_;
  std::string config_;
  DataSplits data_;
  DataInfo info_;
  Schedule schedule_{};
  std::unique_ptr<OptimizerSet> optimizers_;
  std::shared_ptr<Model> model_;
  Rng noise_{0, "noise"};
  std::optional<RunWriter> writer_;
  std::unique_ptr<Progress> progress_;
  std::int64_t start_step_ = 0;
  std::string changed_code_;  // plugin/genlab changes since the run started (allowed by the options)
  std::string changed_data_;  // the data differs from data.identity (allowed by the options)
  Metrics last_eval_;
  std::unique_ptr<SampleQuality> sample_quality_;  // eval.classifier set: FID, precision/recall
  std::unique_ptr<TranslationQuality> translation_quality_;  // the same on two-domain sets: label preservation, FID
};

void Run::load_plugin_and_config() {
  blas::set_num_threads(spec_.execution.threads);
  set_float_mode(parse_float_mode(spec_.execution.float_mode));
  if (spec_.execution.portable) require_portable_process("run " + spec_.run_id + ": ");
  set_portable_isa(spec_.execution.portable);
  plugin_ = load_plugin(spec_.plugin, spec_.plugin_path);
  if (const std::string w = shadowing_warning(plugin_->info()); options_.out && !w.empty()) {
    *options_.out << "warning: " << w << "\n";
  }
  const ModelDescription& d = plugin_->info().description;
  // load_and_validate (finalize_run) resolved the parameters and the config text once; a
  // hand-built RunSpec without them is resolved here
  params_ = spec_.params ? *spec_.params : resolve_model_params(spec_, d.schema);
  config_ = spec_.params ? spec_.config_text : canonical_config(spec_, params_);
}

// Root attributes of a new run file: provenance, identity, schedule.
AttrMap Run::start_attrs() const {
  const ModelDescription& d = plugin_->info().description;
  AttrMap attrs = build_provenance();
  attrs["run_id"] = spec_.run_id;
  attrs["experiment"] = spec_.experiment;
  attrs["plugin"] = d.name;
  attrs["plugin_version"] = d.version;
  attrs["plugin_file"] = plugin_->info().file.string();
  attrs["plugin_sha256"] = plugin_->info().sha256;
  attrs["seed"] = static_cast<std::int64_t>(spec_.seed);
  attrs["data_path"] = spec_.data_path.string();
  if (!changed_data_.empty()) attrs["started_with_changed_data"] = changed_data_;
  attrs["status"] = std::string("running");
  attrs["started_at"] = utc_now_iso8601();
  attrs["steps_per_epoch"] = schedule_.steps_per_epoch;
  attrs["total_steps"] = schedule_.total;
  return attrs;
}

// The evaluation of `source`'s checkpoint step, recomputed from its checkpoint into a new run
// file (spec_.output_file); nothing is trained.
RunResult Run::reevaluate(const fs::path& source) {
  load_plugin_and_config();
  prepare();
  std::int64_t step = 0;
  restore_from_run_file(source, *model_, *optimizers_, noise_, &step);
  std::map<std::string, std::string> grid(spec_.grid.begin(), spec_.grid.end());
  writer_.emplace(RunWriter::create(spec_.output_file, start_attrs(), config_, grid));
  try {
    evaluate(step);
  } catch (const std::exception& e) {
    return finish(RunStatus::Failed, e.what());
  }
  return finish(RunStatus::Finished, "re-evaluated the checkpoint of " + source.string() + " at step " + std::to_string(step));
}

RunResult Run::execute() {
  load_plugin_and_config();
  changed_data_ = data_change(spec_);
  if (!changed_data_.empty() && !options_.allow_changed_data) {
    throw DataError("run " + spec_.run_id + ": its data changed (" + changed_data_ +
                    "); rerun with --allow-changed-data to train on this data anyway (recorded in the run file), or "
                    "remove data.identity to give the run a new id");
  }

  bool resume = false;
  std::optional<RunSummary> stored;
  if (fs::exists(spec_.output_file)) {
    try {
      stored = read_run_isolated(spec_.output_file);
    } catch (const StoreError& e) {
      if (!options_.restart_unresumable) {
        throw StoreError(std::string(e.what()) + " (delete the file, or run with --restart-unresumable, to start anew)");
      }
      set_aside(e.what());
    }
  }
  if (stored) {
    const RunSummary& s = *stored;
    if (s.config_text != config_) {
      throw ConfigError("run " + spec_.run_id + " (" + spec_.output_file.string() +
                        ") was made with a different config (" + first_difference(s.config_text, config_) +
                        "); delete the file or rename the experiment to start anew");
    }
    const std::string status = s.attrs.count("status") ? attr_to_string(s.attrs.at("status")) : "";
    if (status == "finished" || status == "diverged") {
      RunResult r;
      r.status = status == "finished" ? RunStatus::AlreadyFinished : RunStatus::Diverged;
      r.file = spec_.output_file;
      r.message = s.attrs.count("status_message") ? attr_to_string(s.attrs.at("status_message")) : "";
      for (const auto& [k, v] : s.eval) {
        if (!v.empty() && k != "step" && k != "epoch") r.final_eval[k] = v.back();
      }
      return r;
    }
    resume = s.has_checkpoint;
    if (resume) require_same_float_mode(s, spec_);
    if (resume) require_same_portable(s, spec_);
    if (!resume) fs::remove(spec_.output_file);  // nothing to resume from: start anew
    if (resume) changed_code_ = code_changes(s.attrs, plugin_->info().sha256);
    if (!changed_code_.empty() && !options_.allow_changed_code) {
      throw ConfigError("run " + spec_.run_id + " (" + spec_.output_file.string() + ") was started by other code (" +
                        changed_code_ + "); resuming would mix two versions in one run: rerun with " +
                        "--allow-changed-code to resume anyway (recorded in the file), or delete the file to start anew");
    }
  }
  prepare();
  if (resume) {
    if (const std::string why = resume_from_checkpoint(); !why.empty()) {
      if (!options_.restart_unresumable) {  // this cell fails, named by file; the grid goes on
        return finish(RunStatus::Failed, why + " (delete the file, or run with --restart-unresumable, to start anew)");
      }
      writer_.reset();
      set_aside(why);
      prepare();  // the model may hold part of the bad checkpoint
      resume = false;
    }
  }
  if (!resume) {
    std::map<std::string, std::string> grid(spec_.grid.begin(), spec_.grid.end());
    writer_.emplace(RunWriter::create(spec_.output_file, start_attrs(), config_, grid));
  }
  try {
    return train();
  } catch (const std::exception& e) {
    return finish(RunStatus::Failed, e.what());
  }
}

std::string Run::resume_from_checkpoint() {
  writer_.emplace(RunWriter::open_existing(spec_.output_file));
  std::int64_t step = 0;
  try {
    const Checkpoint c = read_checkpoint(spec_.output_file, &step);
    if (step < 0 || step > schedule_.total) {
      throw StoreError("its step " + std::to_string(step) + " is outside 0.." + std::to_string(schedule_.total));
    }
    restore_checkpoint(c, *model_, *optimizers_, noise_);
  } catch (const Error& e) {
    return spec_.output_file.string() + ": cannot resume from /checkpoint: " + e.what();
  }
  writer_->truncate_after(step);
  start_step_ = step;
  writer_->set_attrs({{"status", std::string("running")}, {"resumed_at", utc_now_iso8601()}});
  if (!changed_code_.empty()) writer_->set_attrs({{"resumed_with_changed_code", changed_code_}});
  if (!changed_data_.empty()) writer_->set_attrs({{"resumed_with_changed_data", changed_data_}});
  writer_->commit();
  progress_->line("resuming from the checkpoint at step " + std::to_string(step));
  return "";
}

void Run::set_aside(const std::string& why) {
  const fs::path kept(spec_.output_file.string() + ".unresumable");
  std::error_code ec;
  fs::rename(spec_.output_file, kept, ec);
  if (ec) throw StoreError(spec_.output_file.string() + ": cannot move it aside to " + kept.string() + ": " + ec.message());
  if (options_.out) {
    *options_.out << "[" << spec_.run_id << "] starting anew (--restart-unresumable): " << why << "; the old file is kept as "
                  << kept.string() << "\n";
  }
}

void Run::prepare() {
  data_ = load_data(data_options_of(spec_), spec_.seed);
  info_ = {data_.train.name, data_.train.sample_shape, data_.train.x.shape()[1],
           data_.train.num_classes, data_.train.x.shape()[0]};
  schedule_ = make_schedule(spec_, info_.train_size);
  if (!spec_.eval.classifier.empty() && data_.train.two_domain()) {
    translation_quality_ = std::make_unique<TranslationQuality>(spec_.eval, spec_.data_path);
  } else if (!spec_.eval.classifier.empty()) {  // refuses a mismatched classifier before training
    sample_quality_ = std::make_unique<SampleQuality>(spec_.eval, info_, spec_.data_path);
  }
  BuiltModel built = build_model(*plugin_, spec_, params_, info_, schedule_.total);
  optimizers_ = std::move(built.optimizers);
  model_ = std::move(built.model);
  noise_ = Rng(spec_.seed, "noise");
  progress_ = std::make_unique<Progress>(options_.out, options_.live_progress, spec_.run_id,
                                         schedule_.total, spec_.execution.log_every_steps);
}

RunResult Run::train() {
  const ModelDescription& d = plugin_->info().description;
  const std::size_t n = info_.train_size, batch = spec_.train.batch_size;
  std::vector<std::size_t> order;
  std::int64_t order_epoch = -1;
  if (start_step_ < schedule_.total) {  // the ETA includes the final evaluation's IWAE bound
    progress_->set_tail_seconds(estimate_iwae_seconds(*model_, d, data_.test, eval_settings(schedule_.total)));
  }
  for (std::int64_t step = start_step_; step < schedule_.total; ++step) {
    if (const int sig = stop_requested()) {
      checkpoint(step);
      return finish(RunStatus::Interrupted, "interrupted by " + signal_name(sig) + " at step " + std::to_string(step) +
                                                "; checkpoint written, run again to resume");
    }
    if (spec_.execution.stop_after_steps > 0 && step >= spec_.execution.stop_after_steps) {
      checkpoint(step);
      return finish(RunStatus::Interrupted, "stopped after " + std::to_string(step) +
                                                " steps (run.stop_after_steps); run again to resume");
    }
    if (spec_.execution.time_budget_s > 0 &&
        std::chrono::duration<double>(Clock::now() - start_).count() > spec_.execution.time_budget_s) {
      checkpoint(step);
      return finish(RunStatus::Interrupted, "time budget of " + std::to_string(spec_.execution.time_budget_s) +
                                                " s reached at step " + std::to_string(step) + "; run again to resume");
    }
    const std::int64_t epoch = step / schedule_.steps_per_epoch;
    const std::size_t pos = static_cast<std::size_t>(step % schedule_.steps_per_epoch) * batch;
    if (epoch != order_epoch) {
      order = epoch_order(n, spec_.seed, epoch);
      order_epoch = epoch;
    }
    const std::size_t count = std::min(batch, n - pos);
    Batch b;
    b.x = gather_rows(data_.train.x, order.data() + pos, count);
    if (!data_.train.y.empty()) {
      for (std::size_t i = 0; i < count; ++i) b.y.push_back(data_.train.y[order[pos + i]]);
    }
    if (data_.train.ground_truth != GroundTruth::None) {  // data.paired: B row i = T(A row i)
      add_paired_b(b, data_.train, order.data() + pos, count);
    } else {
      add_domain_b(b, data_.train, spec_.seed, step, batch);  // unpaired sets: B from its own order stream
    }
    optimizers_->apply_schedule(step);
    StepContext ctx{noise_, step, static_cast<double>(step) / static_cast<double>(schedule_.steps_per_epoch)};
    const auto t0 = Clock::now();
    const Metrics m = call_plugin(d.name, [&] { return model_->train_step(b, ctx); });
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    const double samples_per_s = static_cast<double>(count) / std::max(seconds, 1e-9);
    const std::int64_t done = step + 1;
    const double epoch_done = static_cast<double>(done) / static_cast<double>(schedule_.steps_per_epoch);
    std::map<std::string, AttrMap> cards;  // the plugin's metric cards, once per process
    if (step == start_step_) {
      for (const auto& [k, v] : m) {
        if (AttrMap a = metric_card_attrs(d, k); !a.empty()) cards[k] = std::move(a);
      }
    }
    writer_->append_train(done, epoch_done, samples_per_s, m, cards);
    std::string bad;
    if (!all_finite(m, &bad)) {
      return finish(RunStatus::Diverged, "training diverged at step " + std::to_string(done) + ": " + bad);
    }
    progress_->update(step, epoch_done, m, samples_per_s);
    if (schedule_.eval_due(done)) {
      evaluate(done);
      if (!all_finite(last_eval_, &bad)) {
        return finish(RunStatus::Diverged, "evaluation at step " + std::to_string(done) + " is not finite: " + bad);
      }
    }
    if (schedule_.checkpoint_due(done)) checkpoint(done);
  }
  return finish(RunStatus::Finished, "");
}

EvalSettings Run::eval_settings(std::int64_t done) const {
  EvalSettings s;
  s.batch_size = spec_.eval.batch_size;
  s.samples = spec_.eval.samples;
  s.seed = spec_.seed;
  s.step = done;
  // IWAE and classifier metrics: at the final evaluation, or at every one if asked
  s.heavy = spec_.eval.heavy_metrics == "every" || done == schedule_.total;
  s.iwae_k = spec_.eval.iwae_k;
  s.iwae_images = spec_.eval.iwae_images;
  return s;
}

// A line every ~10 % of the images, at most one per 2 s: IWAE-5000 alone takes tens of seconds.
IwaeProgress Run::iwae_progress_lines(std::size_t k) {
  auto start = std::make_shared<Clock::time_point>(Clock::now());
  auto last = std::make_shared<Clock::time_point>(*start);
  return [this, k, start, last](std::size_t done, std::size_t total) {
    const auto now = Clock::now();
    if (done < total && (done * 10 / total == (done - 1) * 10 / total || now - *last < std::chrono::seconds(2))) return;
    *last = now;
    const double elapsed = std::chrono::duration<double>(now - *start).count();
    const double eta = elapsed / static_cast<double>(done) * static_cast<double>(total - done);
    progress_->line("IWAE-" + std::to_string(k) + ": " + std::to_string(done) + "/" + std::to_string(total) +
                    " images, " + format_duration(elapsed) + (done < total ? ", ETA " + format_duration(eta) : ""));
  };
}

void Run::evaluate(std::int64_t done) {
  const ModelDescription& d = plugin_->info().description;
  const bool has_validation = data_.validation.x.size() > 0;
  EvalSettings s = eval_settings(done);
  const bool iwae = s.heavy && s.iwae_k > 0 && (d.capabilities & kImportanceWeights);
  const bool fid = s.heavy && (sample_quality_ || translation_quality_);
  const bool parzen = s.heavy && has_validation && (d.capabilities & kSamples);
  if (iwae || fid || parzen) {
    std::vector<std::string> what;
    if (iwae) what.push_back("IWAE-" + std::to_string(s.iwae_k) + " on " + std::to_string(s.iwae_images) + " test images");
    if (fid) what.push_back("FID and precision/recall of " + std::to_string(spec_.eval.fid_samples) + " samples");
    if (parzen) what.push_back("the Parzen log-likelihood of 10000 samples");
    std::string line;
    for (const std::string& w : what) line += (line.empty() ? "" : ", ") + w;
    progress_->line("evaluating " + line + " (this takes a while)");
    if (iwae) s.iwae_progress = iwae_progress_lines(s.iwae_k);
  }
  EvalOutput out = evaluate_model(*model_, d, data_.test, info_, s);
  if (sample_quality_ && s.heavy) {
    sample_quality_->add(*model_, d, data_.test, spec_.seed, done, out.metrics, out.attrs);
  }
  if (translation_quality_ && s.heavy) translation_quality_->add(*model_, d, data_.test, out.metrics, out.attrs);
  if (parzen) {
    model_->set_training(false);
    add_parzen_metrics(*model_, d, data_, info_, spec_.seed, done, out);
    model_->set_training(true);
  }
  const double epoch = static_cast<double>(done) / static_cast<double>(schedule_.steps_per_epoch);
  if (has_validation) {  // the same evaluation on the validation split, as val_* in the same row
    s.split_name = "validation";
    s.samples = 0;
    s.iwae_k = 0;  // the bound is reported on the test split only
    const EvalOutput val = evaluate_model(*model_, d, data_.validation, info_, s);
    for (const auto& [k, v] : val.metrics) out.metrics["val_" + k] = v;
    for (const auto& [k, a] : val.attrs) out.attrs["val_" + k] = a;
  }
  writer_->append_eval(done, epoch, out.metrics, out.attrs);
  for (const auto& [name, grid] : out.images) {
    writer_->append_image(name, done, grid.shape(), grid.pixels);
    fs::path png = spec_.output_file;
    png.replace_filename(spec_.run_id + "_" + name + ".png");
    write_png(png, grid);
  }
  last_eval_ = out.metrics;
  char head[64];
  std::snprintf(head, sizeof head, "eval epoch %.2f step %lld: ", epoch, static_cast<long long>(done));
  progress_->line(head + format_metrics(out.metrics));
}

void Run::checkpoint(std::int64_t done) {
  writer_->set_checkpoint(done, make_checkpoint(*model_, *optimizers_, noise_));
  writer_->set_attrs({{"updated_at", utc_now_iso8601()}});
  writer_->commit();
}

// The last commit of a run. If it fails (a full disk) for a failing run, the pending rows are
// dropped and only the status is committed: a resume restarts from the last checkpoint anyway,
// and a small commit may still fit. A status that does not fit either is the StoreError thrown.
void Run::commit_final(AttrMap attrs) {
  try {
    writer_->commit();
  } catch (const StoreError&) {
    if (attrs.count("status") == 0 || std::get<std::string>(attrs.at("status")) != "failed") throw;
    writer_->discard_pending();
    attrs["status_message"] = attr_to_string(attrs.at("status_message")) +
                              " (the rows since the last checkpoint were dropped so that this status fits)";
    writer_->set_attrs(attrs);
    writer_->commit();
  }
}

RunResult Run::finish(RunStatus status, const std::string& message) {
  RunResult r;
  r.status = status;
  r.message = message;
  r.file = spec_.output_file;
  r.final_eval = last_eval_;
  r.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  AttrMap attrs{{"updated_at", utc_now_iso8601()}, {"status_message", message},
                {"status", std::string(run_status_str(status))}};
  if (status != RunStatus::Interrupted) attrs["finished_at"] = utc_now_iso8601();
  writer_->set_attrs(attrs);
  commit_final(attrs);
  progress_->line(std::string(run_status_str(status)) + (message.empty() ? "" : ": " + message) +
                  " (" + format_duration(r.seconds) + ")");
  return r;
}

}  // namespace

RunResult run_one(const RunSpec& spec, const RunnerOptions& options) {
  Run run(spec, options);
  return run.execute();
}

RunResult reevaluate_checkpoint(const RunSpec& spec, const fs::path& source, const RunnerOptions& options) {
  Run run(spec, options);
  return run.reevaluate(source);
}

}  // namespace genlab
