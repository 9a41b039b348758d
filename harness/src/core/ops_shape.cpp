// Shape ops: reshape, flatten, concat along any axis, slice along one axis; forward and backward
// side by side. Each result owns a copy of its data (no views into another Variable's value).
// They move data only: no broadcasting, no negative axes or -1 dimensions.
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/ops.hpp"

namespace genlab {

namespace {

// x: any shape -> same data in `shape` (row-major order kept); `op` names the caller.
template <class T>
Variable<T> reshaped(const char* op, const Variable<T>& x, const Shape& shape) {
  if (shape_size(shape) != x.size()) {
    throw ShapeError(std::string(op) + ": cannot reshape " + shape_str(x.shape()) + " (" +
                     std::to_string(x.size()) + " elements) to " + shape_str(shape) + " (" +
                     std::to_string(shape_size(shape)) + " elements)");
  }
  Tensor<T> y = Tensor<T>::from_shape(shape);
  std::copy(x.value().data(), x.value().data() + x.size(), y.data());
  return make_op<T>(op, std::move(y), {x}, [x](const Node<T>& out) {
    const T* g = out.grad.data();
    accumulate_each(*x.node(), [g](std::size_t i) { return g[i]; });
  });
}

// A shape seen as (outer, extent of axis, inner): outer = prod(shape[:axis]),
// inner = prod(shape[axis+1:]).
struct AxisSplit {
  std::size_t outer = 1;
  std::size_t extent = 1;
  std::size_t inner = 1;
};

AxisSplit split_at(const Shape& shape, std::size_t axis) {
  AxisSplit s;
  for (std::size_t k = 0; k < axis; ++k) s.outer *= shape[k];
  s.extent = shape[axis];
  for (std::size_t k = axis + 1; k < shape.size(); ++k) s.inner *= shape[k];
  return s;
}

void check_axis(const char* op, std::size_t axis, const Shape& shape) {
  if (axis >= shape.size()) {
    throw ShapeError(std::string(op) + ": axis " + std::to_string(axis) +
                     " out of range for shape " + shape_str(shape));
  }
}

// dst (+)= src over a block of `rows` rows of `width` elements; row r of src starts at
// src + r * src_stride and lands at dst + r * dst_stride.
template <class T>
void copy_rows(T* dst, std::size_t dst_stride, const T* src, std::size_t src_stride,
               std::size_t rows, std::size_t width, bool add) {
  for (std::size_t r = 0; r < rows; ++r) {
    T* d = dst + r * dst_stride;
    const T* s = src + r * src_stride;
    if (add) {
      for (std::size_t j = 0; j < width; ++j) d[j] += s[j];
    } else {
      std::copy(s, s + width, d);
    }
  }
}

// The concat result's shape; throws unless all shapes agree outside `axis`.
Shape concat_shape(const std::vector<Shape>& shapes, std::size_t axis) {
  if (shapes.empty()) throw ShapeError("concat: no inputs");
  const Shape& first = shapes.front();
  check_axis("concat", axis, first);
  Shape out = first;
  out[axis] = 0;
  for (const Shape& s : shapes) {
    bool agree = s.size() == first.size();
    for (std::size_t k = 0; agree && k < s.size(); ++k) agree = k == axis || s[k] == first[k];
    if (!agree) {
      throw ShapeError("concat: along axis " + std::to_string(axis) + ", shapes " +
                       shape_str(first) + " and " + shape_str(s) + " differ outside the axis");
    }
    out[axis] += s[axis];
  }
  return out;
}

}  // namespace

// x: any shape -> `shape` (same number of elements); dx = g read in the same order
template <class T>
Variable<T> reshape(const Variable<T>& x, const Shape& shape) {
  return reshaped("reshape", x, shape);
}

// x: (B, ...) -> (B, prod(...)); x: (B,) -> (B, 1)
template <class T>
Variable<T> flatten(const Variable<T>& x) {
  const Shape in_shape = x.shape();
  if (in_shape.empty()) throw ShapeError("flatten: needs a batch axis, got shape ()");
  return reshaped("flatten", x,
                  Shape{in_shape[0], shape_size(Shape(in_shape.begin() + 1, in_shape.end()))});
}

// xs[k]: (..., n_k, ...) -> (..., sum n_k, ...) along axis; dx_k = the matching block of g
template <class T>
Variable<T> concat(const std::vector<Variable<T>>& xs, std::size_t axis) {
  std::vector<Shape> shapes;
  for (const auto& x : xs) shapes.push_back(x.shape());
  const Shape out_shape = concat_shape(shapes, axis);
  const AxisSplit out_split = split_at(out_shape, axis);
  const std::size_t out_row = out_split.extent * out_split.inner;
  Tensor<T> y = Tensor<T>::from_shape(out_shape);
  std::size_t offset = 0;  // start of this input's block inside a result row
  for (const auto& x : xs) {
    const std::size_t width = x.dim(axis) * out_split.inner;
    copy_rows(y.data() + offset, out_row, x.value().data(), width, out_split.outer, width, false);
    offset += width;
  }
  return make_op<T>("concat", std::move(y), xs, [xs, axis, out_split, out_row](const Node<T>& out) {
    std::size_t block = 0;
    for (const auto& x : xs) {
      const std::size_t width = x.dim(axis) * out_split.inner;
      if (x.requires_grad()) {
        Node<T>& n = *x.node();
        const bool fresh = n.grad_slot();
        copy_rows(n.grad.data(), width, out.grad.data() + block, out_row, out_split.outer, width,
                  !fresh);
      }
      block += width;
    }
  });
}

// x: (..., n, ...) -> (..., stop - start, ...) along axis; dx = g inside the range, 0 outside
template <class T>
Variable<T> slice(const Variable<T>& x, std::size_t axis, std::size_t start, std::size_t stop) {
  const Shape in_shape = x.shape();
  check_axis("slice", axis, in_shape);
  if (start > stop || stop > in_shape[axis]) {
    throw ShapeError("slice: range [" + std::to_string(start) + ", " + std::to_string(stop) +
                     ") out of bounds for axis " + std::to_string(axis) + " of shape " +
                     shape_str(in_shape));
  }
  const AxisSplit in_split = split_at(in_shape, axis);
  const std::size_t in_row = in_split.extent * in_split.inner;
  const std::size_t width = (stop - start) * in_split.inner;
  const std::size_t begin = start * in_split.inner;
  Shape out_shape = in_shape;
  out_shape[axis] = stop - start;
  Tensor<T> y = Tensor<T>::from_shape(out_shape);
  copy_rows(y.data(), width, x.value().data() + begin, in_row, in_split.outer, width, false);
  return make_op<T>("slice", std::move(y), {x},
                    [x, in_split, in_row, width, begin](const Node<T>& out) {
    Node<T>& n = *x.node();
    if (n.grad_slot()) std::fill(n.grad.begin(), n.grad.end(), T(0));
    copy_rows(n.grad.data() + begin, in_row, out.grad.data(), width, in_split.outer, width, true);
  });
}

#define GENLAB_INSTANTIATE_SHAPE(T)                                          \
  template Variable<T> reshape(const Variable<T>&, const Shape&);            \
  template Variable<T> flatten(const Variable<T>&);                          \
  template Variable<T> concat(const std::vector<Variable<T>>&, std::size_t); \
  template Variable<T> slice(const Variable<T>&, std::size_t, std::size_t, std::size_t);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_SHAPE)
#undef GENLAB_INSTANTIATE_SHAPE

}  // namespace genlab
