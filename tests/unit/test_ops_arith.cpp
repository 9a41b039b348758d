// Broadcasting arithmetic and scalar ops: forward values by hand, double-precision gradient checks
// (including (B, N) op (N,), (B, 1) op (B, N), 0-d operands and 4-D (1, C, 1, 1)), and the
// broadcast error message. Gradcheck tolerance 1e-6 (central differences, eps 1e-6: truncation
// ~1e-12, rounding ~1e-10 for these magnitudes) unless stated otherwise.
#include <doctest/doctest.h>

#include <cmath>

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

// Values in [0.5, 2] or [-2, -0.5]: safe denominators and pow bases.
TensorD away_from_zero(const Shape& shape, std::uint64_t key) {
  Rng rng = Rng::from_key(key);
  TensorD t = rng.uniform_tensor<double>(shape, 0.5, 2.0);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (rng.bernoulli(0.5)) t.data()[i] = -t.data()[i];
  }
  return t;
}

using BinaryOp = VarD (*)(const VarD&, const VarD&);

// Checks the gradient of op(a, b) with respect to both operands (tolerance 1e-6).
void check_binary_grad(BinaryOp op, const TensorD& a, const TensorD& b) {
  GENLAB_CHECK_GRAD(gradcheck([op](const std::vector<VarD>& v) { return op(v[0], v[1]); }, {a, b}),
                    1e-6);
}

}  // namespace

TEST_CASE("ops arith: add broadcasts (B, N) + (N,) by hand") {
  VarD a(TensorD{{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  VarD b(TensorD{10.0, 20.0, 30.0});
  const VarD c = add(a, b);
  CHECK(c.shape() == Shape{2, 3});
  CHECK(c.value() == TensorD{{11.0, 22.0, 33.0}, {14.0, 25.0, 36.0}});
  const VarD d = sub(b, a);  // (N,) - (B, N)
  CHECK(d.value() == TensorD{{9.0, 18.0, 27.0}, {6.0, 15.0, 24.0}});
}

TEST_CASE("ops arith: mul and div broadcast (B, 1) and 0-d operands by hand") {
  VarD a(TensorD{{1.0, 2.0}, {3.0, 4.0}});
  VarD col(column({2.0, -1.0}));
  CHECK(mul(col, a).value() == TensorD{{2.0, 4.0}, {-3.0, -4.0}});
  TensorD s = TensorD::from_shape(Shape{});
  s() = 4.0;
  const VarD q = div(a, VarD(s));
  CHECK(q.value() == TensorD{{0.25, 0.5}, {0.75, 1.0}});
  const VarD r = div(VarD(s), a);
  CHECK(r.value()(1, 1) == doctest::Approx(1.0));
  CHECK(r.value()(0, 1) == doctest::Approx(2.0));
}

TEST_CASE("ops arith: scalar ops and operators by hand") {
  VarD x(TensorD{1.0, -2.0, 4.0});
  CHECK((x + 1.0).value() == TensorD{2.0, -1.0, 5.0});
  CHECK((x - 1.0).value() == TensorD{0.0, -3.0, 3.0});
  CHECK((3.0 - x).value() == TensorD{2.0, 5.0, -1.0});
  CHECK((x * 2.0).value() == TensorD{2.0, -4.0, 8.0});
  CHECK((8.0 / x).value() == TensorD{8.0, -4.0, 2.0});
  CHECK((x / 2.0).value() == TensorD{0.5, -1.0, 2.0});
  CHECK((-x).value() == TensorD{-1.0, 2.0, -4.0});
  CHECK(pow_scalar(x, 3.0).value() == TensorD{1.0, -8.0, 64.0});
  CHECK(pow_scalar(x, 2.0).value() == TensorD{1.0, 4.0, 16.0});
  CHECK(pow_scalar(x, 0.0).value() == TensorD{1.0, 1.0, 1.0});
}

TEST_CASE("ops arith: float instantiation computes the same as double") {
  Var a(Tensor<float>{{1.0f, 2.0f}, {3.0f, 4.0f}});
  Var b(Tensor<float>{0.5f, -1.0f});
  CHECK((a * b + a / b - a).value() ==
        Tensor<float>{{1.0f * 0.5f + 2.0f - 1.0f, -2.0f - 2.0f - 2.0f},
                      {1.5f + 6.0f - 3.0f, -4.0f - 4.0f - 4.0f}});
}

TEST_CASE("ops arith: gradient of add/sub/mul/div for equal shapes") {
  const TensorD a = normal({3, 4}, 1), b = away_from_zero({3, 4}, 2);
  for (BinaryOp op : {&add<double>, &sub<double>, &mul<double>, &div<double>}) {
    check_binary_grad(op, a, b);
  }
}

TEST_CASE("ops arith: gradient of add/sub/mul/div with (B, N) op (N,) and (N,) op (B, N)") {
  const TensorD a = normal({4, 3}, 3), row = away_from_zero({3}, 4);
  const TensorD b = away_from_zero({4, 3}, 5), rown = normal({3}, 6);
  for (BinaryOp op : {&add<double>, &sub<double>, &mul<double>, &div<double>}) {
    check_binary_grad(op, a, row);
    check_binary_grad(op, rown, b);
  }
}

TEST_CASE("ops arith: gradient of add/sub/mul/div with (B, 1) op (B, N) and (B, N) op (B, 1)") {
  const TensorD col = normal({4, 1}, 7), b = away_from_zero({4, 5}, 8);
  const TensorD a = normal({4, 5}, 9), col_d = away_from_zero({4, 1}, 10);
  for (BinaryOp op : {&add<double>, &sub<double>, &mul<double>, &div<double>}) {
    check_binary_grad(op, col, b);
    check_binary_grad(op, a, col_d);
  }
}

TEST_CASE("ops arith: gradient with 0-d and one-element operands") {
  TensorD s = TensorD::from_shape(Shape{});
  s() = 1.7;
  const TensorD one{-0.8};  // shape (1,)
  const TensorD a = away_from_zero({2, 3}, 11);
  for (BinaryOp op : {&add<double>, &sub<double>, &mul<double>, &div<double>}) {
    check_binary_grad(op, a, s);
    check_binary_grad(op, s, a);
    check_binary_grad(op, one, a);
    check_binary_grad(op, s, one);
  }
}

TEST_CASE("ops arith: gradient with 4-D (B, C, H, W) op (1, C, 1, 1) and (C, 1, W)") {
  const TensorD x = normal({2, 3, 4, 5}, 12);
  const TensorD per_channel = away_from_zero({1, 3, 1, 1}, 13);
  const TensorD mixed = away_from_zero({3, 1, 5}, 14);
  for (BinaryOp op : {&add<double>, &sub<double>, &mul<double>, &div<double>}) {
    check_binary_grad(op, x, per_channel);
    check_binary_grad(op, per_channel, away_from_zero({2, 3, 4, 5}, 15));
    check_binary_grad(op, x, mixed);
  }
  // Both operands broadcast: (3, 1) op (1, 4) -> (3, 4)
  check_binary_grad(&mul<double>, normal({3, 1}, 16), normal({1, 4}, 17));
}

TEST_CASE("ops arith: a broadcast operand used twice accumulates both gradients") {
  // f(a, b) = a * b + b with b: (N,) broadcast twice, so b's gradient is summed into an
  // existing buffer on the second path (tolerance 1e-6).
  const TensorD a = normal({4, 3}, 18), b = normal({3}, 19);
  GENLAB_CHECK_GRAD(
      gradcheck([](const std::vector<VarD>& v) { return v[0] * v[1] + v[1]; }, {a, b}), 1e-6);
  // Same with a (B, 1) column, whose gradient is summed along each run (tolerance 1e-6).
  const TensorD col = normal({4, 1}, 24);
  GENLAB_CHECK_GRAD(
      gradcheck([](const std::vector<VarD>& v) { return v[0] * v[1] + v[1]; }, {a, col}), 1e-6);
  // x * x: the same node is both operands.
  VarD x(TensorD{3.0, -2.0}, true);
  sum(mul(x, x)).backward();
  CHECK(x.grad() == TensorD{6.0, -4.0});
}

TEST_CASE("ops arith: an operand that does not require grad gets no gradient") {
  VarD a(normal({2, 3}, 20), true);
  VarD b(normal({3}, 21), false);
  sum(mul(a, b)).backward();
  CHECK(a.has_grad());
  CHECK_FALSE(b.has_grad());
  // d/da sum(a * b) = b broadcast over rows
  for (std::size_t i = 0; i < 2; ++i) {
    for (std::size_t j = 0; j < 3; ++j) CHECK(a.grad()(i, j) == doctest::Approx(b.value()(j)));
  }
}

TEST_CASE("ops arith: gradient of neg and the scalar ops") {
  const TensorD x = away_from_zero({3, 4}, 22);
  using Fn = genlab::testing::Fn;
  const Fn fns[] = {
      [](const std::vector<VarD>& v) { return neg(v[0]); },
      [](const std::vector<VarD>& v) { return add_scalar(v[0], 0.3); },
      [](const std::vector<VarD>& v) { return mul_scalar(v[0], -1.5); },
      [](const std::vector<VarD>& v) { return rsub_scalar(v[0], 2.0); },
      [](const std::vector<VarD>& v) { return rdiv_scalar(v[0], 1.5); },
      [](const std::vector<VarD>& v) { return pow_scalar(v[0], 3.0); },
      [](const std::vector<VarD>& v) { return pow_scalar(v[0], 2.0); },
      [](const std::vector<VarD>& v) { return pow_scalar(v[0], -2.0); },
      [](const std::vector<VarD>& v) { return pow_scalar(v[0], 0.0); },
  };
  for (const Fn& f : fns) GENLAB_CHECK_GRAD(gradcheck(f, {x}), 1e-6);
  // Non-integer power needs positive bases.
  const TensorD pos = Rng::from_key(23).uniform_tensor<double>({3, 4}, 0.5, 2.0);
  GENLAB_CHECK_GRAD(
      gradcheck([](const std::vector<VarD>& v) { return pow_scalar(v[0], 0.7); }, {pos}), 1e-6);
}

TEST_CASE("ops arith: shape mismatch names the op and both shapes") {
  VarD a(zeros<double>({2, 3})), b(zeros<double>({4}));
  CHECK_THROWS_WITH_AS(add(a, b), doctest::Contains("add: cannot broadcast shapes (2, 3) and (4,)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(sub(a, b), doctest::Contains("sub: cannot broadcast shapes (2, 3) and (4,)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(mul(b, a), doctest::Contains("mul: cannot broadcast shapes (4,) and (2, 3)"),
                       ShapeError);
  VarD c(zeros<double>({3, 2, 2}));
  CHECK_THROWS_WITH_AS(div(a, c),
                       doctest::Contains("div: cannot broadcast shapes (2, 3) and (3, 2, 2)"),
                       ShapeError);
}
