// Adam and AdamW as torch.optim.Adam / AdamW (amsgrad off):  Adam adds wd p to the gradient,
// AdamW multiplies p by (1 - lr wd) first;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
// p -= (lr / (1-b1^t)) m / (sqrt(v) / sqrt(1-b2^t) + eps).  t counts step() calls, which equals
// PyTorch's per-parameter count when every parameter has a gradient at every step.
// m and v are flushed to zero below the smallest normal float (optim/flush_state.hpp).
// m and v are allocated in the constructor; step() is one raw loop per chunk of a parameter, the
// chunks spread over the compute pool (optim/param_chunks.hpp), no allocation.
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

template <class T>
struct AdamCoefficients {
  T b1, one_minus_b1, b2, one_minus_b2, eps;
  T step_size;       // lr / (1 - b1^t)
  T bc2_sqrt;        // sqrt(1 - b2^t)
  T coupled_wd;      // Adam: added to the gradient as wd p
  T decoupled_keep;  // AdamW: p *= 1 - lr wd (1 for Adam)
};

// Cloned for AVX2 (chosen at load time): twice the lanes for the sqrt and the two divisions that
// bound this loop. Both clones round every operation the same way (no FMA), so results do not
// depend on the CPU's choice.
template <class T, bool CoupledDecay>
GENLAB_TARGET_CLONES("avx2", "default")
void adam_update(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                 std::size_t n, const AdamCoefficients<T>& c) {
  for (std::size_t j = 0; j < n; ++j) {
    const T pj = p[j] * c.decoupled_keep;
    const T gj = CoupledDecay ? g[j] + c.coupled_wd * pj : g[j];
    const T mj = optim_detail::flush_subnormal(c.b1 * m[j] + c.one_minus_b1 * gj);
    const T vj = optim_detail::flush_subnormal(c.b2 * v[j] + c.one_minus_b2 * gj * gj);
    m[j] = mj;
    v[j] = vj;
    p[j] = pj - c.step_size * (mj / (std::sqrt(vj) / c.bc2_sqrt + c.eps));
  }
}

template <class T>
class Adam final : public Optimizer<T> {
 public:
  Adam(std::vector<NamedParameter<T>> params, AdamOptions o)
      : Optimizer<T>(std::move(params), o.lr),
        o_(o),
        m_("m", this->params_),
        v_("v", this->params_),
        chunks_(optim_detail::chunk_params(this->params_)) {
    const bool ok = o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1 && o.eps >= 0 &&
                    o.weight_decay >= 0;
    if (!ok) {
      throw ConfigError(
          "adam: need 0 <= beta1, beta2 < 1, eps >= 0, weight_decay >= 0; got beta1 " +
          std::to_string(o.beta1) + " beta2 " + std::to_string(o.beta2) + " eps " +
          std::to_string(o.eps) + " weight_decay " + std::to_string(o.weight_decay));
    }
  }

  void step() override {
    ++this->steps_;
    const double t = static_cast<double>(this->steps_), lr = this->lr_;
    const bool decoupled = o_.decoupled_weight_decay;
    AdamCoefficients<T> c;
    c.b1 = static_cast<T>(o_.beta1);
    c.one_minus_b1 = static_cast<T>(1 - o_.beta1);
    c.b2 = static_cast<T>(o_.beta2);
    c.one_minus_b2 = static_cast<T>(1 - o_.beta2);
    c.eps = static_cast<T>(o_.eps);
    c.step_size = static_cast<T>(lr / (1 - std::pow(o_.beta1, t)));
    c.bc2_sqrt = static_cast<T>(std::sqrt(1 - std::pow(o_.beta2, t)));
    c.coupled_wd = decoupled ? T(0) : static_cast<T>(o_.weight_decay);
    c.decoupled_keep = decoupled ? static_cast<T>(1 - lr * o_.weight_decay) : T(1);
    const bool coupled = !decoupled && o_.weight_decay != 0;
    const auto check = [&](std::size_t i) {
      const NamedParameter<T>& param = this->params_[i];
      const std::size_t n = param.variable.size();
      optim_detail::require_same_size("adam", param.name, n, param.variable.mutable_grad().size());
      optim_detail::require_same_size("adam", param.name, n, m_.size(i));
    };
    const auto update = [&](std::size_t i, std::size_t begin, std::size_t end) {
      const NamedParameter<T>& param = this->params_[i];
      T* p = param.variable.mutable_value().data() + begin;
      const T* g = param.variable.mutable_grad().data() + begin;
      T* m = m_.data(i) + begin;
      T* v = v_.data(i) + begin;
      if (coupled) {
        adam_update<T, true>(p, g, m, v, end - begin, c);
      } else {
        adam_update<T, false>(p, g, m, v, end - begin, c);
      }
    };
    optim_detail::update_in_chunks(this->params_, chunks_, check, update);
  }

  TensorMap<T> state() const override {
    TensorMap<T> out = Optimizer<T>::state();
    m_.export_to(this->params_, out);
    v_.export_to(this->params_, out);
    return out;
  }

  void load_state(const TensorMap<T>& state) override {
    m_.check(this->params_, state);  // throws before anything changes
    v_.check(this->params_, state);
    Optimizer<T>::load_state(state);
    m_.import_from(this->params_, state);
    v_.import_from(this->params_, state);
  }

 private:
  AdamOptions o_;
  optim_detail::StateSlots<T> m_, v_;
  std::vector<optim_detail::ParamChunk> chunks_;
};

}  // namespace

template <class T>
std::unique_ptr<Optimizer<T>> make_adam(std::vector<NamedParameter<T>> params, AdamOptions o) {
  return std::make_unique<Adam<T>>(std::move(params), o);
}

#define GENLAB_INSTANTIATE(T) \
  template std::unique_ptr<Optimizer<T>> make_adam<T>(std::vector<NamedParameter<T>>, AdamOptions);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
