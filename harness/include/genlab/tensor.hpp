// The one place genlab includes xtensor: Tensor<T> (dense, row-major, any rank) and shape helpers.
// It does not do arithmetic on autograd values: see autograd.hpp and ops.hpp for that.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>

namespace genlab {

template <class T>
using Tensor = xt::xarray<T, xt::layout_type::row_major>;
using Shape = std::vector<std::size_t>;

// "(128, 784)"
std::string shape_str(const Shape& shape);

template <class T>
Shape shape_of(const Tensor<T>& t) {
  return Shape(t.shape().begin(), t.shape().end());
}

std::size_t shape_size(const Shape& shape);

// A tensor of the given shape, every element `value`.
template <class T>
Tensor<T> full(const Shape& shape, T value) {
  Tensor<T> t = Tensor<T>::from_shape(shape);
  t.fill(value);
  return t;
}

template <class T>
Tensor<T> zeros(const Shape& shape) {
  return full<T>(shape, T(0));
}

// Copies a tensor into another scalar type (float <-> double for gradient checks).
template <class To, class From>
Tensor<To> cast(const Tensor<From>& t) {
  Tensor<To> out = Tensor<To>::from_shape(t.shape());
  for (std::size_t i = 0; i < t.size(); ++i) out.data()[i] = static_cast<To>(t.data()[i]);
  return out;
}

}  // namespace genlab
