// Elementwise functions: forward values by hand, double-precision gradient checks for every op
// (kinks of relu, leaky_relu, abs and clamp tested at least 0.1 away from the kink), and
// stability of sigmoid/softplus at +-1000 in float and double. Gradcheck tolerance 1e-6
// (central differences, eps 1e-6) unless stated otherwise.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

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

// Moves every element within `margin` of any kink to kink +- margin.
TensorD push_away(TensorD t, const std::vector<double>& kinks, double margin = 0.1) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    double& v = t.data()[i];
    for (double k : kinks) {
      if (std::abs(v - k) < margin) v = v >= k ? k + margin : k - margin;
    }
  }
  return t;
}

bool min_distance_at_least(const TensorD& t, const std::vector<double>& kinks, double margin) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    for (double k : kinks) {
      if (std::abs(t.data()[i] - k) < margin - 1e-12) return false;
    }
  }
  return true;
}

using UnaryFn = std::function<VarD(const VarD&)>;

void check_unary_grad(const UnaryFn& f, const TensorD& x, double tol) {
  GENLAB_CHECK_GRAD(gradcheck([&f](const std::vector<VarD>& v) { return f(v[0]); }, {x}), tol);
}

}  // namespace

TEST_CASE("ops unary: forward values by hand") {
  VarD x(TensorD{-2.0, -0.5, 0.0, 0.5, 2.0});
  CHECK(relu(x).value() == TensorD{0.0, 0.0, 0.0, 0.5, 2.0});
  CHECK(leaky_relu(x, 0.1).value() == TensorD{-0.2, -0.05, 0.0, 0.5, 2.0});
  CHECK(abs(x).value() == TensorD{2.0, 0.5, 0.0, 0.5, 2.0});
  CHECK(clamp(x, -1.0, 1.0).value() == TensorD{-1.0, -0.5, 0.0, 0.5, 1.0});
  CHECK(square(x).value() == TensorD{4.0, 0.25, 0.0, 0.25, 4.0});
  CHECK(sigmoid(x).value()(2) == 0.5);
  CHECK(sigmoid(x).value()(4) == doctest::Approx(1.0 / (1.0 + std::exp(-2.0))).epsilon(1e-15));
  CHECK(sigmoid(x).value()(0) == doctest::Approx(1.0 / (1.0 + std::exp(2.0))).epsilon(1e-15));
  CHECK(softplus(x).value()(2) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
  CHECK(softplus(x).value()(0) == doctest::Approx(std::log(1.0 + std::exp(-2.0))).epsilon(1e-15));
  CHECK(tanh(x).value()(4) == doctest::Approx(std::tanh(2.0)).epsilon(1e-15));
  VarD p(TensorD{1.0, 4.0, 0.25});
  CHECK(sqrt(p).value() == TensorD{1.0, 2.0, 0.5});
  CHECK(log(p).value()(0) == 0.0);
  CHECK(log(p).value()(1) == doctest::Approx(2.0 * std::log(2.0)).epsilon(1e-15));
  CHECK(exp(log(p)).value()(2) == doctest::Approx(0.25).epsilon(1e-15));
}

TEST_CASE("ops unary: NaN propagates through relu and clamp") {
  VarD x(TensorD{std::nan(""), 1.0});
  CHECK(std::isnan(relu(x).value()(0)));
  CHECK(std::isnan(clamp(x, -1.0, 1.0).value()(0)));
}

TEST_CASE("ops unary: gradient at the kink follows the zero-gradient convention") {
  VarD x(TensorD{0.0, 1.0, -1.0}, true);
  sum(relu(x) + abs(x) + clamp(x, -1.0, 1.0)).backward();
  // relu'(0) = 0, abs'(0) = 0, clamp passes 0 but not at the bounds (strict lo < x < hi)
  CHECK(x.grad() == TensorD{1.0, 1.0 + 1.0 + 0.0, 0.0 - 1.0 + 0.0});
}

TEST_CASE("ops unary: gradient of smooth functions") {
  const TensorD x = normal({3, 5}, 31);
  // Tolerance 1e-6 for all: values and derivatives are O(1) on N(0, 1) inputs.
  check_unary_grad([](const VarD& v) { return tanh(v); }, x, 1e-6);
  check_unary_grad([](const VarD& v) { return sigmoid(v); }, x, 1e-6);
  check_unary_grad([](const VarD& v) { return softplus(v); }, x, 1e-6);
  check_unary_grad([](const VarD& v) { return exp(v); }, x, 1e-6);
  check_unary_grad([](const VarD& v) { return square(v); }, x, 1e-6);
  // log and sqrt on [0.2, 3]: derivatives up to 5 and 1.1, still well inside 1e-6.
  const TensorD pos = Rng::from_key(32).uniform_tensor<double>({3, 5}, 0.2, 3.0);
  check_unary_grad([](const VarD& v) { return log(v); }, pos, 1e-6);
  check_unary_grad([](const VarD& v) { return sqrt(v); }, pos, 1e-6);
}

TEST_CASE("ops unary: gradient of sigmoid and softplus on large inputs") {
  // |x| in [5, 30]: the stable branches (x < 0 uses e^x / (1 + e^x)); tolerance 1e-6.
  Rng rng = Rng::from_key(33);
  TensorD x = rng.uniform_tensor<double>({12}, 5.0, 30.0);
  for (std::size_t i = 0; i < x.size(); i += 2) x(i) = -x(i);
  check_unary_grad([](const VarD& v) { return sigmoid(v); }, x, 1e-6);
  check_unary_grad([](const VarD& v) { return softplus(v); }, x, 1e-6);
}

TEST_CASE("ops unary: gradient of kinked functions away from the kink") {
  const TensorD x = push_away(normal({4, 5}, 34), {0.0});
  REQUIRE(min_distance_at_least(x, {0.0}, 0.1));
  // Tolerance 1e-6: with eps 1e-6 no difference straddles a kink 0.1 away.
  check_unary_grad([](const VarD& v) { return relu(v); }, x, 1e-6);
  check_unary_grad([](const VarD& v) { return leaky_relu(v, 0.2); }, x, 1e-6);
  check_unary_grad([](const VarD& v) { return abs(v); }, x, 1e-6);
  const TensorD c = push_away(normal({4, 5}, 35), {-0.5, 0.5});
  REQUIRE(min_distance_at_least(c, {-0.5, 0.5}, 0.1));
  check_unary_grad([](const VarD& v) { return clamp(v, -0.5, 0.5); }, c, 1e-6);
}

TEST_CASE("ops unary: sigmoid and softplus are finite and correct at +-1000") {
  VarD x(TensorD{-1000.0, 1000.0}, true);
  const VarD s = sigmoid(x);
  CHECK(s.value() == TensorD{0.0, 1.0});
  const VarD sp = softplus(x);
  CHECK(sp.value()(0) == 0.0);  // log(1 + e^-1000) underflows to 0 (true value ~1e-434)
  CHECK(sp.value()(1) == 1000.0);
  sum(s + sp).backward();
  // d sigmoid = 0 at both ends; d softplus = sigmoid(x) = 0 and 1
  CHECK(x.grad() == TensorD{0.0, 1.0});

  Var xf(Tensor<float>{-1000.0f, -50.0f, 50.0f, 1000.0f}, true);
  const Var sf = sigmoid(xf), spf = softplus(xf);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(std::isfinite(sf.value()(i)));
    CHECK(std::isfinite(spf.value()(i)));
  }
  CHECK(sf.value()(0) == 0.0f);
  CHECK(sf.value()(3) == 1.0f);
  CHECK(spf.value()(3) == 1000.0f);
  CHECK(spf.value()(2) == 50.0f);
  CHECK(spf.value()(1) == doctest::Approx(std::exp(-50.0)).epsilon(1e-6));
  sum(sf + spf).backward();
  for (std::size_t i = 0; i < 4; ++i) CHECK(std::isfinite(xf.grad()(i)));
}

TEST_CASE("ops unary: clamp with lower bound above upper bound names the op and bounds") {
  VarD x(zeros<double>({2}));
  CHECK_THROWS_WITH_AS(clamp(x, 1.0, -1.0), doctest::Contains("clamp: lower bound 1.0"), Error);
  CHECK_THROWS_WITH_AS(clamp(x, 1.0, -1.0), doctest::Contains("upper bound -1.0"), Error);
}
