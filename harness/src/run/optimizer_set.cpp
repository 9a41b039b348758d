// OptimizerSet: optimizers from the spec, schedules, clipping and checkpoint entries.
// It does not decide when a plugin steps: the plugin calls step() itself.
#include "run/optimizer_set.hpp"

#include "genlab/error.hpp"
#include "run/checkpoint_io.hpp"

namespace genlab {

namespace {
// Clips the global gradient norm of its parameters before delegating the update.
class ClippingOptimizer final : public Optimizer<float> {
 public:
  ClippingOptimizer(std::unique_ptr<Optimizer<float>> inner, double max_norm)
      : Optimizer<float>(inner->params(), inner->lr()), inner_(std::move(inner)), max_norm_(max_norm) {}
  void step() override {
    if (max_norm_ > 0) clip_grad_norm(params_, max_norm_);
    inner_->set_lr(lr_);
    inner_->step();
    steps_ = inner_->steps();
  }
  TensorMap<float> state() const override { return inner_->state(); }
  void load_state(const TensorMap<float>& state) override {
    inner_->load_state(state);
    steps_ = inner_->steps();
  }

 private:
  std::unique_ptr<Optimizer<float>> inner_;
  double max_norm_;
};

std::unique_ptr<Optimizer<float>> build(const OptimizerSpec& o,
                                        std::vector<NamedParameter<float>> params) {
  if (o.name == "adam" || o.name == "adamw") {
    return make_adam<float>(std::move(params), {o.lr, o.beta1, o.beta2, o.eps, o.weight_decay,
                                                o.name == "adamw"});
  }
  if (o.name == "sgd") {
    return make_sgd<float>(std::move(params), {o.lr, o.momentum, o.weight_decay, o.nesterov});
  }
  if (o.name == "rmsprop") {
    return make_rmsprop<float>(std::move(params), {o.lr, o.alpha, o.eps, o.weight_decay, o.momentum});
  }
  throw ConfigError("train.optimizer.name: unknown optimizer '" + o.name +
                    "' (choices: adam, adamw, sgd, rmsprop)");
}

std::unique_ptr<LrSchedule> build_schedule(const ScheduleSpec& s, double lr, std::int64_t total) {
  if (s.name == "step") return step_schedule(lr, s.step_size, s.gamma);
  if (s.name == "linear") return linear_decay_schedule(lr, total, s.end_factor);
  if (s.name == "constant_linear") return constant_then_linear_schedule(lr, total, s.end_factor);
  return constant_schedule(lr);
}
}  // namespace

OptimizerSet::OptimizerSet(const RunSpec& spec, std::int64_t total_steps)
    : spec_(spec), total_steps_(total_steps) {}

Optimizer<float>& OptimizerSet::make(const std::string& group,
                                     std::vector<NamedParameter<float>> params) {
  if (groups_.count(group)) {
    throw PluginError("the model asked twice for the optimizer of group '" + group + "'");
  }
  const OptimizerSpec o = spec_.optimizer_for(group);
  Group g;
  g.optimizer = std::make_unique<ClippingOptimizer>(build(o, std::move(params)),
                                                    spec_.train.clip_grad_norm);
  g.schedule = build_schedule(spec_.train.schedule, o.lr, total_steps_);
  auto& slot = groups_[group] = std::move(g);
  return *slot.optimizer;
}

void OptimizerSet::apply_schedule(std::int64_t step) {
  for (auto& [name, g] : groups_) g.optimizer->set_lr(g.schedule->lr(step));
}

void OptimizerSet::save(Checkpoint& checkpoint) const {
  for (const auto& [name, g] : groups_) put_tensors(checkpoint, "optim/" + name + "/", g.optimizer->state());
}

void OptimizerSet::load(const Checkpoint& checkpoint) {
  for (auto& [name, g] : groups_) g.optimizer->load_state(get_tensors(checkpoint, "optim/" + name + "/"));
}

}  // namespace genlab
