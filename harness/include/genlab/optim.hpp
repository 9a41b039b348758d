// Optimizers (SGD with momentum and weight decay, Adam/AdamW, RMSProp), learning-rate schedules
// and gradient-norm clipping. Optimizer state exports to and restores from named tensors exactly.
// Optimizers do not build graphs and never allocate per step after the first.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "genlab/nn.hpp"

namespace genlab {

template <class T>
class Optimizer {
 public:
  explicit Optimizer(std::vector<NamedParameter<T>> params, double lr);
  virtual ~Optimizer() = default;
  // Applies one update from the parameters' gradients (a parameter without gradient is skipped).
  virtual void step() = 0;
  void zero_grad();
  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  std::int64_t steps() const { return steps_; }
  const std::vector<NamedParameter<T>>& params() const { return params_; }
  // Named state ("m/encoder/fc1/W", "step", ...) and its exact restore. Throws ConfigError on a
  // missing entry or a shape mismatch, naming the entry.
  virtual TensorMap<T> state() const;
  virtual void load_state(const TensorMap<T>& state);

 protected:
  std::vector<NamedParameter<T>> params_;
  double lr_;
  std::int64_t steps_ = 0;
};

struct SgdOptions {
  double lr = 0.01, momentum = 0.0, weight_decay = 0.0;
  bool nesterov = false;
};
struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
  bool decoupled_weight_decay = false;  // true = AdamW
};
struct RmspropOptions {
  double lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0.0, momentum = 0.0;
};

template <class T> std::unique_ptr<Optimizer<T>> make_sgd(std::vector<NamedParameter<T>> params, SgdOptions o);
template <class T> std::unique_ptr<Optimizer<T>> make_adam(std::vector<NamedParameter<T>> params, AdamOptions o);
template <class T> std::unique_ptr<Optimizer<T>> make_rmsprop(std::vector<NamedParameter<T>> params, RmspropOptions o);

// Learning rate as a function of the step (0-based).
class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  virtual double lr(std::int64_t step) const = 0;
};
std::unique_ptr<LrSchedule> constant_schedule(double lr);
// lr * gamma^(step / step_size)
std::unique_ptr<LrSchedule> step_schedule(double lr, std::int64_t step_size, double gamma);
// linear from lr at step 0 to lr * end_factor at total_steps, constant after
std::unique_ptr<LrSchedule> linear_decay_schedule(double lr, std::int64_t total_steps, double end_factor);
// lr for the first half of total_steps, then linear to lr * end_factor at total_steps (CycleGAN's
// schedule: 100 epochs constant, 100 decaying to 0)
std::unique_ptr<LrSchedule> constant_then_linear_schedule(double lr, std::int64_t total_steps, double end_factor);

// Scales all gradients so their global L2 norm is at most max_norm; returns the norm before.
template <class T>
double clip_grad_norm(const std::vector<NamedParameter<T>>& params, double max_norm);

}  // namespace genlab
