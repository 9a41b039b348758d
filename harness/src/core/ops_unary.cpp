// Elementwise functions (relu, leaky_relu, tanh, sigmoid, softplus, exp, log, sqrt, square, abs,
// clamp), each forward beside its backward, all x: any shape -> same shape. Kinks take the
// PyTorch convention of a zero (or slope) gradient at the kink itself. NaN inputs propagate;
// out-of-domain inputs (log of a negative) are not checked.
#include <cmath>
#include <string>

#include "core/elementwise.hpp"
#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/ops.hpp"

namespace genlab {

namespace {

// 1 / (1 + e^-v) without overflow: with e = e^-|v| <= 1, it is 1 / (1 + e) for v >= 0 and
// e / (1 + e) for v < 0. Branch-free (a select), so random signs cost no mispredictions.
template <class T>
T stable_sigmoid(T v) {
  const T e = std::exp(-std::abs(v));
  const T r = T(1) / (T(1) + e);
  return v >= T(0) ? r : e * r;
}

}  // namespace

// y = max(x, 0); dx = g where x > 0
template <class T>
Variable<T> relu(const Variable<T>& x) {
  return detail::map_elementwise<T>(
      "relu", x, [](T v) { return v < T(0) ? T(0) : v; },
      [](T v, T, T g) { return v > T(0) ? g : T(0); });
}

// y = x (x > 0) or slope x; dx = g or slope g
template <class T>
Variable<T> leaky_relu(const Variable<T>& x, T negative_slope) {
  return detail::map_elementwise<T>(
      // A select of the factor, then one multiply (v * 1 == v exactly): GCC does not if-convert a
      // multiply in one branch only (it could raise an FP exception the branch never raised), and
      // this form vectorises.
      "leaky_relu", x, [negative_slope](T v) { return v * (v < T(0) ? negative_slope : T(1)); },
      [negative_slope](T v, T, T g) { return g * (v > T(0) ? T(1) : negative_slope); });
}

// y = tanh(x); dx = g (1 - y^2)
template <class T>
Variable<T> tanh(const Variable<T>& x) {
  return detail::map_elementwise<T>(
      "tanh", x, [](T v) { return std::tanh(v); }, [](T, T y, T g) { return g * (T(1) - y * y); });
}

// y = 1 / (1 + e^-x), stable for large |x|; dx = g y (1 - y)
template <class T>
Variable<T> sigmoid(const Variable<T>& x) {
  return detail::map_elementwise<T>(
      "sigmoid", x, [](T v) { return stable_sigmoid(v); },
      [](T, T y, T g) { return g * y * (T(1) - y); });
}

// y = log(1 + e^x) = log1p(e^-|x|) + max(x, 0); dx = g sigmoid(x)
template <class T>
Variable<T> softplus(const Variable<T>& x) {
  return detail::map_elementwise<T>(
      "softplus", x, [](T v) { return std::log1p(std::exp(-std::abs(v))) + (v > T(0) ? v : T(0)); },
      [](T v, T, T g) { return g * stable_sigmoid(v); });
}

// y = e^x; dx = g y
template <class T>
Variable<T> exp(const Variable<T>& x) {
  return detail::map_elementwise<T>(
      "exp", x, [](T v) { return std::exp(v); }, [](T, T y, T g) { return g * y; });
}

// y = log(x); dx = g / x
template <class T>
Variable<T> log(const Variable<T>& x) {
  return detail::map_elementwise<T>(
      "log", x, [](T v) { return std::log(v); }, [](T v, T, T g) { return g / v; });
}

// y = sqrt(x); dx = g / (2 y)
template <class T>
Variable<T> sqrt(const Variable<T>& x) {
  return detail::map_elementwise<T>(
      "sqrt", x, [](T v) { return std::sqrt(v); }, [](T, T y, T g) { return g / (T(2) * y); });
}

// y = x^2; dx = 2 g x
template <class T>
Variable<T> square(const Variable<T>& x) {
  return detail::map_elementwise<T>(
      "square", x, [](T v) { return v * v; }, [](T v, T, T g) { return T(2) * g * v; });
}

// y = |x|; dx = g sign(x), 0 at x = 0
template <class T>
Variable<T> abs(const Variable<T>& x) {
  return detail::map_elementwise<T>(
      "abs", x, [](T v) { return std::abs(v); },
      [](T v, T, T g) { return v > T(0) ? g : (v < T(0) ? -g : T(0)); });
}

// y = min(max(x, lo), hi); dx = g where lo < x < hi (strictly), 0 elsewhere
template <class T>
Variable<T> clamp(const Variable<T>& x, T lo, T hi) {
  if (!(lo <= hi)) {
    throw Error("clamp: lower bound " + std::to_string(lo) + " is above upper bound " +
                std::to_string(hi));
  }
  return detail::map_elementwise<T>(
      "clamp", x, [lo, hi](T v) { return v < lo ? lo : (v > hi ? hi : v); },
      [lo, hi](T v, T, T g) { return (v > lo && v < hi) ? g : T(0); });
}

#define GENLAB_INSTANTIATE_UNARY(T)                       \
  template Variable<T> relu(const Variable<T>&);          \
  template Variable<T> leaky_relu(const Variable<T>&, T); \
  template Variable<T> tanh(const Variable<T>&);          \
  template Variable<T> sigmoid(const Variable<T>&);       \
  template Variable<T> softplus(const Variable<T>&);      \
  template Variable<T> exp(const Variable<T>&);           \
  template Variable<T> log(const Variable<T>&);           \
  template Variable<T> sqrt(const Variable<T>&);          \
  template Variable<T> square(const Variable<T>&);        \
  template Variable<T> abs(const Variable<T>&);           \
  template Variable<T> clamp(const Variable<T>&, T, T);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_UNARY)
#undef GENLAB_INSTANTIATE_UNARY

}  // namespace genlab
