// RMSProp as torch.optim.RMSprop (centered off):  g' = g + wd p;  s = a s + (1-a) g'^2;
// with momentum mu > 0: buf = mu buf + g' / (sqrt(s) + eps), p -= lr buf;  else p -= lr g' /
// (sqrt(s) + eps). Buffers are allocated in the constructor; step() never allocates.
#include <cmath>
#include <string>

#include "core/instantiate.hpp"
#include "core/target_clones.hpp"
#include "genlab/error.hpp"
#include "genlab/optim.hpp"
#include "optim/flush_state.hpp"
#include "optim/param_chunks.hpp"
#include "optim/state_slots.hpp"

namespace genlab {

namespace {

// Both loops are cloned for AVX2 like Adam's (adam.cpp): the same rounding, twice the lanes.
template <class T>
GENLAB_TARGET_CLONES("avx2", "default")
void rmsprop_update(T* __restrict p, const T* __restrict g, T* __restrict sq, std::size_t n, T lr,
                    T alpha, T one_minus_alpha, T eps, T wd) {
  for (std::size_t j = 0; j < n; ++j) {
    const T gj = g[j] + wd * p[j];
    const T s = optim_detail::flush_subnormal(alpha * sq[j] + one_minus_alpha * gj * gj);
    sq[j] = s;
    p[j] -= lr * (gj / (std::sqrt(s) + eps));
  }
}

template <class T>
GENLAB_TARGET_CLONES("avx2", "default")
void rmsprop_momentum_update(T* __restrict p, const T* __restrict g, T* __restrict sq,
                             T* __restrict buf, std::size_t n, T lr, T alpha, T one_minus_alpha,
                             T eps, T wd, T mu) {
  for (std::size_t j = 0; j < n; ++j) {
    const T gj = g[j] + wd * p[j];
    const T s = optim_detail::flush_subnormal(alpha * sq[j] + one_minus_alpha * gj * gj);
    sq[j] = s;
    const T b = optim_detail::flush_subnormal(mu * buf[j] + gj / (std::sqrt(s) + eps));
    buf[j] = b;
    p[j] -= lr * b;
  }
}

template <class T>
class Rmsprop final : public Optimizer<T> {
 public:
  Rmsprop(std::vector<NamedParameter<T>> params, RmspropOptions o)
      : Optimizer<T>(std::move(params), o.lr),
        o_(o),
        square_avg_("square_avg", this->params_),
        momentum_("momentum", this->params_, o.momentum != 0),
        chunks_(optim_detail::chunk_params(this->params_)) {
    const bool ok =
        o.alpha >= 0 && o.alpha <= 1 && o.eps >= 0 && o.weight_decay >= 0 && o.momentum >= 0;
    if (!ok) {
      throw ConfigError(
          "rmsprop: need 0 <= alpha <= 1, eps, weight_decay, momentum >= 0; got alpha " +
          std::to_string(o.alpha) + " eps " + std::to_string(o.eps) + " weight_decay " +
          std::to_string(o.weight_decay) + " momentum " + std::to_string(o.momentum));
    }
  }

  void step() override {
    ++this->steps_;
    const T lr = static_cast<T>(this->lr_), alpha = static_cast<T>(o_.alpha);
    const T one_minus_alpha = static_cast<T>(1 - o_.alpha), eps = static_cast<T>(o_.eps);
    const T wd = static_cast<T>(o_.weight_decay), mu = static_cast<T>(o_.momentum);
    const auto check = [&](std::size_t i) {
      const NamedParameter<T>& param = this->params_[i];
      const std::size_t n = param.variable.size();
      optim_detail::require_same_size("rmsprop", param.name, n, param.variable.mutable_grad().size());
      optim_detail::require_same_size("rmsprop", param.name, n, square_avg_.size(i));
    };
    const auto update = [&](std::size_t i, std::size_t begin, std::size_t end) {
      const NamedParameter<T>& param = this->params_[i];
      T* p = param.variable.mutable_value().data() + begin;
      const T* g = param.variable.mutable_grad().data() + begin;
      T* square_avg = square_avg_.data(i) + begin;
      if (o_.momentum == 0) {
        rmsprop_update(p, g, square_avg, end - begin, lr, alpha, one_minus_alpha, eps, wd);
      } else {
        rmsprop_momentum_update(p, g, square_avg, momentum_.data(i) + begin, end - begin, lr, alpha,
                                one_minus_alpha, eps, wd, mu);
      }
    };
    optim_detail::update_in_chunks(this->params_, chunks_, check, update);
  }

  TensorMap<T> state() const override {
    TensorMap<T> out = Optimizer<T>::state();
    square_avg_.export_to(this->params_, out);
    momentum_.export_to(this->params_, out);
    return out;
  }

  void load_state(const TensorMap<T>& state) override {
    square_avg_.check(this->params_, state);  // throws before anything changes
    momentum_.check(this->params_, state);
    Optimizer<T>::load_state(state);
    square_avg_.import_from(this->params_, state);
    momentum_.import_from(this->params_, state);
  }

 private:
  RmspropOptions o_;
  optim_detail::StateSlots<T> square_avg_, momentum_;
  std::vector<optim_detail::ParamChunk> chunks_;
};

}  // namespace

template <class T>
std::unique_ptr<Optimizer<T>> make_rmsprop(std::vector<NamedParameter<T>> params,
                                           RmspropOptions o) {
  return std::make_unique<Rmsprop<T>>(std::move(params), o);
}

#define GENLAB_INSTANTIATE(T)                                                            \
  template std::unique_ptr<Optimizer<T>> make_rmsprop<T>(std::vector<NamedParameter<T>>, \
                                                         RmspropOptions);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
