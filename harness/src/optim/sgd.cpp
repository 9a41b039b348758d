// SGD with optional momentum, Nesterov momentum and (L2, coupled) weight decay, as torch.optim.SGD
// with dampening 0:  g' = g + wd p;  buf = mu buf + g';  d = nesterov ? g' + mu buf : buf;
// p -= lr d.  The momentum buffer is allocated in the constructor; step() never allocates.
#include <string>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/optim.hpp"
#include "optim/flush_state.hpp"
#include "optim/param_chunks.hpp"
#include "optim/state_slots.hpp"

namespace genlab {

namespace {

template <class T>
class Sgd final : public Optimizer<T> {
 public:
  Sgd(std::vector<NamedParameter<T>> params, SgdOptions o)
      : Optimizer<T>(std::move(params), o.lr),
        o_(o),
        momentum_("momentum", this->params_, o.momentum != 0),
        chunks_(optim_detail::chunk_params(this->params_)) {
    if (!(o.momentum >= 0) || !(o.weight_decay >= 0)) {
      throw ConfigError("sgd: momentum and weight_decay must be >= 0, got momentum " +
                        std::to_string(o.momentum) + " weight_decay " +
                        std::to_string(o.weight_decay));
    }
    if (o.nesterov && o.momentum == 0) throw ConfigError("sgd: nesterov needs momentum > 0");
  }

  void step() override {
    ++this->steps_;
    const T lr = static_cast<T>(this->lr_), mu = static_cast<T>(o_.momentum);
    const T wd = static_cast<T>(o_.weight_decay);
    const auto check = [&](std::size_t i) {
      const NamedParameter<T>& param = this->params_[i];
      const std::size_t n = param.variable.size();
      optim_detail::require_same_size("sgd", param.name, n, param.variable.mutable_grad().size());
      if (o_.momentum != 0) optim_detail::require_same_size("sgd", param.name, n, momentum_.size(i));
    };
    const auto update = [&](std::size_t i, std::size_t begin, std::size_t end) {
      const NamedParameter<T>& param = this->params_[i];
      T* p = param.variable.mutable_value().data() + begin;
      const T* g = param.variable.mutable_grad().data() + begin;
      const std::size_t n = end - begin;
      if (o_.momentum == 0) {
        update_plain(p, g, n, lr, wd);
      } else if (o_.nesterov) {
        update_momentum<true>(p, g, momentum_.data(i) + begin, n, lr, mu, wd);
      } else {
        update_momentum<false>(p, g, momentum_.data(i) + begin, n, lr, mu, wd);
      }
    };
    optim_detail::update_in_chunks(this->params_, chunks_, check, update);
  }

  TensorMap<T> state() const override {
    TensorMap<T> out = Optimizer<T>::state();
    momentum_.export_to(this->params_, out);
    return out;
  }

  void load_state(const TensorMap<T>& state) override {
    momentum_.check(this->params_, state);  // throws before anything changes
    Optimizer<T>::load_state(state);
    momentum_.import_from(this->params_, state);
  }

 private:
  static void update_plain(T* __restrict p, const T* __restrict g, std::size_t n, T lr, T wd) {
    for (std::size_t j = 0; j < n; ++j) {
      const T d = g[j] + wd * p[j];
      p[j] -= lr * d;
    }
  }

  template <bool Nesterov>
  static void update_momentum(T* __restrict p, const T* __restrict g, T* __restrict buf,
                              std::size_t n, T lr, T mu, T wd) {
    for (std::size_t j = 0; j < n; ++j) {
      const T gj = g[j] + wd * p[j];
      const T b = optim_detail::flush_subnormal(mu * buf[j] + gj);
      buf[j] = b;
      const T d = Nesterov ? gj + mu * b : b;
      p[j] -= lr * d;
    }
  }

  SgdOptions o_;
  optim_detail::StateSlots<T> momentum_;
  std::vector<optim_detail::ParamChunk> chunks_;
};

}  // namespace

template <class T>
std::unique_ptr<Optimizer<T>> make_sgd(std::vector<NamedParameter<T>> params, SgdOptions o) {
  return std::make_unique<Sgd<T>>(std::move(params), o);
}

#define GENLAB_INSTANTIATE(T) \
  template std::unique_ptr<Optimizer<T>> make_sgd<T>(std::vector<NamedParameter<T>>, SgdOptions);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
