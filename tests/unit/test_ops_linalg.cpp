// matmul and linear: forward against naive loops, double-precision gradient checks for every
// transpose flag combination and every input, gradient accumulation, shape errors.
// It does not time gemm (the benchmark does).
#include <doctest/doctest.h>

#include "genlab/error.hpp"
#include "genlab/ops.hpp"
#include "support/gradcheck.hpp"

using namespace genlab;
using genlab::testing::gradcheck;
using genlab::testing::TensorD;

namespace {

TensorD random_tensor(const Shape& shape, std::uint64_t key) {
  return Rng::from_key(key).normal_tensor<double>(shape, 0.0, 1.0);
}

// op(a)(i, j): a stored (rows, cols), read transposed if t.
double at(const TensorD& a, bool t, std::size_t i, std::size_t j) {
  return t ? a(j, i) : a(i, j);
}

TensorD naive_matmul(const TensorD& a, const TensorD& b, bool ta, bool tb) {
  const std::size_t m = ta ? a.shape()[1] : a.shape()[0];
  const std::size_t k = ta ? a.shape()[0] : a.shape()[1];
  const std::size_t n = tb ? b.shape()[0] : b.shape()[1];
  TensorD c = zeros<double>({m, n});
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t l = 0; l < k; ++l) c(i, j) += at(a, ta, i, l) * at(b, tb, l, j);
    }
  }
  return c;
}

double max_abs_diff(const TensorD& a, const TensorD& b) {
  REQUIRE(a.shape() == b.shape());
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a.data()[i] - b.data()[i]));
  return d;
}

}  // namespace

TEST_CASE("matmul: forward matches a naive loop for every transpose flag combination") {
  const std::size_t m = 4, k = 5, n = 3;
  for (int flags = 0; flags < 4; ++flags) {
    const bool ta = flags & 1, tb = flags & 2;
    CAPTURE(ta);
    CAPTURE(tb);
    const TensorD a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, 1);
    const TensorD b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, 2);
    const VarD c = matmul(VarD(a), VarD(b), ta, tb);
    CHECK(c.shape() == Shape{m, n});
    CHECK(max_abs_diff(c.value(), naive_matmul(a, b, ta, tb)) < 1e-12);  // double rounding only
  }
}

TEST_CASE("matmul: gradients match finite differences for every transpose flag combination") {
  const std::size_t m = 3, k = 4, n = 5;
  for (int flags = 0; flags < 4; ++flags) {
    const bool ta = flags & 1, tb = flags & 2;
    CAPTURE(ta);
    CAPTURE(tb);
    const TensorD a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, 3);
    const TensorD b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, 4);
    const auto f = [ta, tb](const std::vector<VarD>& in) { return matmul(in[0], in[1], ta, tb); };
    // tolerance 1e-6: central differences of a bilinear map are exact up to rounding
    GENLAB_CHECK_GRAD(gradcheck(f, {a, b}), 1e-6);
  }
}

TEST_CASE("matmul: one operand used twice accumulates both gradients (a a^T and a^T a)") {
  const TensorD a = random_tensor({3, 4}, 5);
  const auto outer = [](const std::vector<VarD>& in) { return matmul(in[0], in[0], false, true); };
  const auto inner = [](const std::vector<VarD>& in) { return matmul(in[0], in[0], true, false); };
  GENLAB_CHECK_GRAD(gradcheck(outer, {a}), 1e-6);  // tolerance 1e-6 (quadratic, exact FD)
  GENLAB_CHECK_GRAD(gradcheck(inner, {a}), 1e-6);
}

TEST_CASE("matmul: a second backward adds to the existing gradient instead of overwriting it") {
  const TensorD a = random_tensor({2, 3}, 6), b = random_tensor({3, 2}, 7);
  VarD va(a, true), vb(b, true);
  const VarD c = matmul(va, vb);
  const TensorD seed = random_tensor({2, 2}, 8);
  c.backward(seed, true);
  const TensorD once = va.grad();
  c.zero_grad();  // only the leaf keeps its gradient
  c.backward(seed);
  CHECK(max_abs_diff(va.grad(), once * 2.0) < 1e-12);  // double rounding only
}

TEST_CASE("matmul: float instantiation agrees with double") {
  const TensorD a = random_tensor({6, 5}, 9), b = random_tensor({6, 4}, 10);
  const Var c = matmul(Var(cast<float>(a)), Var(cast<float>(b)), true, false);
  // tolerance 1e-5: float rounding over K = 6 products of O(1) values
  CHECK(max_abs_diff(cast<double>(c.value()), naive_matmul(a, b, true, false)) < 1e-5);
}

TEST_CASE("matmul: mismatched or non-2-D operands throw ShapeError naming the op and shapes") {
  const VarD a(zeros<double>({2, 3})), b(zeros<double>({4, 5}));
  CHECK_THROWS_WITH_AS(matmul(a, b), doctest::Contains("matmul"), ShapeError);
  CHECK_THROWS_WITH_AS(matmul(a, b), doctest::Contains("(2, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(matmul(a, b), doctest::Contains("(4, 5)"), ShapeError);
  const VarD v(zeros<double>({3}));
  CHECK_THROWS_WITH_AS(matmul(a, v), doctest::Contains("(3,)"), ShapeError);
  // (3, 2)^T (3, 4) conforms once transposed; without the flag it does not
  const VarD t(zeros<double>({3, 2})), u(zeros<double>({3, 4}));
  CHECK(matmul(t, u, true, false).shape() == Shape{2, 4});
  CHECK_THROWS_AS(matmul(t, u), ShapeError);
}

TEST_CASE("linear: forward equals x w + b computed with loops, with and without bias") {
  const TensorD x = random_tensor({4, 3}, 11), w = random_tensor({3, 5}, 12);
  const TensorD b = random_tensor({5}, 13);
  TensorD expected = naive_matmul(x, w, false, false);
  const VarD no_bias = linear(VarD(x), VarD(w), VarD());
  CHECK(max_abs_diff(no_bias.value(), expected) < 1e-12);  // double rounding only
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 5; ++j) expected(i, j) += b(j);
  }
  const VarD y = linear(VarD(x), VarD(w), VarD(b));
  CHECK(max_abs_diff(y.value(), expected) < 1e-12);  // double rounding only
}

TEST_CASE("linear: gradients for x, w and b match finite differences") {
  const TensorD x = random_tensor({4, 3}, 14), w = random_tensor({3, 5}, 15);
  const TensorD b = random_tensor({5}, 16);
  const auto with_bias = [](const std::vector<VarD>& in) { return linear(in[0], in[1], in[2]); };
  const auto no_bias = [](const std::vector<VarD>& in) { return linear(in[0], in[1], VarD()); };
  GENLAB_CHECK_GRAD(gradcheck(with_bias, {x, w, b}), 1e-6);  // tolerance 1e-6 (affine map)
  GENLAB_CHECK_GRAD(gradcheck(no_bias, {x, w}), 1e-6);
  // input data that requires no gradient: only w and b get one (same tolerance)
  GENLAB_CHECK_GRAD(gradcheck(with_bias, {x, w, b}, {1, 2}), 1e-6);
}

TEST_CASE("linear: the input data gets no gradient when it does not require one") {
  const VarD x(random_tensor({2, 3}, 17));
  const VarD w = VarD::parameter(random_tensor({3, 2}, 18));
  const VarD b = VarD::parameter(random_tensor({2}, 19));
  linear(x, w, b).backward(full<double>({2, 2}, 1.0));
  CHECK_FALSE(x.has_grad());
  CHECK(b.grad()(0) == doctest::Approx(2.0));  // column sum of two ones; default Approx 1.2e-5
  CHECK(w.has_grad());
}

TEST_CASE("linear: shape mismatches throw ShapeError naming the op and both shapes") {
  const VarD x(zeros<double>({2, 3})), w(zeros<double>({4, 5})), w_ok(zeros<double>({3, 5}));
  CHECK_THROWS_WITH_AS(linear(x, w, VarD()), doctest::Contains("linear"), ShapeError);
  CHECK_THROWS_WITH_AS(linear(x, w, VarD()), doctest::Contains("(2, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(linear(x, w, VarD()), doctest::Contains("(4, 5)"), ShapeError);
  const VarD b(zeros<double>({4}));
  CHECK_THROWS_WITH_AS(linear(x, w_ok, b), doctest::Contains("(4,)"), ShapeError);
  CHECK_THROWS_WITH_AS(linear(x, w_ok, b), doctest::Contains("(3, 5)"), ShapeError);
}
