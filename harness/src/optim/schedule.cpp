// Learning-rate schedules as pure functions of the 0-based step: constant, step decay
// (lr * gamma^floor(step / step_size)), linear decay to lr * end_factor, and constant for the
// first half then that linear decay (CycleGAN's). They hold no state,
// so resuming needs only the step count. Negative steps are treated as step 0.
#include <algorithm>
#include <cmath>
#include <string>

#include "genlab/error.hpp"
#include "genlab/optim.hpp"

namespace genlab {

namespace {

void require_lr(const char* schedule, double lr) {
  if (!std::isfinite(lr) || lr < 0) {
    throw ConfigError(std::string(schedule) + ": lr must be finite and >= 0, got " +
                      std::to_string(lr));
  }
}

class ConstantSchedule final : public LrSchedule {
 public:
  explicit ConstantSchedule(double lr) : lr_(lr) {}
  double lr(std::int64_t) const override { return lr_; }

 private:
  double lr_;
};

class StepSchedule final : public LrSchedule {
 public:
  StepSchedule(double lr, std::int64_t step_size, double gamma)
      : lr_(lr), step_size_(step_size), gamma_(gamma) {}
  double lr(std::int64_t step) const override {
    const std::int64_t decays = std::max<std::int64_t>(step, 0) / step_size_;
    return lr_ * std::pow(gamma_, static_cast<double>(decays));
  }

 private:
  double lr_;
  std::int64_t step_size_;
  double gamma_;
};

class LinearDecaySchedule final : public LrSchedule {
 public:
  LinearDecaySchedule(double lr, std::int64_t total_steps, double end_factor)
      : lr_(lr), total_steps_(total_steps), end_factor_(end_factor) {}
  double lr(std::int64_t step) const override {
    const std::int64_t s = std::clamp<std::int64_t>(step, 0, total_steps_);
    const double progress = static_cast<double>(s) / static_cast<double>(total_steps_);
    return lr_ * (1.0 + (end_factor_ - 1.0) * progress);
  }

 private:
  double lr_;
  std::int64_t total_steps_;
  double end_factor_;
};

// Constant for the first half (hold steps), then the linear decay over the rest.
class ConstantThenLinearSchedule final : public LrSchedule {
 public:
  ConstantThenLinearSchedule(double lr, std::int64_t total_steps, double end_factor)
      : lr_(lr), hold_(total_steps / 2), decay_(lr, total_steps - total_steps / 2, end_factor) {}
  double lr(std::int64_t step) const override { return step < hold_ ? lr_ : decay_.lr(step - hold_); }

 private:
  double lr_;
  std::int64_t hold_;
  LinearDecaySchedule decay_;
};

}  // namespace

std::unique_ptr<LrSchedule> constant_schedule(double lr) {
  require_lr("constant schedule", lr);
  return std::make_unique<ConstantSchedule>(lr);
}

std::unique_ptr<LrSchedule> step_schedule(double lr, std::int64_t step_size, double gamma) {
  require_lr("step schedule", lr);
  if (step_size <= 0 || !(gamma >= 0) || !std::isfinite(gamma)) {
    throw ConfigError("step schedule: need step_size > 0 and finite gamma >= 0, got step_size " +
                      std::to_string(step_size) + " gamma " + std::to_string(gamma));
  }
  return std::make_unique<StepSchedule>(lr, step_size, gamma);
}

std::unique_ptr<LrSchedule> linear_decay_schedule(double lr, std::int64_t total_steps,
                                                  double end_factor) {
  require_lr("linear decay schedule", lr);
  if (total_steps <= 0 || !(end_factor >= 0) || !std::isfinite(end_factor)) {
    throw ConfigError(
        "linear decay schedule: need total_steps > 0 and finite end_factor >= 0, got total_steps " +
        std::to_string(total_steps) + " end_factor " + std::to_string(end_factor));
  }
  return std::make_unique<LinearDecaySchedule>(lr, total_steps, end_factor);
}

std::unique_ptr<LrSchedule> constant_then_linear_schedule(double lr, std::int64_t total_steps, double end_factor) {
  if (total_steps < 2) {
    throw ConfigError("constant_linear schedule: need at least 2 steps, got " + std::to_string(total_steps));
  }
  linear_decay_schedule(lr, total_steps, end_factor);  // the same checks of lr and end_factor
  return std::make_unique<ConstantThenLinearSchedule>(lr, total_steps, end_factor);
}

}  // namespace genlab
