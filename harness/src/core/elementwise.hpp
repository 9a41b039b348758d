// Elementwise unary ops, internal to libgenlab: y[i] = f(x[i]) over .data(), and a backward that
// accumulates dx[i] = df(x[i], y[i], g[i]) straight into x's gradient (no temporary).
// It does not broadcast (see broadcast.hpp) and does not validate values (log of a negative
// number gives NaN, which the runner's NaN guard reports).
#pragma once
#include <cstddef>
#include <utility>

#include "genlab/autograd.hpp"

namespace genlab::detail {

// x: any shape -> y: same shape. `forward(x)` gives y; `dx(x, y, g)` gives the gradient of x.
template <class T, class Forward, class Dx>
Variable<T> map_elementwise(const char* op, const Variable<T>& x, Forward forward, Dx dx) {
  const Tensor<T>& xv = x.value();
  Tensor<T> y = Tensor<T>::from_shape(xv.shape());
  const T* px = xv.data();
  T* py = y.data();
  const std::size_t n = xv.size();
  for (std::size_t i = 0; i < n; ++i) py[i] = forward(px[i]);
  return make_op<T>(op, std::move(y), {x}, [x, dx](const Node<T>& out) {
    const T* xs = x.value().data();
    const T* ys = out.value.data();
    const T* g = out.grad.data();
    accumulate_each(*x.node(), [&](std::size_t i) { return dx(xs[i], ys[i], g[i]); });
  });
}

}  // namespace genlab::detail
