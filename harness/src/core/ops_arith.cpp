// Broadcasting arithmetic (add, sub, mul, div, neg) and the scalar forms (x + s, x * s, s - x,
// s / x, x^p), each forward beside its backward. Broadcasting follows numpy (broadcast.hpp).
// It does not guard against division by zero or pow of negative bases: IEEE results flow on.
#include <cmath>
#include <utility>

#include "core/broadcast.hpp"
#include "core/elementwise.hpp"
#include "core/instantiate.hpp"
#include "genlab/ops.hpp"

namespace genlab {

namespace {

using detail::Operand;

// a: (..A), b: (..B) -> z: broadcast shape. `f(x, y)` gives z; `dx(g, x, y, z)` and
// `dy(g, x, y, z)` give the gradient contributions of one result element to a and b.
template <class T, class F, class Dx, class Dy>
Variable<T> broadcast_binary(const char* op, const Variable<T>& a, const Variable<T>& b, F f, Dx dx,
                             Dy dy) {
  const Shape sa = a.shape(), sb = b.shape();
  const Shape out_shape = detail::broadcast_shape(op, sa, sb);
  detail::BroadcastPlan plan = detail::make_broadcast_plan(out_shape, sa, sb);
  Tensor<T> z = Tensor<T>::from_shape(out_shape);
  {
    const T* x = a.value().data();
    const T* y = b.value().data();
    T* pz = z.data();
    detail::for_each_broadcast(
        plan, [&](std::size_t i, std::size_t ia, std::size_t ib) { pz[i] = f(x[ia], y[ib]); });
  }
  return make_op<T>(op, std::move(z), {a, b},
                    [a, b, plan = std::move(plan), dx, dy](const Node<T>& out) {
    const T* g = out.grad.data();
    const T* pz = out.value.data();
    const T* x = a.value().data();
    const T* y = b.value().data();
    if (a.requires_grad()) {
      detail::accumulate_broadcast<Operand::A>(*a.node(), plan,
                                               [&](std::size_t i, std::size_t ia, std::size_t ib) {
        return dx(g[i], x[ia], y[ib], pz[i]);
      });
    }
    if (b.requires_grad()) {
      detail::accumulate_broadcast<Operand::B>(*b.node(), plan,
                                               [&](std::size_t i, std::size_t ia, std::size_t ib) {
        return dy(g[i], x[ia], y[ib], pz[i]);
      });
    }
  });
}

}  // namespace

// z = a + b; da = g, db = g (summed over broadcast dimensions)
template <class T>
Variable<T> add(const Variable<T>& a, const Variable<T>& b) {
  return broadcast_binary<T>(
      "add", a, b, [](T x, T y) { return x + y; }, [](T g, T, T, T) { return g; },
      [](T g, T, T, T) { return g; });
}

// z = a - b; da = g, db = -g
template <class T>
Variable<T> sub(const Variable<T>& a, const Variable<T>& b) {
  return broadcast_binary<T>(
      "sub", a, b, [](T x, T y) { return x - y; }, [](T g, T, T, T) { return g; },
      [](T g, T, T, T) { return -g; });
}

// z = a * b; da = g b, db = g a
template <class T>
Variable<T> mul(const Variable<T>& a, const Variable<T>& b) {
  return broadcast_binary<T>(
      "mul", a, b, [](T x, T y) { return x * y; }, [](T g, T, T y, T) { return g * y; },
      [](T g, T x, T, T) { return g * x; });
}

// z = a / b; da = g / b, db = -g a / b^2 = -g z / b
template <class T>
Variable<T> div(const Variable<T>& a, const Variable<T>& b) {
  return broadcast_binary<T>(
      "div", a, b, [](T x, T y) { return x / y; }, [](T g, T, T y, T) { return g / y; },
      [](T g, T, T y, T z) { return -g * z / y; });
}

// y = -x; dx = -g
template <class T>
Variable<T> neg(const Variable<T>& x) {
  return detail::map_elementwise<T>(
      "neg", x, [](T v) { return -v; }, [](T, T, T g) { return -g; });
}

// y = x + s; dx = g
template <class T>
Variable<T> add_scalar(const Variable<T>& x, T s) {
  return detail::map_elementwise<T>(
      "add_scalar", x, [s](T v) { return v + s; }, [](T, T, T g) { return g; });
}

// y = x * s; dx = g s
template <class T>
Variable<T> mul_scalar(const Variable<T>& x, T s) {
  return detail::map_elementwise<T>(
      "mul_scalar", x, [s](T v) { return v * s; }, [s](T, T, T g) { return g * s; });
}

// y = s - x; dx = -g
template <class T>
Variable<T> rsub_scalar(const Variable<T>& x, T s) {
  return detail::map_elementwise<T>(
      "rsub_scalar", x, [s](T v) { return s - v; }, [](T, T, T g) { return -g; });
}

// y = s / x; dx = -g s / x^2 = -g y / x
template <class T>
Variable<T> rdiv_scalar(const Variable<T>& x, T s) {
  return detail::map_elementwise<T>(
      "rdiv_scalar", x, [s](T v) { return s / v; }, [](T v, T y, T g) { return -g * y / v; });
}

// y = x^p; dx = g p x^(p-1). p = 2 and p = 0 avoid std::pow (and 0 * inf at x = 0).
template <class T>
Variable<T> pow_scalar(const Variable<T>& x, T p) {
  if (p == T(2)) {
    return detail::map_elementwise<T>(
        "pow_scalar", x, [](T v) { return v * v; }, [](T v, T, T g) { return T(2) * g * v; });
  }
  if (p == T(0)) {
    return detail::map_elementwise<T>(
        "pow_scalar", x, [](T) { return T(1); }, [](T, T, T) { return T(0); });
  }
  return detail::map_elementwise<T>(
      "pow_scalar", x, [p](T v) { return std::pow(v, p); },
      [p](T v, T, T g) { return g * p * std::pow(v, p - T(1)); });
}

#define GENLAB_INSTANTIATE_ARITH(T)                                 \
  template Variable<T> add(const Variable<T>&, const Variable<T>&); \
  template Variable<T> sub(const Variable<T>&, const Variable<T>&); \
  template Variable<T> mul(const Variable<T>&, const Variable<T>&); \
  template Variable<T> div(const Variable<T>&, const Variable<T>&); \
  template Variable<T> neg(const Variable<T>&);                     \
  template Variable<T> add_scalar(const Variable<T>&, T);           \
  template Variable<T> mul_scalar(const Variable<T>&, T);           \
  template Variable<T> rsub_scalar(const Variable<T>&, T);          \
  template Variable<T> rdiv_scalar(const Variable<T>&, T);          \
  template Variable<T> pow_scalar(const Variable<T>&, T);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_ARITH)
#undef GENLAB_INSTANTIATE_ARITH

}  // namespace genlab
