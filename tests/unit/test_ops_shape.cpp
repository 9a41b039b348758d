// Shape ops: reshape, flatten, concat (every axis), slice — forward values by hand, gradient
// checks in double (tolerance 1e-6: these ops only move data, so the analytic gradient is exact
// and the finite difference of a linear map has only rounding error ~1e-10), error messages.
#include <doctest/doctest.h>

#include "genlab/error.hpp"
#include "genlab/ops.hpp"
#include "support/gradcheck.hpp"

using namespace genlab;
using genlab::testing::gradcheck;
using genlab::testing::TensorD;

namespace {

TensorD normal(const Shape& shape, std::uint64_t key) {
  return Rng::from_key(key).normal_tensor<double>(shape, 0.0, 1.0);
}

// 0, 1, 2, ... in row-major order
TensorD iota(const Shape& shape) {
  TensorD t = TensorD::from_shape(shape);
  for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = static_cast<double>(i);
  return t;
}

}  // namespace

TEST_CASE("ops shape: reshape and flatten keep row-major order") {
  VarD x(iota({2, 3, 2}));
  const VarD r = reshape(x, Shape{3, 4});
  CHECK(r.shape() == Shape{3, 4});
  CHECK(r.value()(1, 0) == 4.0);
  CHECK(r.value()(2, 3) == 11.0);
  const VarD f = flatten(x);
  CHECK(f.shape() == Shape{2, 6});
  CHECK(f.value()(1, 2) == 8.0);
  CHECK(flatten(VarD(iota({5}))).shape() == Shape{5, 1});
  const VarD scalar = reshape(VarD(TensorD{5.0}), Shape{});  // (1,) -> ()
  CHECK(scalar.shape() == Shape{});
  CHECK(scalar.item() == 5.0);
}

TEST_CASE("ops shape: concat along each axis by hand") {
  VarD a(TensorD{{1.0, 2.0}, {3.0, 4.0}});
  VarD b(TensorD{{5.0, 6.0}});
  TensorD column{7.0, 8.0};  // {{7.0}, {8.0}} is ambiguous for xarray's initializer lists
  column.reshape({2, 1});
  VarD c(column);
  CHECK(concat<double>({a, b}, 0).value() == TensorD{{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}});
  CHECK(concat<double>({a, c, a}, 1).value() ==
        TensorD{{1.0, 2.0, 7.0, 1.0, 2.0}, {3.0, 4.0, 8.0, 3.0, 4.0}});
  Var f1(Tensor<float>{1.0f}), f2(Tensor<float>{2.0f, 3.0f});
  CHECK(concat<float>({f1, f2}, 0).value() == Tensor<float>{1.0f, 2.0f, 3.0f});
}

TEST_CASE("ops shape: slice along each axis by hand") {
  VarD x(iota({3, 4}));
  CHECK(slice(x, 0, 1, 3).value() == TensorD{{4.0, 5.0, 6.0, 7.0}, {8.0, 9.0, 10.0, 11.0}});
  CHECK(slice(x, 1, 1, 3).value() == TensorD{{1.0, 2.0}, {5.0, 6.0}, {9.0, 10.0}});
  CHECK(slice(x, 1, 2, 2).shape() == Shape{3, 0});
}

TEST_CASE("ops shape: gradient of reshape and flatten") {
  const TensorD x = normal({2, 3, 4}, 41);
  GENLAB_CHECK_GRAD(gradcheck(
                        [](const std::vector<VarD>& v) {
    return reshape(v[0], Shape{4, 6});
                        },
                        {x}),
                    1e-6);
  GENLAB_CHECK_GRAD(gradcheck([](const std::vector<VarD>& v) { return flatten(v[0]); }, {x}), 1e-6);
}

TEST_CASE("ops shape: gradient of concat along every axis of a 3-D tensor") {
  // Shapes differ only on the concat axis; the middle input does not require grad in one check.
  for (std::size_t axis = 0; axis < 3; ++axis) {
    Shape sa{2, 3, 4}, sb{2, 3, 4}, sc{2, 3, 4};
    sb[axis] = 1;
    sc[axis] = 2;
    const TensorD a = normal(sa, 42 + axis), b = normal(sb, 52 + axis), c = normal(sc, 62 + axis);
    auto f = [axis](const std::vector<VarD>& v) { return concat(v, axis); };
    GENLAB_CHECK_GRAD(gradcheck(f, {a, b, c}), 1e-6);
    GENLAB_CHECK_GRAD(gradcheck(f, {a, b, c}, {0, 2}), 1e-6);
  }
  // The same input twice: both blocks accumulate into it.
  VarD x(TensorD{1.0, 2.0}, true);
  concat<double>({x, x}, 0).backward(TensorD{1.0, 2.0, 10.0, 20.0});
  CHECK(x.grad() == TensorD{11.0, 22.0});
}

TEST_CASE("ops shape: gradient of slice along every axis") {
  const TensorD x = normal({3, 4, 5}, 71);
  for (std::size_t axis = 0; axis < 3; ++axis) {
    auto f = [axis](const std::vector<VarD>& v) { return slice(v[0], axis, 1, 3); };
    GENLAB_CHECK_GRAD(gradcheck(f, {x}), 1e-6);
  }
  // Two slices of one input: disjoint and overlapping parts add up.
  VarD y(TensorD{1.0, 2.0, 3.0, 4.0}, true);
  sum(slice(y, 0, 0, 3) * 2.0).backward(true);
  sum(slice(y, 0, 2, 4)).backward();
  CHECK(y.grad() == TensorD{2.0, 2.0, 3.0, 1.0});
}

TEST_CASE("ops shape: errors name the op and the shapes") {
  VarD x(zeros<double>({2, 3}));
  CHECK_THROWS_WITH_AS(reshape(x, Shape{4}), doctest::Contains("reshape: cannot reshape (2, 3)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(reshape(x, Shape{4}), doctest::Contains("to (4,)"), ShapeError);
  CHECK_THROWS_WITH_AS(flatten(VarD(zeros<double>({}))), doctest::Contains("flatten"), ShapeError);
  VarD y(zeros<double>({3, 4}));
  CHECK_THROWS_WITH_AS(concat<double>({x, y}, 1),
                       doctest::Contains("concat: along axis 1, shapes (2, 3) and (3, 4)"),
                       ShapeError);
  VarD z(zeros<double>({2, 3, 1}));
  CHECK_THROWS_WITH_AS(concat<double>({x, z}, 0),
                       doctest::Contains("concat: along axis 0, shapes (2, 3) and (2, 3, 1)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(concat<double>({x, x}, 2),
                       doctest::Contains("concat: axis 2 out of range for shape (2, 3)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(concat<double>({}, 0), doctest::Contains("concat: no inputs"), ShapeError);
  CHECK_THROWS_WITH_AS(
      slice(x, 1, 2, 4),
      doctest::Contains("slice: range [2, 4) out of bounds for axis 1 of shape (2, 3)"),
      ShapeError);
  CHECK_THROWS_WITH_AS(slice(x, 1, 2, 1), doctest::Contains("slice: range [2, 1)"), ShapeError);
  CHECK_THROWS_WITH_AS(slice(x, 2, 0, 1),
                       doctest::Contains("slice: axis 2 out of range for shape (2, 3)"),
                       ShapeError);
}
