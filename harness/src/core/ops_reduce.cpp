// Reductions: sum/mean of everything (-> shape ()), sum/mean over given axes (keepdims or not),
// logsumexp over one axis (stable: the max is subtracted first). Forward beside backward.
// Summation order is fixed (single thread, detail::blocked_sum), so results never depend on the
// thread count.
// Full sums accumulate in double even for float; axis sums accumulate in T.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "core/broadcast.hpp"
#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/ops.hpp"

namespace genlab {

namespace {

using detail::Operand;

// Sum of all elements in double, in blocked_sum's fixed order.
template <class T>
double total_sum(const Tensor<T>& t) {
  const T* p = t.data();
  return detail::blocked_sum<double>(t.size(), [p](std::size_t i) { return p[i]; });
}

// x: any shape -> () holding scale * sum(x); dx = scale * g everywhere
template <class T>
Variable<T> scaled_total(const char* op, const Variable<T>& x, double scale) {
  Tensor<T> y = Tensor<T>::from_shape(Shape{});
  y.data()[0] = static_cast<T>(total_sum(x.value()) * scale);
  return make_op<T>(op, std::move(y), {x}, [x, scale](const Node<T>& out) {
    const T g = static_cast<T>(out.grad.data()[0] * scale);
    accumulate_each(*x.node(), [g](std::size_t) { return g; });
  });
}

void check_axis(const char* op, std::size_t axis, const Shape& shape) {
  if (axis >= shape.size()) {
    throw ShapeError(std::string(op) + ": axis " + std::to_string(axis) +
                     " out of range for shape " + shape_str(shape));
  }
}

// The shapes of a reduction over `axes`: `keep` has 1 on reduced axes, `out` is the result
// (keep, or keep without the reduced axes); `count` is the number of elements summed into one.
struct AxesReduction {
  Shape keep;
  Shape out;
  std::size_t count = 1;
};

AxesReduction reduction_shapes(const char* op, const Shape& in,
                               const std::vector<std::size_t>& axes, bool keepdims) {
  AxesReduction r;
  r.keep = in;
  std::vector<bool> reduced(in.size(), false);
  for (std::size_t axis : axes) {
    check_axis(op, axis, in);
    if (reduced[axis]) {
      throw ShapeError(std::string(op) + ": axis " + std::to_string(axis) +
                       " given twice for shape " + shape_str(in));
    }
    reduced[axis] = true;
    r.keep[axis] = 1;
    r.count *= in[axis];
  }
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (keepdims || !reduced[k]) r.out.push_back(r.keep[k]);
  }
  return r;
}

// x: in -> out (see AxesReduction) holding sum over axes, times `scale`; dx = scale * g
// broadcast back over the reduced axes.
template <class T>
Variable<T> reduce_axes(const char* op, const Variable<T>& x, const std::vector<std::size_t>& axes,
                        bool keepdims, T scale) {
  const Shape in = x.shape();
  const AxesReduction r = reduction_shapes(op, in, axes, keepdims);
  Tensor<T> y = detail::reduce_to_shape(x.value(), r.keep);
  y.reshape(r.out);  // same element order: only the unit axes go
  if (scale != T(1)) {
    for (std::size_t i = 0; i < y.size(); ++i) y.data()[i] *= scale;
  }
  // The gradient reads g at keep's index, which is also out's.
  detail::BroadcastPlan plan = detail::make_broadcast_plan(in, in, r.keep);
  return make_op<T>(op, std::move(y), {x}, [x, scale, plan = std::move(plan)](const Node<T>& out) {
    const T* g = out.grad.data();
    detail::accumulate_broadcast<Operand::A>(
        *x.node(), plan,
        [g, scale](std::size_t, std::size_t, std::size_t ib) { return scale * g[ib]; });
  });
}

}  // namespace

// x: any shape -> (); dx = g
template <class T>
Variable<T> sum(const Variable<T>& x) {
  return scaled_total("sum", x, 1.0);
}

// x: any shape -> (); dx = g / size
template <class T>
Variable<T> mean(const Variable<T>& x) {
  return scaled_total("mean", x, 1.0 / static_cast<double>(x.size()));
}

// x: (B, N) with axes {1} -> (B,) or (B, 1) with keepdims
template <class T>
Variable<T> sum(const Variable<T>& x, const std::vector<std::size_t>& axes, bool keepdims) {
  return reduce_axes("sum", x, axes, keepdims, T(1));
}

template <class T>
Variable<T> mean(const Variable<T>& x, const std::vector<std::size_t>& axes, bool keepdims) {
  const AxesReduction r = reduction_shapes("mean", x.shape(), axes, keepdims);
  return reduce_axes("mean", x, axes, keepdims, T(1) / static_cast<T>(r.count));
}

// x: (outer.., n, inner..) -> y: (outer.., inner..) (n -> 1 with keepdims),
// y = m + log(sum_k exp(x_k - m)) with m = max_k x_k; dx_k = g exp(x_k - y) (softmax)
template <class T>
Variable<T> logsumexp(const Variable<T>& x, std::size_t axis, bool keepdims) {
  const Shape in = x.shape();
  check_axis("logsumexp", axis, in);
  const AxesReduction r = reduction_shapes("logsumexp", in, {axis}, keepdims);
  std::size_t outer = 1, inner = 1;
  for (std::size_t k = 0; k < axis; ++k) outer *= in[k];
  for (std::size_t k = axis + 1; k < in.size(); ++k) inner *= in[k];
  const std::size_t n = in[axis];
  Tensor<T> y = Tensor<T>::from_shape(r.out);
  const T* px = x.value().data();
  T* py = y.data();
  for (std::size_t o = 0; o < outer; ++o) {
    for (std::size_t j = 0; j < inner; ++j) {
      const T* row = px + o * n * inner + j;  // element k at row[k * inner]
      T m = -std::numeric_limits<T>::infinity();
      for (std::size_t k = 0; k < n; ++k) m = std::max(m, row[k * inner]);
      T s = 0;
      if (std::isfinite(m)) {
        for (std::size_t k = 0; k < n; ++k) s += std::exp(row[k * inner] - m);
      }
      py[o * inner + j] = std::isfinite(m) ? m + std::log(s) : m;
    }
  }
  return make_op<T>("logsumexp", std::move(y), {x}, [x, outer, n, inner](const Node<T>& out) {
    Node<T>& xn = *x.node();
    const bool fresh = xn.grad_slot();
    const T* xs = x.value().data();
    const T* ys = out.value.data();
    const T* g = out.grad.data();
    T* dx = xn.grad.data();
    for (std::size_t o = 0; o < outer; ++o) {
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t base = (o * n + k) * inner;
        for (std::size_t j = 0; j < inner; ++j) {
          const T d = g[o * inner + j] * std::exp(xs[base + j] - ys[o * inner + j]);
          dx[base + j] = fresh ? d : dx[base + j] + d;
        }
      }
    }
  });
}

#define GENLAB_INSTANTIATE_REDUCE(T)                                                    \
  template Variable<T> sum(const Variable<T>&);                                         \
  template Variable<T> mean(const Variable<T>&);                                        \
  template Variable<T> sum(const Variable<T>&, const std::vector<std::size_t>&, bool);  \
  template Variable<T> mean(const Variable<T>&, const std::vector<std::size_t>&, bool); \
  template Variable<T> logsumexp(const Variable<T>&, std::size_t, bool);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_REDUCE)
#undef GENLAB_INSTANTIATE_REDUCE

}  // namespace genlab
