// Optimizer base: parameter list checks, zero_grad, and the step counter's export / restore.
// "step" is stored as two exact integers {step / 65536, step % 65536} so that a float TensorMap
// holds counts up to 2^40 exactly. Update rules live in sgd.cpp, adam.cpp, rmsprop.cpp.
#include <cmath>
#include <set>
#include <string>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/optim.hpp"
#include "optim/state_slots.hpp"

namespace genlab {

namespace {
constexpr std::int64_t kStepRadix = 65536;
constexpr std::int64_t kMaxStep = std::int64_t(1) << 40;
}  // namespace

template <class T>
Optimizer<T>::Optimizer(std::vector<NamedParameter<T>> params, double lr)
    : params_(std::move(params)), lr_(lr) {
  if (!std::isfinite(lr) || lr < 0) {
    throw ConfigError("optimizer: learning rate must be finite and >= 0, got " +
                      std::to_string(lr));
  }
  std::set<std::string> names;
  for (const auto& p : params_) {
    if (!p.variable.defined())
      throw ConfigError("optimizer: parameter '" + p.name + "' is undefined");
    if (!names.insert(p.name).second) {
      throw ConfigError("optimizer: duplicate parameter name '" + p.name + "'");
    }
  }
}

template <class T>
void Optimizer<T>::zero_grad() {
  for (const auto& p : params_) p.variable.zero_grad();
}

// "step": (2,) = {steps / 65536, steps % 65536}, both exact in float
template <class T>
TensorMap<T> Optimizer<T>::state() const {
  if (steps_ >= kMaxStep) {
    throw ConfigError("optimizer: step count " + std::to_string(steps_) + " too large to export");
  }
  Tensor<T> step = Tensor<T>::from_shape({2});
  step(0) = static_cast<T>(steps_ / kStepRadix);
  step(1) = static_cast<T>(steps_ % kStepRadix);
  TensorMap<T> out;
  out["step"] = std::move(step);
  return out;
}

template <class T>
void Optimizer<T>::load_state(const TensorMap<T>& state) {
  const Tensor<T>& step = optim_detail::require_entry(state, "step", Shape{2});
  const T high = step(0), low = step(1);
  const bool integral = high >= T(0) && low >= T(0) && low < T(kStepRadix) &&
                        high < T(kMaxStep / kStepRadix) && std::floor(high) == high &&
                        std::floor(low) == low;
  if (!integral) {
    throw ConfigError("optimizer state: entry 'step' holds {" + std::to_string(high) + ", " +
                      std::to_string(low) + "}, not a valid step count");
  }
  steps_ = static_cast<std::int64_t>(high) * kStepRadix + static_cast<std::int64_t>(low);
}

#define GENLAB_INSTANTIATE(T) template class Optimizer<T>;
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
