// Reductions: sum/mean of everything (shape ()), over axes with and without keepdims, and
// logsumexp — forward values by hand, gradient checks in double (tolerance 1e-6 unless stated),
// stability of logsumexp at +-1000, and axis errors naming the op and the shape.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "genlab/error.hpp"
#include "genlab/ops.hpp"
#include "support/gradcheck.hpp"

using namespace genlab;
using genlab::testing::gradcheck;
using genlab::testing::TensorD;

namespace {

// A (n, 1) column: {{a}, {b}} is ambiguous for xarray's nested initializer lists.
TensorD column(std::initializer_list<double> values) {
  TensorD t = TensorD(values);
  t.reshape({values.size(), 1});
  return t;
}

TensorD normal(const Shape& shape, std::uint64_t key) {
  return Rng::from_key(key).normal_tensor<double>(shape, 0.0, 1.0);
}

TensorD iota(const Shape& shape) {
  TensorD t = TensorD::from_shape(shape);
  for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = static_cast<double>(i);
  return t;
}

}  // namespace

TEST_CASE("ops reduce: sum and mean of everything give a 0-d result") {
  VarD x(iota({2, 3}));  // 0..5
  const VarD s = sum(x), m = mean(x);
  CHECK(s.shape() == Shape{});
  CHECK(s.size() == 1);
  CHECK(s.item() == 15.0);
  CHECK(m.item() == 2.5);
  Var xf(Tensor<float>{1.0f, 2.0f, 3.0f});
  CHECK(sum(xf).item() == 6.0f);
  CHECK(mean(xf).item() == 2.0f);
}

TEST_CASE("ops reduce: sum and mean over axes by hand") {
  VarD x(iota({2, 3}));  // {{0, 1, 2}, {3, 4, 5}}
  CHECK(sum(x, {0}).value() == TensorD{3.0, 5.0, 7.0});
  CHECK(sum(x, {1}).value() == TensorD{3.0, 12.0});
  CHECK(sum(x, {1}, true).value() == column({3.0, 12.0}));
  CHECK(sum(x, {0}, true).shape() == Shape{1, 3});
  CHECK(mean(x, {0}).value() == TensorD{1.5, 2.5, 3.5});
  CHECK(mean(x, {1}, true).value() == column({1.0, 4.0}));
  const VarD all = sum(x, {0, 1});
  CHECK(all.shape() == Shape{});
  CHECK(all.item() == 15.0);
  CHECK(sum(x, {1, 0}, true).shape() == Shape{1, 1});
  CHECK(sum(x, {}).value() == x.value());  // no axes: nothing reduced
  VarD y(iota({2, 3, 4}));
  const VarD s02 = sum(y, {0, 2});  // element j: sum over i, k of 12 i + 4 j + k
  CHECK(s02.value() ==
        TensorD{2 * 6.0 + 12 * 4 + 0.0, 2 * 6.0 + 12 * 4 + 32.0, 2 * 6.0 + 12 * 4 + 64.0});
}

TEST_CASE("ops reduce: logsumexp by hand") {
  VarD x(TensorD{{0.0, std::log(3.0)}, {std::log(2.0), std::log(2.0)}});
  const VarD l1 = logsumexp(x, 1);
  CHECK(l1.shape() == Shape{2});
  CHECK(l1.value()(0) == doctest::Approx(std::log(4.0)).epsilon(1e-15));
  CHECK(l1.value()(1) == doctest::Approx(std::log(4.0)).epsilon(1e-15));
  const VarD l0 = logsumexp(x, 0, true);
  CHECK(l0.shape() == Shape{1, 2});
  CHECK(l0.value()(0, 0) == doctest::Approx(std::log(3.0)).epsilon(1e-15));
  CHECK(l0.value()(0, 1) == doctest::Approx(std::log(5.0)).epsilon(1e-15));
}

TEST_CASE("ops reduce: logsumexp is finite and correct at +-1000") {
  VarD x(TensorD{{1000.0, 1000.0}, {-1000.0, -1000.0}, {1000.0, -1000.0}}, true);
  const VarD l = logsumexp(x, 1);
  CHECK(l.value()(0) == doctest::Approx(1000.0 + std::log(2.0)).epsilon(1e-15));
  CHECK(l.value()(1) == doctest::Approx(-1000.0 + std::log(2.0)).epsilon(1e-15));
  CHECK(l.value()(2) == 1000.0);
  sum(l).backward();  // softmax rows: exp(x - l); 1000 + log 2 carries an ulp of ~1e-13
  const TensorD expected{{0.5, 0.5}, {0.5, 0.5}, {1.0, 0.0}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(x.grad().data()[i] == doctest::Approx(expected.data()[i]).epsilon(1e-12));
  }

  Var xf(Tensor<float>{{1000.0f, 1000.0f}, {-1000.0f, -1000.0f}});
  const Var lf = logsumexp(xf, 1);
  CHECK(lf.value()(0) == doctest::Approx(1000.0 + std::log(2.0)).epsilon(1e-6));
  CHECK(lf.value()(1) == doctest::Approx(-1000.0 + std::log(2.0)).epsilon(1e-6));
  // All -inf: the log of an empty sum is -inf, not NaN.
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(logsumexp(VarD(TensorD{-inf, -inf}), 0).item() == -inf);
}

TEST_CASE("ops reduce: gradient of sum and mean of everything") {
  const TensorD x = normal({3, 4}, 81);
  GENLAB_CHECK_GRAD(gradcheck([](const std::vector<VarD>& v) { return sum(v[0]); }, {x}), 1e-6);
  GENLAB_CHECK_GRAD(gradcheck([](const std::vector<VarD>& v) { return mean(v[0]); }, {x}), 1e-6);
}

TEST_CASE("ops reduce: gradient of sum and mean over axes, with and without keepdims") {
  const TensorD x = normal({2, 3, 4}, 82);
  const std::vector<std::vector<std::size_t>> axis_sets = {{0},    {1},    {2},
                                                           {0, 2}, {1, 2}, {0, 1, 2}};
  for (const auto& axes : axis_sets) {
    for (bool keep : {false, true}) {
      GENLAB_CHECK_GRAD(
          gradcheck([&](const std::vector<VarD>& v) { return sum(v[0], axes, keep); }, {x}), 1e-6);
      GENLAB_CHECK_GRAD(
          gradcheck([&](const std::vector<VarD>& v) { return mean(v[0], axes, keep); }, {x}), 1e-6);
    }
  }
}

TEST_CASE("ops reduce: gradient of logsumexp over each axis") {
  const TensorD x = normal({3, 4, 5}, 83) * 3.0;
  for (std::size_t axis = 0; axis < 3; ++axis) {
    for (bool keep : {false, true}) {
      GENLAB_CHECK_GRAD(
          gradcheck([&](const std::vector<VarD>& v) { return logsumexp(v[0], axis, keep); }, {x}),
          1e-6);
    }
  }
  // Large offsets: the stable path (tolerance 1e-6 relative, values ~1e3 so absolute ~1e-3
  // would be too loose; the check is relative to max(1, |gradient|) and gradients are <= 1).
  const TensorD big = normal({2, 6}, 84) + 500.0;
  GENLAB_CHECK_GRAD(gradcheck([](const std::vector<VarD>& v) { return logsumexp(v[0], 1); }, {big}),
                    1e-5);
}

TEST_CASE("ops reduce: axis errors name the op and the shape") {
  VarD x(zeros<double>({2, 3}));
  CHECK_THROWS_WITH_AS(sum(x, {2}), doctest::Contains("sum: axis 2 out of range for shape (2, 3)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(mean(x, {0, 0}),
                       doctest::Contains("mean: axis 0 given twice for shape (2, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(logsumexp(x, 5),
                       doctest::Contains("logsumexp: axis 5 out of range for shape (2, 3)"),
                       ShapeError);
}
