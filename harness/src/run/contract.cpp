// run_contract: the plugin contract behind `genlab test-plugin` and the ctest contract test.
// Training goes through the real runner (run_one); the capability, name and round-trip checks
// call the model directly. It does not decide exit codes or print summaries: its callers do.
#include "genlab/contract.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <ostream>
#include <set>

#include "genlab/data.hpp"
#include "genlab/error.hpp"
#include "genlab/executor.hpp"
#include "genlab/loader.hpp"
#include "genlab/plugin.hpp"
#include "genlab/runner.hpp"
#include "genlab/store.hpp"
#include "genlab/version.hpp"
#include "run/checkpoint_io.hpp"
#include "run/evaluator.hpp"
#include "run/init_context.hpp"
#include "run/optimizer_set.hpp"

namespace fs = std::filesystem;

namespace genlab {

bool ContractReport::passed() const { return !checks.empty() && failed().empty(); }

std::vector<std::string> ContractReport::failed() const {
  std::vector<std::string> names;
  for (const auto& c : checks) {
    if (!c.passed) names.push_back(c.name);
  }
  return names;
}

const std::vector<std::string>& contract_check_names() {
  static const std::vector<std::string> names = {
      "loads", "describes", "hyper-parameter names unique", "trains", "finite metrics", "deterministic",
      "exact resume", "builds", "parameter names unique", "checkpoint round trip", "capability <name> (each declared one)",
      "undeclared capabilities not called"};
  return names;
}

namespace {

struct Failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
void require(bool ok, const std::string& why) {
  if (!ok) throw Failed(why);
}

// Forwards everything to the plugin's model; a capability the description does not declare is
// recorded and refused, so the harness's evaluation can be shown to respect declarations.
class DeclaredOnly final : public Model {
 public:
  DeclaredOnly(Model& inner, unsigned declared) : inner_(inner), declared_(declared) {}
  std::vector<std::string> undeclared_calls;

  void init(InitContext& ctx) override { inner_.init(ctx); }
  Metrics train_step(const Batch& b, StepContext& ctx) override { return inner_.train_step(b, ctx); }
  Metrics evaluate(const Batch& b, Rng& rng) override { return inner_.evaluate(b, rng); }
  std::vector<NamedParameter<float>> parameters() override { return inner_.parameters(); }
  std::vector<std::pair<std::string, Tensor<float>*>> buffers() override { return inner_.buffers(); }
  void set_training(bool on) override { inner_.set_training(on); }
  TensorMap<float> extra_state() const override { return inner_.extra_state(); }
  void load_extra_state(const TensorMap<float>& s) override { inner_.load_extra_state(s); }
  void begin_evaluation() override { inner_.begin_evaluation(); }
  Metrics end_evaluation() override { return inner_.end_evaluation(); }
  std::size_t latent_dim() const override { return inner_.latent_dim(); }

  Tensor<float> reconstruct(const Batch& b) override { return guard(kReconstructs, "reconstruct", [&] { return inner_.reconstruct(b); }); }
  std::pair<Tensor<float>, Tensor<float>> encode(const Batch& b) override { return guard(kEncodes, "encode", [&] { return inner_.encode(b); }); }
  Tensor<float> decode(const Tensor<float>& z, const std::vector<std::int32_t>& y) override { return guard(kEncodes, "decode", [&] { return inner_.decode(z, y); }); }
  Tensor<float> sample(std::size_t n, const std::vector<std::int32_t>& y, Rng& rng) override { return guard(kSamples, "sample", [&] { return inner_.sample(n, y, rng); }); }
  Tensor<float> discriminate(const Batch& b) override { return guard(kDiscriminates, "discriminate", [&] { return inner_.discriminate(b); }); }
  Tensor<float> translate(const Batch& b, int d) override { return guard(kTranslates, "translate", [&] { return inner_.translate(b, d); }); }
  Tensor<float> log_importance_weights(const Batch& b, std::size_t k, Rng& rng) override {
    return guard(kImportanceWeights, "log_importance_weights", [&] { return inner_.log_importance_weights(b, k, rng); });
  }
  Tensor<float> classify(const Batch& b) override { return guard(kClassifies, "classify", [&] { return inner_.classify(b); }); }
  Tensor<float> features(const Batch& b) override { return guard(kClassifies, "features", [&] { return inner_.features(b); }); }

 private:
  template <class F>
  auto guard(unsigned bit, const char* what, F&& f) -> decltype(f()) {
    if (!(declared_ & bit)) {
      undeclared_calls.push_back(what);
      throw PluginError(std::string("the harness called undeclared capability ") + what + "()");
    }
    return f();
  }
  Model& inner_;
  unsigned declared_;
};

// Forwards to the harness's context and records parameter names given to make_optimizer() twice
// (the optimizer refuses them, which would otherwise hide which rule was broken).
class NameRecordingInit final : public InitContext {
 public:
  explicit NameRecordingInit(InitContext& inner) : inner_(inner) {}
  std::vector<std::string> duplicates;
  const Params& params() const override { return inner_.params(); }
  const DataInfo& data() const override { return inner_.data(); }
  Rng& init_rng() override { return inner_.init_rng(); }
  Optimizer<float>& make_optimizer(const std::string& group, std::vector<NamedParameter<float>> params) override {
    for (const auto& p : params) {
      if (!seen_.insert(p.name).second) duplicates.push_back(p.name);
    }
    return inner_.make_optimizer(group, std::move(params));
  }

 private:
  InitContext& inner_;
  std::set<std::string> seen_;
};

bool finite(const Tensor<float>& t) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!std::isfinite(t.data()[i])) return false;
  }
  return true;
}

void require_shape(const std::string& what, const Tensor<float>& t, const Shape& expected) {
  require(shape_of(t) == expected, what + " returned shape " + shape_str(shape_of(t)) + ", expected " + shape_str(expected));
  require(finite(t), what + " returned a value that is not finite");
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out + "\"";
}

class Contract {
 public:
  Contract(std::string plugin, const ContractOptions& o) : asked_(std::move(plugin)), o_(o) {}
  ContractReport run();

 private:
  // Runs `body` as check `name` unless a check it needs failed; records PASS/FAIL.
  bool check(const std::string& name, bool can_run, const std::function<std::string()>& body);
  void capability_checks(Model& model, const ModelDescription& d);
  RunResult run_cell(const std::string& label, std::vector<std::string> extra);

  std::string asked_;
  const ContractOptions& o_;
  ContractReport report_;
  std::optional<Plugin> plugin_;
  fs::path file_;
  fs::path experiment_;
  std::vector<std::string> sets_;
  std::optional<RunSpec> spec_;  // the 6-step run of "trains"
  DataSplits data_;
  DataInfo info_;
};

bool Contract::check(const std::string& name, bool can_run, const std::function<std::string()>& body) {
  ContractCheck c;
  c.name = name;
  if (!can_run) {
    c.ran = false;
    c.detail = "not run: a check it needs failed";
  } else {
    try {
      c.detail = body();
      c.passed = true;
    } catch (const std::exception& e) {
      c.detail = e.what();
    }
  }
  if (o_.out) *o_.out << (c.passed ? "PASS  " : c.ran ? "FAIL  " : "SKIP  ") << name << (c.detail.empty() ? "" : ": " + c.detail) << "\n" << std::flush;
  report_.checks.push_back(c);
  return c.passed;
}

RunResult Contract::run_cell(const std::string& label, std::vector<std::string> extra) {
  std::vector<std::string> sets = sets_;
  sets.push_back("experiment.output=" + toml_string((o_.work_dir / label).string()));
  sets.insert(sets.end(), extra.begin(), extra.end());
  sets.insert(sets.end(), o_.sets.begin(), o_.sets.end());
  const Experiment e = load_and_validate(experiment_, sets);
  require(e.runs.size() == 1, "the contract needs an experiment of one run, got " + std::to_string(e.runs.size()));
  if (!spec_) spec_ = e.runs[0];
  return run_one(e.runs[0], RunnerOptions{});
}

ContractReport Contract::run() {
  report_.plugin = asked_;
  const bool is_file = asked_.find('/') != std::string::npos || fs::path(asked_).extension() == ".so";
  const bool loads = check("loads", true, [&] {
    plugin_ = is_file ? load_plugin_file(asked_) : load_plugin(asked_);
    file_ = plugin_->info().file;
    report_.plugin = plugin_->info().description.name;
    return file_.string() + " (ABI " + std::to_string(kPluginAbiVersion) + ", genlab " + version() + ", " +
           GENLAB_COMPILER_ABI + ")";
  });
  const ModelDescription d = loads ? plugin_->info().description : ModelDescription{};
  check("describes", loads, [&] {
    require(!d.name.empty(), "empty name");
    require(file_.filename().string() == plugin_file_name(d.name),
            "file " + file_.filename().string() + " holds model '" + d.name + "': expected " + plugin_file_name(d.name));
    require(!d.version.empty() && !d.summary.empty(), "empty version or summary");
    require(!d.optimizer_groups.empty() || d.capabilities == 0, "declares no optimizer group");
    std::set<std::string> cards;
    for (const auto& c : d.metric_cards) require(cards.insert(c.name).second, "two metric cards named '" + c.name + "'");
    return d.name + " " + d.version + ": " + capabilities_str(d.capabilities) + "; output " + output_range_str(d.output_range);
  });
  check("hyper-parameter names unique", loads, [&] {
    std::set<std::string> names;
    for (const auto& p : d.schema) require(names.insert(p.name).second, "hyper-parameter '" + p.name + "' declared twice");
    return std::to_string(names.size()) + " hyper-parameters";
  });

  fs::create_directories(o_.work_dir);
  experiment_ = o_.experiment;
  if (loads && experiment_.empty()) {
    experiment_ = o_.work_dir / "contract.toml";
    const std::string data = !o_.data.empty() ? o_.data : (d.capabilities & kTranslates) ? "fashion_invert" : "fashion_mnist";
    std::ofstream(experiment_) << "# generated by genlab test-plugin\n[experiment]\nname = \"contract\"\n[data]\nname = "
                               << toml_string(data) << "\n[model]\nplugin = " << toml_string(d.name) << "\n";
  }
  if (is_file) sets_.push_back("model.path=" + toml_string(file_.string()));
  for (const char* s : {"experiment.seeds=[3]", "train.epochs=0", "train.steps=6", "train.batch_size=32",
                        "eval.every_epochs=0", "eval.every_steps=3", "eval.batch_size=100", "eval.samples=16",
                        "eval.iwae_k=8", "eval.iwae_images=16", "eval.heavy_metrics=\"every\"", "data.limit=200",
                        "run.checkpoint_every_epochs=0", "run.checkpoint_every_steps=3"}) {
    sets_.push_back(s);
  }

  RunResult a;
  const bool trains = check("trains", loads, [&] {
    a = run_cell("a", {});
    require(a.status == RunStatus::Finished, std::string("run ") + run_status_str(a.status) + ": " + a.message);
    const RunSummary s = read_run(a.file);
    require(s.train.at("step").size() == 6 && s.eval.at("step").size() == 2, "expected 6 training steps and 2 evaluations");
    return "6 steps, 2 evaluations: " + a.file.string();
  });
  check("finite metrics", trains, [&] {
    const RunSummary s = read_run(a.file);
    for (const auto* group : {&s.train, &s.eval}) {
      for (const auto& [k, v] : *group) {
        for (double x : v) require(std::isfinite(x), "metric " + k + " = " + std::to_string(x));
      }
    }
    return std::to_string(s.train.size() + s.eval.size()) + " series";
  });
  check("deterministic", trains, [&] {
    const RunResult b = run_cell("b", {});
    require(b.status == RunStatus::Finished, std::string("second run ") + run_status_str(b.status) + ": " + b.message);
    const std::string diff = compare_run_files(a.file, b.file);
    require(diff.empty(), "same seed, different bits: " + diff);
    return "two runs with seed 3: metrics and checkpoints bitwise identical";
  });
  check("exact resume", trains, [&] {
    const RunResult c1 = run_cell("c", {"run.stop_after_steps=3"});
    require(c1.status == RunStatus::Interrupted, std::string("stopped run ") + run_status_str(c1.status) + ": " + c1.message);
    const RunResult c2 = run_cell("c", {});
    require(c2.status == RunStatus::Finished, std::string("resumed run ") + run_status_str(c2.status) + ": " + c2.message);
    const std::string diff = compare_run_files(a.file, c2.file);
    require(diff.empty(), "stopped at step 3 and resumed, not identical to an uninterrupted run: " + diff);
    return "stop at step 3 + resume == 6 steps, bitwise";
  });

  // A fresh model (another init seed): its names and capabilities are checked, and run a's
  // final checkpoint is restored into it.
  std::shared_ptr<Model> model;
  std::unique_ptr<OptimizerSet> optimizers;
  Rng noise(0, "noise");
  std::vector<std::string> duplicates;  // parameter names given to make_optimizer twice
  const bool built = check("builds", loads && spec_.has_value(), [&] {
    data_ = load_data(data_options_of(*spec_), spec_->seed);
    info_ = {data_.train.name, data_.train.sample_shape, data_.train.x.shape()[1], data_.train.num_classes,
             data_.train.x.shape()[0]};
    optimizers = std::make_unique<OptimizerSet>(*spec_, 6);
    model = plugin_->create();
    const Params params = spec_->params ? *spec_->params : resolve_model_params(*spec_, d.schema);
    HarnessInitContext harness(params, info_, spec_->seed + 1, *optimizers, d);
    NameRecordingInit ctx(harness);
    try {
      call_plugin(d.name, [&] { model->init(ctx); });
    } catch (...) {
      duplicates = ctx.duplicates;
      throw;
    }
    return "init() on " + info_.name + " " + shape_str(info_.sample_shape);
  });
  const bool names_ok = check("parameter names unique", built || !duplicates.empty(), [&] {
    for (const auto& n : duplicates) require(false, "parameter name '" + n + "' is used twice (given to make_optimizer)");
    std::set<std::string> names;
    for (const auto& p : model->parameters()) require(!p.name.empty() && names.insert(p.name).second, "parameter name '" + p.name + "' is empty or used twice");
    for (const auto& [n, t] : model->buffers()) require(!n.empty() && names.insert(n).second, "buffer name '" + n + "' is empty or used twice");
    return std::to_string(names.size()) + " parameters and buffers";
  });
  check("checkpoint round trip", trains && names_ok, [&] {
    std::int64_t step = 0;
    const Checkpoint stored = read_checkpoint(a.file, &step);
    restore_checkpoint(stored, *model, *optimizers, noise);
    const Checkpoint again = make_checkpoint(*model, *optimizers, noise);
    require(again.size() == stored.size(), "restored model exports " + std::to_string(again.size()) + " entries, the checkpoint has " + std::to_string(stored.size()));
    for (const auto& [k, t] : stored) require(again.count(k) && again.at(k) == t, "entry " + k + " differs after restore");
    // the restored model reproduces the run's final evaluation bit for bit
    EvalSettings s;
    s.batch_size = spec_->eval.batch_size;
    s.samples = spec_->eval.samples;
    s.seed = spec_->seed;
    s.step = step;
    s.heavy = true;
    s.iwae_k = spec_->eval.iwae_k;
    s.iwae_images = spec_->eval.iwae_images;
    const EvalOutput out = evaluate_model(*model, d, data_.test, info_, s);
    const RunSummary run = read_run(a.file);
    for (const auto& [k, v] : out.metrics) {
      if (!run.eval.count(k)) continue;
      const double stored_v = run.eval.at(k).back();
      require(std::memcmp(&stored_v, &v, sizeof v) == 0, "eval/" + k + " of the restored model is " + std::to_string(v) + ", the run stored " + std::to_string(stored_v));
    }
    return std::to_string(stored.size()) + " entries; the final evaluation reproduces bitwise";
  });
  if (built) capability_checks(*model, d);
  check("undeclared capabilities not called", built, [&] {
    DeclaredOnly guarded(*model, d.capabilities);
    EvalSettings s;
    s.batch_size = 100;
    s.samples = 4;
    s.seed = 5;
    s.step = 1;
    s.heavy = true;
    s.iwae_k = 4;
    s.iwae_images = 8;
    evaluate_model(guarded, d, data_.test, info_, s);
    return std::string("a full evaluation called only declared capabilities");
  });
  return report_;
}

void Contract::capability_checks(Model& model, const ModelDescription& d) {
  NoGradGuard no_grad;
  model.set_training(false);
  const std::size_t b = std::min<std::size_t>(4, data_.test.size()), dim = info_.dim;
  const Batch batch = batch_of(data_.test, 0, b);
  std::vector<std::int32_t> labels;
  if (d.capabilities & kConditional) {
    for (std::size_t i = 0; i < b; ++i) labels.push_back(static_cast<std::int32_t>(i % std::max<std::size_t>(1, info_.num_classes)));
  }
  Rng rng(7, "contract/capabilities");
  auto cap = [&](unsigned bit, const std::string& name, const std::function<std::string()>& body) {
    if (d.capabilities & bit) check("capability " + name, true, [&] { return call_plugin(d.name, body); });
  };
  cap(kReconstructs, "reconstructs", [&] {
    require_shape("reconstruct()", model.reconstruct(batch), {b, dim});
    return "reconstruct() -> (" + std::to_string(b) + ", " + std::to_string(dim) + ")";
  });
  cap(kEncodes, "encodes", [&] {
    const auto [mu, logvar] = model.encode(batch);
    require(mu.dimension() == 2 && mu.shape()[0] == b, "encode() mu has shape " + shape_str(shape_of(mu)) + ", expected (B, Z)");
    const std::size_t z = mu.shape()[1];
    require(model.latent_dim() == 0 || model.latent_dim() == z, "encode() gives Z = " + std::to_string(z) + " but latent_dim() = " + std::to_string(model.latent_dim()));
    require_shape("encode() mu", mu, {b, z});
    require_shape("encode() logvar", logvar, {b, z});
    require_shape("decode()", model.decode(mu, labels), {b, dim});
    return "encode() -> (" + std::to_string(b) + ", " + std::to_string(z) + ") x 2, decode() -> (" + std::to_string(b) + ", " + std::to_string(dim) + ")";
  });
  cap(kSamples, "samples", [&] {
    require_shape("sample(4)", model.sample(b, labels, rng), {b, dim});
    return "sample(" + std::to_string(b) + ") -> (" + std::to_string(b) + ", " + std::to_string(dim) + ")";
  });
  cap(kDiscriminates, "discriminates", [&] {
    const Tensor<float> logits = model.discriminate(batch);
    // translators score x_b with domain B's discriminator after x (model.hpp)
    const bool per_domain = (d.capabilities & kTranslates) && batch.two_domain();
    const std::size_t want = per_domain ? b + batch.x_b.shape()[0] : b;
    require(logits.size() == want && finite(logits), "discriminate() returned shape " + shape_str(shape_of(logits)) +
                                                         ", expected (" + std::to_string(want) + ",)");
    return std::string(per_domain ? "discriminate() -> (B + B_b,)" : "discriminate() -> (B,)");
  });
  cap(kTranslates, "translates", [&] {
    require_shape("translate(A->B)", model.translate(batch, 0), {b, dim});
    require_shape("translate(B->A)", model.translate(batch, 1), {b, dim});
    return std::string("translate() both ways -> (B, D)");
  });
  cap(kImportanceWeights, "importance weights", [&] {
    require_shape("log_importance_weights(k = 3)", model.log_importance_weights(batch, 3, rng), {3, b});
    return std::string("log_importance_weights() -> (3, B)");
  });
  cap(kClassifies, "classifies", [&] {
    require_shape("classify()", model.classify(batch), {b, info_.num_classes});
    const Tensor<float> f = model.features(batch);
    require(f.dimension() == 2 && f.shape()[0] == b && f.shape()[1] > 0 && finite(f), "features() returned shape " + shape_str(shape_of(f)));
    return "classify() -> (B, " + std::to_string(info_.num_classes) + "), features() -> " + shape_str(shape_of(f));
  });
  cap(kGaussianPosterior, "gaussian posterior", [&] {
    require(d.capabilities & kEncodes, "declares a Gaussian posterior but not 'encodes'");
    return std::string("with encode()");
  });
  cap(kStandardNormalPrior, "N(0, I) prior", [&] {
    require(d.capabilities & (kSamples | kEncodes), "declares a prior but neither samples nor encodes");
    return std::string("with sample() or encode()");
  });
  model.set_training(true);
}

}  // namespace

ContractReport run_contract(const std::string& plugin, const ContractOptions& options) {
  Contract contract(plugin, options);
  return contract.run();
}

}  // namespace genlab
