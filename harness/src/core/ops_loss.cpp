// Losses and log-densities: elementwise terms of equal-shaped operands, then Reduction None
// (same shape), Sum or Mean (0-d; summed in double, in a fixed order). Gradients flow to every
// operand that requires one, targets included. No broadcasting and no class weights.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "core/elementwise.hpp"
#include "core/instantiate.hpp"
#include "core/partial_sums.hpp"
#include "core/target_clones.hpp"
#include "core/thread_pool.hpp"
#include "core/vector_math.hpp"
#include "genlab/error.hpp"
#include "genlab/ops.hpp"

namespace genlab {

namespace {

template <class T>
void check_same(const char* op, const char* name_a, const Variable<T>& a, const char* name_b,
                const Variable<T>& b) {
  if (a.shape() != b.shape()) {
    throw ShapeError(std::string(op) + ": " + name_a + " " + shape_str(a.shape()) + " and " +
                     name_b + " " + shape_str(b.shape()) + " must have the same shape");
  }
}

// The loss terms l (like the operands) reduced as asked: l itself, or a 0-d sum or mean. The sum
// runs in double over fixed chunks (partial sums added in chunk order), so its rounding depends
// on the size only, never on the thread count.
template <class T>
Tensor<T> reduce(Tensor<T> l, Reduction reduction) {
  if (reduction == Reduction::None) return l;
  const std::size_t n = l.size(), chunks = (n + kElementwiseGrain - 1) / kElementwiseGrain;
  const T* v = l.data();
  std::vector<double> partial(chunks, 0.0);
  parallel_chunks(n, kElementwiseGrain, [&](std::size_t begin, std::size_t end) {
    partial[begin / kElementwiseGrain] =
        detail::sum4(end - begin, [&](std::size_t i) { return static_cast<double>(v[begin + i]); });
  });
  double acc = 0.0;
  for (double p : partial) acc += p;
  if (reduction == Reduction::Mean) acc /= static_cast<double>(n);
  Tensor<T> out = Tensor<T>::from_shape(Shape{});
  out.data()[0] = static_cast<T>(acc);
  return out;
}

// dL/dl[i] given the result's gradient: per element for None, one scalar for Sum and Mean.
template <class T>
struct Upstream {
  const T* g;
  T scalar;
  bool per_element;
};

template <class T>
Upstream<T> upstream(const Node<T>& out, Reduction reduction, std::size_t n) {
  const T* g = out.grad.data();
  if (reduction == Reduction::None) return {g, T(0), true};
  const T scalar = reduction == Reduction::Mean ? g[0] / static_cast<T>(n) : g[0];
  return {g, scalar, false};
}

// v.grad (+)= (g[i] or the scalar) * partial(i), when v requires a gradient.
template <class T, class F>
void backprop(const Variable<T>& v, const Upstream<T>& up, F&& partial) {
  if (!v.requires_grad()) return;
  if (up.per_element) {
    detail::accumulate_each_parallel(*v.node(), [&](std::size_t i) { return up.g[i] * partial(i); });
  } else {  // Sum / Mean: one scalar, hoisted so that the loop vectorises
    const T scalar = up.scalar;
    detail::accumulate_each_parallel(*v.node(), [&](std::size_t i) { return scalar * partial(i); });
  }
}

// The loss terms f(i) for i < n, in a tensor of the given shape (chunks on the compute pool).
template <class T, class F>
Tensor<T> terms(const Shape& shape, F&& f) {
  Tensor<T> l = Tensor<T>::from_shape(shape);
  T* out = l.data();
  parallel_chunks(l.size(), kElementwiseGrain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) out[i] = f(i);
  });
  return l;
}

// sigmoid(z) from e = exp(-|z|): 1 / (1 + exp(-z)) for z >= 0, exp(z) / (1 + exp(z)) below.
// One division either way, so that the loop vectorises.
template <class T>
T sigmoid_from(T z, T e) {
  return (z >= T(0) ? T(1) : e) / (T(1) + e);
}

// z, t: (n) -> e = exp(-|z|) (kept for the backward's sigmoid) and
// l = sign * (max(z, 0) - z t + log1p(e)), finite for any finite z. exp and log run over whole
// chunks (vector_math.hpp): libm's scalar expf / logf / log1pf were most of a VAE step's
// elementwise time. log(1 + e) is within one ulp of 1 + e in absolute terms, and a third-order
// series covers small e where log(1 + e) would lose its digits.
// The two passes around exp and log of one chunk of bce_logit_terms; the four buffers are
// distinct, so the loops vectorise. e / 3 stays a division: the series must round as before.
template <class T>
[[gnu::always_inline]] inline void neg_abs_pass(const T* __restrict z, T* __restrict e, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) e[i] = -std::abs(z[i]);
}
template <class T>
[[gnu::always_inline]] inline void one_plus_pass(const T* __restrict e, T* __restrict l, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) l[i] = T(1) + e[i];
}
template <class T>
[[gnu::always_inline]] inline void bce_combine_pass(const T* __restrict z, const T* __restrict t, const T* __restrict e,
                                                    T* __restrict l, std::size_t n, T sign) {
  for (std::size_t i = 0; i < n; ++i) {
    const T series = e[i] * (T(1) - e[i] * (T(0.5) - e[i] / T(3)));  // computed always, so the loop vectorises
    const T softplus = e[i] < T(1e-3) ? series : l[i];
    l[i] = sign * (std::max(z[i], T(0)) - z[i] * t[i] + softplus);
  }
}

// float's passes in the widest vector ISA the CPU has. The clones give the same bits: each
// element's operations are the same IEEE operations in the same order (no FMA: genlab builds
// with -ffp-contract=off), only more lanes at a time.
#define GENLAB_WIDE_CLONES GENLAB_TARGET_CLONES("avx512f", "avx2", "default")
GENLAB_WIDE_CLONES void neg_abs_wide(const float* z, float* e, std::size_t n) { neg_abs_pass(z, e, n); }
GENLAB_WIDE_CLONES void one_plus_wide(const float* e, float* l, std::size_t n) { one_plus_pass(e, l, n); }
GENLAB_WIDE_CLONES void bce_combine_wide(const float* z, const float* t, const float* e, float* l, std::size_t n,
                                         float sign) {
  bce_combine_pass(z, t, e, l, n, sign);
}
void neg_abs_wide(const double* z, double* e, std::size_t n) { neg_abs_pass(z, e, n); }
void one_plus_wide(const double* e, double* l, std::size_t n) { one_plus_pass(e, l, n); }
void bce_combine_wide(const double* z, const double* t, const double* e, double* l, std::size_t n, double sign) {
  bce_combine_pass(z, t, e, l, n, sign);
}

template <class T>
void bce_logit_chunk(const T* z, const T* t, T* e, T* l, std::size_t n, T sign) {
  neg_abs_wide(z, e, n);
  detail::exp_array(e, e, n);
  one_plus_wide(e, l, n);
  detail::log_array(l, l, n);
  bce_combine_wide(z, t, e, l, n, sign);
}

template <class T>
void bce_logit_terms(const T* z, const T* t, T* e, T* l, std::size_t n, T sign) {
  parallel_chunks(n, kElementwiseGrain, [&](std::size_t begin, std::size_t end) {
    bce_logit_chunk(z + begin, t + begin, e + begin, l + begin, end - begin, sign);
  });
}

template <class T>
T clamped_log(T v) {
  return std::max(std::log(v), T(-100));  // PyTorch's BCELoss clamp
}

}  // namespace

// logits, targets: same shape -> loss terms max(z,0) - z t + log1p(exp(-|z|)), reduced.
template <class T>
Variable<T> bce_with_logits(const Variable<T>& logits, const Variable<T>& targets,
                            Reduction reduction) {
  check_same("bce_with_logits", "logits", logits, "targets", targets);
  Tensor<T> e = Tensor<T>::from_shape(logits.shape()), l = Tensor<T>::from_shape(logits.shape());
  bce_logit_terms(logits.value().data(), targets.value().data(), e.data(), l.data(), l.size(), T(1));
  return make_op<T>("bce_with_logits", reduce(std::move(l), reduction), {logits, targets},
                    [logits, targets, reduction, e = std::move(e)](const Node<T>& out) {
    const auto up = upstream(out, reduction, logits.size());
    const T* zv = logits.value().data();
    const T* tv = targets.value().data();
    const T* es = e.data();
    backprop(logits, up, [&](std::size_t i) { return sigmoid_from(zv[i], es[i]) - tv[i]; });
    backprop(targets, up, [&](std::size_t i) { return -zv[i]; });
  });
}

// probs in [0, 1], targets: same shape -> -(t log p + (1 - t) log(1 - p)), logs clamped >= -100.
// d/dp = (p - t) / max(p (1 - p), 1e-12), as PyTorch's BCELoss.
template <class T>
Variable<T> bce(const Variable<T>& probs, const Variable<T>& targets, Reduction reduction) {
  check_same("bce", "probs", probs, "targets", targets);
  const T* p = probs.value().data();
  const T* t = targets.value().data();
  Tensor<T> l = terms<T>(probs.shape(), [&](std::size_t i) {
    return -(t[i] * clamped_log(p[i]) + (T(1) - t[i]) * clamped_log(T(1) - p[i]));
  });
  return make_op<T>("bce", reduce(std::move(l), reduction), {probs, targets},
                    [probs, targets, reduction](const Node<T>& out) {
    const auto up = upstream(out, reduction, probs.size());
    const T* pv = probs.value().data();
    const T* tv = targets.value().data();
    backprop(probs, up, [&](std::size_t i) {
      return (pv[i] - tv[i]) / std::max(pv[i] * (T(1) - pv[i]), T(1e-12));
    });
    backprop(targets, up,
             [&](std::size_t i) { return clamped_log(T(1) - pv[i]) - clamped_log(pv[i]); });
  });
}

// a, b: same shape -> (a - b)^2, reduced.
template <class T>
Variable<T> mse(const Variable<T>& a, const Variable<T>& b, Reduction reduction) {
  check_same("mse", "a", a, "b", b);
  const T* av = a.value().data();
  const T* bv = b.value().data();
  Tensor<T> l =
      terms<T>(a.shape(), [&](std::size_t i) { return (av[i] - bv[i]) * (av[i] - bv[i]); });
  return make_op<T>("mse", reduce(std::move(l), reduction), {a, b},
                    [a, b, reduction](const Node<T>& out) {
    const auto up = upstream(out, reduction, a.size());
    const T* x = a.value().data();
    const T* y = b.value().data();
    backprop(a, up, [&](std::size_t i) { return T(2) * (x[i] - y[i]); });
    backprop(b, up, [&](std::size_t i) { return T(2) * (y[i] - x[i]); });
  });
}

// a, b: same shape -> |a - b|, reduced; the subgradient at a == b is 0.
template <class T>
Variable<T> l1(const Variable<T>& a, const Variable<T>& b, Reduction reduction) {
  check_same("l1", "a", a, "b", b);
  const T* av = a.value().data();
  const T* bv = b.value().data();
  Tensor<T> l = terms<T>(a.shape(), [&](std::size_t i) { return std::abs(av[i] - bv[i]); });
  return make_op<T>("l1", reduce(std::move(l), reduction), {a, b},
                    [a, b, reduction](const Node<T>& out) {
    const auto up = upstream(out, reduction, a.size());
    const T* x = a.value().data();
    const T* y = b.value().data();
    const auto sign = [](T d) { return d > T(0) ? T(1) : (d < T(0) ? T(-1) : T(0)); };
    backprop(a, up, [&](std::size_t i) { return sign(x[i] - y[i]); });
    backprop(b, up, [&](std::size_t i) { return -sign(x[i] - y[i]); });
  });
}

// mu, logvar: same shape -> 0.5 (mu^2 + exp(logvar) - 1 - logvar), reduced.
template <class T>
Variable<T> gaussian_kl(const Variable<T>& mu, const Variable<T>& logvar, Reduction reduction) {
  check_same("gaussian_kl", "mu", mu, "logvar", logvar);
  const T* m = mu.value().data();
  const T* lv = logvar.value().data();
  Tensor<T> l = terms<T>(mu.shape(), [&](std::size_t i) {
    return T(0.5) * (m[i] * m[i] + std::exp(lv[i]) - T(1) - lv[i]);
  });
  return make_op<T>("gaussian_kl", reduce(std::move(l), reduction), {mu, logvar},
                    [mu, logvar, reduction](const Node<T>& out) {
    const auto up = upstream(out, reduction, mu.size());
    const T* mv = mu.value().data();
    const T* lvv = logvar.value().data();
    backprop(mu, up, [&](std::size_t i) { return mv[i]; });
    backprop(logvar, up, [&](std::size_t i) { return T(0.5) * (std::exp(lvv[i]) - T(1)); });
  });
}

// x, mu, logvar: same shape -> -0.5 (log(2 pi) + logvar + (x - mu)^2 exp(-logvar)), reduced.
template <class T>
Variable<T> gaussian_log_density(const Variable<T>& x, const Variable<T>& mu,
                                 const Variable<T>& logvar, Reduction reduction) {
  check_same("gaussian_log_density", "x", x, "mu", mu);
  check_same("gaussian_log_density", "x", x, "logvar", logvar);
  const T log_2pi = static_cast<T>(std::log(2.0 * std::numbers::pi));
  const T* xv = x.value().data();
  const T* m = mu.value().data();
  const T* lv = logvar.value().data();
  Tensor<T> l = terms<T>(x.shape(), [&](std::size_t i) {
    const T d = xv[i] - m[i];
    return T(-0.5) * (log_2pi + lv[i] + d * d * std::exp(-lv[i]));
  });
  return make_op<T>("gaussian_log_density", reduce(std::move(l), reduction), {x, mu, logvar},
                    [x, mu, logvar, reduction](const Node<T>& out) {
    const auto up = upstream(out, reduction, x.size());
    const T* xs = x.value().data();
    const T* ms = mu.value().data();
    const T* lvs = logvar.value().data();
    // z = (x - mu) exp(-logvar): d/dx = -z, d/dmu = z, d/dlogvar = -0.5 (1 - (x - mu) z)
    const auto z = [&](std::size_t i) { return (xs[i] - ms[i]) * std::exp(-lvs[i]); };
    backprop(x, up, [&](std::size_t i) { return -z(i); });
    backprop(mu, up, [&](std::size_t i) { return z(i); });
    backprop(logvar, up,
             [&](std::size_t i) { return T(-0.5) * (T(1) - (xs[i] - ms[i]) * z(i)); });
  });
}

// x, logits: same shape -> log Bernoulli(x; sigmoid(logits)) = -bce_with_logits(logits, x).
template <class T>
Variable<T> bernoulli_log_density(const Variable<T>& x, const Variable<T>& logits,
                                  Reduction reduction) {
  check_same("bernoulli_log_density", "x", x, "logits", logits);
  Tensor<T> e = Tensor<T>::from_shape(logits.shape()), l = Tensor<T>::from_shape(logits.shape());
  bce_logit_terms(logits.value().data(), x.value().data(), e.data(), l.data(), l.size(), T(-1));
  return make_op<T>("bernoulli_log_density", reduce(std::move(l), reduction), {x, logits},
                    [x, logits, reduction, e = std::move(e)](const Node<T>& out) {
    const auto up = upstream(out, reduction, x.size());
    const T* xs = x.value().data();
    const T* zs = logits.value().data();
    const T* es = e.data();
    backprop(x, up, [&](std::size_t i) { return zs[i]; });
    backprop(logits, up, [&](std::size_t i) { return xs[i] - sigmoid_from(zs[i], es[i]); });
  });
}

#define GENLAB_INSTANTIATE_LOSS(T)                                                              \
  template Variable<T> bce_with_logits<T>(const Variable<T>&, const Variable<T>&, Reduction);  \
  template Variable<T> bce<T>(const Variable<T>&, const Variable<T>&, Reduction);              \
  template Variable<T> mse<T>(const Variable<T>&, const Variable<T>&, Reduction);              \
  template Variable<T> l1<T>(const Variable<T>&, const Variable<T>&, Reduction);               \
  template Variable<T> gaussian_kl<T>(const Variable<T>&, const Variable<T>&, Reduction);      \
  template Variable<T> gaussian_log_density<T>(const Variable<T>&, const Variable<T>&,         \
                                               const Variable<T>&, Reduction);                 \
  template Variable<T> bernoulli_log_density<T>(const Variable<T>&, const Variable<T>&,        \
                                                Reduction);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_LOSS)

}  // namespace genlab
