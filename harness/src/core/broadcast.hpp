// Numpy broadcasting for binary ops, internal to libgenlab: the result shape, a plan that walks the
// result with raw loops over .data() (equal shapes, (B, N) op (N,), (B, N) op (B, 1) and scalar
// operands collapse to one or two contiguous loops), and the sum of a broadcast gradient back to
// an operand's shape in a fixed order (independent of threads). It never uses xtensor's lazy
// broadcasting and allocates nothing per element.
#pragma once
#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "genlab/autograd.hpp"
#include "genlab/error.hpp"
#include "genlab/tensor.hpp"

namespace genlab::detail {

// Result shape of broadcasting `a` with `b` (dimensions aligned from the right; 1 stretches).
// Throws ShapeError "add: cannot broadcast shapes (2, 3) and (4,)".
inline Shape broadcast_shape(const char* op, const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t k = 0; k < rank; ++k) {
    const std::size_t da = k + a.size() < rank ? 1 : a[k + a.size() - rank];
    const std::size_t db = k + b.size() < rank ? 1 : b[k + b.size() - rank];
    if (da != db && da != 1 && db != 1) {
      throw ShapeError(std::string(op) + ": cannot broadcast shapes " + shape_str(a) + " and " +
                       shape_str(b));
    }
    out[k] = da == 1 ? db : da;
  }
  return out;
}

// One loop of a broadcast walk: `extent` steps; each step moves the result index by `stride_out`
// and operand a / b by `stride_a` / `stride_b` elements (0 = broadcast along this loop).
struct BroadcastLoop {
  std::size_t extent;
  std::size_t stride_out;
  std::size_t stride_a;
  std::size_t stride_b;
};

// The walk over a row-major result of shape `out` with operands a and b that broadcast to it.
// Adjacent dimensions merge when both operands are contiguous (or both broadcast) across them:
//   (B, N) op (B, N) -> [B*N: a 1, b 1]
//   (B, N) op (N,)   -> [B: a N, b 0] [N: a 1, b 1]
//   (B, N) op (B, 1) -> [B: a N, b 1] [N: a 1, b 0]
//   (B, N) op ()     -> [B*N: a 1, b 0]
// The innermost loop always has operand strides in {0, 1}, never both 0.
struct BroadcastPlan {
  std::vector<BroadcastLoop> loops;  // outermost first, at least one loop
  std::size_t size = 0;              // elements of the result
};

// Row-major element strides of `s` seen from a result of rank `rank` (0 where s is broadcast).
inline Shape broadcast_strides(const Shape& s, const Shape& out) {
  Shape strides(out.size(), 0);
  std::size_t stride = 1;
  for (std::size_t k = s.size(); k-- > 0;) {
    const std::size_t aligned = k + out.size() - s.size();
    if (s[k] != 1) strides[aligned] = stride;
    stride *= s[k];
  }
  return strides;
}

// `out` must be broadcast_shape(a, b) (or a shape both broadcast to).
inline BroadcastPlan make_broadcast_plan(const Shape& out, const Shape& a, const Shape& b) {
  const Shape sa = broadcast_strides(a, out);
  const Shape sb = broadcast_strides(b, out);
  BroadcastPlan plan;
  plan.size = shape_size(out);
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k] == 1) continue;  // a unit dimension moves nothing
    BroadcastLoop loop{out[k], 1, sa[k], sb[k]};
    if (!plan.loops.empty()) {
      BroadcastLoop& prev = plan.loops.back();
      if (prev.stride_a == loop.stride_a * loop.extent &&
          prev.stride_b == loop.stride_b * loop.extent) {
        prev = BroadcastLoop{prev.extent * loop.extent, 1, loop.stride_a, loop.stride_b};
        continue;
      }
    }
    plan.loops.push_back(loop);
  }
  if (plan.loops.empty()) plan.loops.push_back(BroadcastLoop{1, 1, 1, 1});  // one element
  std::size_t stride_out = 1;
  for (std::size_t d = plan.loops.size(); d-- > 0;) {
    plan.loops[d].stride_out = stride_out;
    stride_out *= plan.loops[d].extent;
  }
  return plan;
}

// Calls run(i, ia, ib) at the start of every innermost run (plan.loops.back().extent elements).
template <class Run>
void walk_runs(const BroadcastPlan& plan, std::size_t depth, std::size_t i, std::size_t ia,
               std::size_t ib, Run& run) {
  if (depth + 1 == plan.loops.size()) {
    run(i, ia, ib);
    return;
  }
  const BroadcastLoop& l = plan.loops[depth];
  for (std::size_t t = 0; t < l.extent; ++t) {
    walk_runs(plan, depth + 1, i + t * l.stride_out, ia + t * l.stride_a, ib + t * l.stride_b, run);
  }
}

template <class Run>
void for_each_run(const BroadcastPlan& plan, Run&& run) {
  if (plan.size == 0) return;
  walk_runs(plan, 0, 0, 0, 0, run);
}

// Calls f(i, ia, ib) for every result element i (row-major), ia / ib the operands' elements.
template <class F>
void for_each_broadcast(const BroadcastPlan& plan, F&& f) {
  const BroadcastLoop& inner = plan.loops.back();
  const std::size_t n = inner.extent;
  if (inner.stride_a == 1 && inner.stride_b == 1) {
    for_each_run(plan, [&](std::size_t i, std::size_t ia, std::size_t ib) {
      for (std::size_t j = 0; j < n; ++j) f(i + j, ia + j, ib + j);
    });
  } else if (inner.stride_a == 1) {  // b broadcast along the run
    for_each_run(plan, [&](std::size_t i, std::size_t ia, std::size_t ib) {
      for (std::size_t j = 0; j < n; ++j) f(i + j, ia + j, ib);
    });
  } else {  // a broadcast along the run
    for_each_run(plan, [&](std::size_t i, std::size_t ia, std::size_t ib) {
      for (std::size_t j = 0; j < n; ++j) f(i + j, ia, ib + j);
    });
  }
}

enum class Operand { A, B };

// sum_{j < n} f(j) in a fixed order that does not depend on threads or build: eight interleaved
// partial sums (j mod 8), combined pairwise, then the tail. Eight independent chains instead of
// one serial chain of adds (4-cycle latency each), and a smaller rounding error.
template <class Acc, class F>
Acc blocked_sum(std::size_t n, F&& f) {
  Acc part[8] = {};
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    for (std::size_t k = 0; k < 8; ++k) part[k] += static_cast<Acc>(f(j + k));
  }
  Acc total =
      ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
  for (; j < n; ++j) total += static_cast<Acc>(f(j));
  return total;
}

// dst[k] += g(i, ia, ib) for every result element i, k = ia (Operand::A) or ib (Operand::B):
// sums over the result elements that read operand element k in a fixed order (row-major order
// of the result, each innermost run that maps to one element summed with blocked_sum).
template <Operand which, class T, class G>
void add_broadcast(T* dst, const BroadcastPlan& plan, G&& g) {
  const BroadcastLoop& inner = plan.loops.back();
  const std::size_t own_stride = which == Operand::A ? inner.stride_a : inner.stride_b;
  if (own_stride != 0) {
    for_each_broadcast(plan, [&](std::size_t i, std::size_t ia, std::size_t ib) {
      dst[which == Operand::A ? ia : ib] += g(i, ia, ib);
    });
    return;
  }
  // The operand is broadcast along the run: the run sums into one element (blocked_sum order).
  const std::size_t n = inner.extent;
  const std::size_t other_stride = which == Operand::A ? inner.stride_b : inner.stride_a;
  for_each_run(plan, [&](std::size_t i, std::size_t ia, std::size_t ib) {
    dst[which == Operand::A ? ia : ib] += blocked_sum<T>(n, [&](std::size_t j) {
      return which == Operand::A ? g(i + j, ia, ib + j * other_stride)
                                 : g(i + j, ia + j * other_stride, ib);
    });
  });
}

// The gradient of one operand of a broadcast op: node.grad (+)= add_broadcast's sums. When the
// gradient slot was empty and the operand has the result's size (nothing to sum), each element
// is written once without zero-filling first.
template <Operand which, class T, class G>
void accumulate_broadcast(Node<T>& node, const BroadcastPlan& plan, G&& g) {
  const bool fresh = node.grad_slot();
  T* dst = node.grad.data();
  if (fresh && node.grad.size() == plan.size) {
    for_each_broadcast(plan, [&](std::size_t i, std::size_t ia, std::size_t ib) {
      dst[which == Operand::A ? ia : ib] = g(i, ia, ib);
    });
    return;
  }
  if (fresh) std::fill(dst, dst + node.grad.size(), T(0));
  add_broadcast<which>(dst, plan, std::forward<G>(g));
}

// Sums `grad` (shaped like the broadcast result) back to `shape`, which must broadcast to
// grad's shape: (B, N) -> (N,) sums over B; (B, N) -> (B, 1) sums over N. add_broadcast's order.
template <class T>
Tensor<T> reduce_to_shape(const Tensor<T>& grad, const Shape& shape) {
  const Shape from = shape_of(grad);
  if (from == shape) return grad;
  if (broadcast_shape("reduce_to_shape", from, shape) != from) {
    throw ShapeError("reduce_to_shape: shape " + shape_str(shape) +
                     " does not broadcast to gradient shape " + shape_str(from));
  }
  Tensor<T> out = zeros<T>(shape);
  const T* g = grad.data();
  add_broadcast<Operand::B>(out.data(), make_broadcast_plan(from, from, shape),
                            [g](std::size_t i, std::size_t, std::size_t) { return g[i]; });
  return out;
}

}  // namespace genlab::detail
