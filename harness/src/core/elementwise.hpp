// Elementwise unary ops, internal to libgenlab: y[i] = f(x[i]) over .data(), and a backward that
// accumulates dx[i] = df(x[i], y[i], g[i]) straight into x's gradient (no temporary); large
// tensors in fixed chunks on the compute pool.
// It does not broadcast (see broadcast.hpp) and does not validate values (log of a negative
// number gives NaN, which the runner's NaN guard reports).
#pragma once
#include <cstddef>
#include <utility>

#include "core/thread_pool.hpp"
#include "genlab/autograd.hpp"

namespace genlab::detail {

// n's gradient (+)= f(i), as accumulate_each, in fixed chunks on the compute pool (bitwise the
// same at any thread count: each element is written once, from f(i) alone). f must be pure.
template <class T, class F>
void accumulate_each_parallel(Node<T>& n, F&& f) {
  const bool fresh = n.grad_slot();
  T* g = n.grad.data();
  parallel_chunks(n.grad.size(), kElementwiseGrain, [&](std::size_t begin, std::size_t end) {
    if (fresh) {
      for (std::size_t i = begin; i < end; ++i) g[i] = f(i);
    } else {
      for (std::size_t i = begin; i < end; ++i) g[i] += f(i);
    }
  });
}

// y[i] = f(x[i]). The operands are distinct buffers (__restrict), so the loop vectorises where f
// allows; vectorising changes no result (each element is the same IEEE operations).
template <class T, class F>
void map_range(const T* __restrict x, T* __restrict y, std::size_t n, F f) {
  for (std::size_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

// dx[i] (+)= f(x[i], y[i], g[i]) over distinct buffers: "=" when the gradient slot is fresh.
template <class T, class F>
void gradient_range(const T* __restrict x, const T* __restrict y, const T* __restrict g, T* __restrict dx,
                    std::size_t n, bool fresh, F f) {
  if (fresh) {
    for (std::size_t i = 0; i < n; ++i) dx[i] = f(x[i], y[i], g[i]);
  } else {
    for (std::size_t i = 0; i < n; ++i) dx[i] += f(x[i], y[i], g[i]);
  }
}

// x: any shape -> y: same shape. `forward(x)` gives y; `dx(x, y, g)` gives the gradient of x.
template <class T, class Forward, class Dx>
Variable<T> map_elementwise(const char* op, const Variable<T>& x, Forward forward, Dx dx) {
  const Tensor<T>& xv = x.value();
  Tensor<T> y = Tensor<T>::from_shape(xv.shape());
  const T* px = xv.data();
  T* py = y.data();
  parallel_chunks(xv.size(), kElementwiseGrain, [&](std::size_t begin, std::size_t end) {
    map_range(px + begin, py + begin, end - begin, forward);
  });
  return make_op<T>(op, std::move(y), {x}, [x, dx](const Node<T>& out) {
    const T* xs = x.value().data();
    const T* ys = out.value.data();
    const T* g = out.grad.data();
    Node<T>& nx = *x.node();
    const bool fresh = nx.grad_slot();
    T* gx = nx.grad.data();
    parallel_chunks(nx.grad.size(), kElementwiseGrain, [&](std::size_t begin, std::size_t end) {
      gradient_range(xs + begin, ys + begin, g + begin, gx + begin, end - begin, fresh, dx);
    });
  });
}

}  // namespace genlab::detail
