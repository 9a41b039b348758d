// Losses and log-densities: values against the closed forms, gradient checks for every operand
// under each Reduction, stability at extreme logits, PyTorch's BCE clamp, and shape errors.
// It does not test the metrics built on top of them (ELBO, IWAE).
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

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
TensorD uniform(const Shape& shape, std::uint64_t key, double lo, double hi) {
  return Rng::from_key(key).uniform_tensor<double>(shape, lo, hi);
}

const Reduction kReductions[] = {Reduction::None, Reduction::Sum, Reduction::Mean};

using Binary = VarD (*)(const VarD&, const VarD&, Reduction);

// Gradient check of a two-operand loss w.r.t. both operands under every reduction.
void check_binary(Binary loss, const TensorD& a, const TensorD& b) {
  for (const Reduction r : kReductions) {
    CAPTURE(static_cast<int>(r));
    const auto f = [loss, r](const std::vector<VarD>& in) { return loss(in[0], in[1], r); };
    GENLAB_CHECK_GRAD(gradcheck(f, {a, b}), 1e-6);  // tolerance 1e-6: smooth terms, O(1) values
  }
}

}  // namespace

TEST_CASE("losses: gradients for every operand under None, Sum and Mean") {
  const Shape shape{3, 4};
  SUBCASE("bce_with_logits (targets soft, so their gradient is exercised)") {
    check_binary(&bce_with_logits<double>, normal(shape, 1) * 3.0, uniform(shape, 2, 0.0, 1.0));
  }
  SUBCASE("bce at probabilities away from 0 and 1") {
    check_binary(&bce<double>, uniform(shape, 3, 0.1, 0.9), uniform(shape, 4, 0.0, 1.0));
  }
  SUBCASE("mse") { check_binary(&mse<double>, normal(shape, 5), normal(shape, 6)); }
  SUBCASE("l1 away from the kink: |a - b| >= 0.2") {
    const TensorD a = normal(shape, 7);
    TensorD b = a;
    const TensorD offset = uniform(shape, 8, 0.2, 1.0);
    for (std::size_t i = 0; i < b.size(); ++i) {
      b.data()[i] += (i % 2 ? 1.0 : -1.0) * offset.data()[i];
    }
    check_binary(&l1<double>, a, b);
  }
  SUBCASE("gaussian_kl") {
    check_binary(&gaussian_kl<double>, normal(shape, 9), normal(shape, 10));
  }
  SUBCASE("bernoulli_log_density") {
    check_binary(&bernoulli_log_density<double>, uniform(shape, 11, 0.0, 1.0), normal(shape, 12));
  }
  SUBCASE("gaussian_log_density (three operands)") {
    for (const Reduction r : kReductions) {
      CAPTURE(static_cast<int>(r));
      const auto f = [r](const std::vector<VarD>& in) {
        return gaussian_log_density(in[0], in[1], in[2], r);
      };
      // tolerance 1e-6: smooth terms, O(1) values
      const std::vector<TensorD> xs{normal(shape, 13), normal(shape, 14), normal(shape, 15)};
      GENLAB_CHECK_GRAD(gradcheck(f, xs), 1e-6);
    }
  }
}

TEST_CASE("losses: values match the closed forms and reductions give the right shapes") {
  // doctest::Approx throughout: default relative tolerance 1.2e-5, ample for double closed forms
  const TensorD a{{0.5, -1.0}, {2.0, 0.0}}, b{{1.0, 1.0}, {-1.0, 0.5}};
  const VarD va(a), vb(b);
  const VarD none = mse(va, vb, Reduction::None);
  CHECK(none.shape() == Shape{2, 2});
  CHECK(none.value()(1, 0) == doctest::Approx(9.0));
  const VarD sum = mse(va, vb, Reduction::Sum);
  CHECK(sum.ndim() == 0);
  CHECK(sum.item() == doctest::Approx(0.25 + 4.0 + 9.0 + 0.25));
  CHECK(mse(va, vb, Reduction::Mean).item() == doctest::Approx(13.5 / 4));
  CHECK(l1(va, vb, Reduction::Sum).item() == doctest::Approx(0.5 + 2.0 + 3.0 + 0.5));

  // gaussian_kl(mu, logvar) = 0.5 (mu^2 + exp(lv) - 1 - lv)
  CHECK(gaussian_kl(va, vb, Reduction::None).value()(0, 1) ==
        doctest::Approx(0.5 * (1.0 + std::exp(1.0) - 1.0 - 1.0)));
  CHECK(gaussian_kl(VarD(zeros<double>({3})), VarD(zeros<double>({3}))).item() == 0.0);
  // log N(x; mu, exp(lv)) at x = 2, mu = 0.5, lv = 1 (logvar operand = b(0, 0) = 1)
  const double sigma2 = std::exp(1.0);
  CHECK(gaussian_log_density(VarD(TensorD{2.0}), VarD(TensorD{0.5}), VarD(TensorD{1.0})).item() ==
        doctest::Approx(-0.5 * std::log(2 * std::numbers::pi * sigma2) - 2.25 / (2 * sigma2)));
  // bce_with_logits(z = 0.5, t = 1) = -log sigmoid(0.5); bce(p, t) on sigmoid(z) agrees
  const double sig = 1.0 / (1.0 + std::exp(-0.5));
  CHECK(bce_with_logits(VarD(TensorD{0.5}), VarD(TensorD{1.0})).item() ==
        doctest::Approx(-std::log(sig)));
  CHECK(bce(VarD(TensorD{sig}), VarD(TensorD{0.3})).item() ==
        doctest::Approx(bce_with_logits(VarD(TensorD{0.5}), VarD(TensorD{0.3})).item()));
  // bernoulli_log_density(x, logits) = -bce_with_logits(logits, x) elementwise
  const VarD lp = bernoulli_log_density(vb, va, Reduction::None);
  const VarD ce = bce_with_logits(va, vb, Reduction::None);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(lp.value().data()[i] == doctest::Approx(-ce.value().data()[i]));
  }
}

TEST_CASE("bce_with_logits: finite values and gradients at logits of +-1000 (float)") {
  Var z = Var::parameter(Tensor<float>{1000.0f, -1000.0f, 1000.0f, -1000.0f});
  const Var t(Tensor<float>{1.0f, 0.0f, 0.0f, 1.0f});
  const Var l = bce_with_logits(z, t, Reduction::None);
  // doctest::Approx: default relative tolerance 1.2e-5 (float values of magnitude 1 and 1000)
  CHECK(l.value()(0) == 0.0f);  // confident and right: exactly 0, no overflow
  CHECK(l.value()(1) == 0.0f);
  CHECK(l.value()(2) == doctest::Approx(1000.0));  // confident and wrong: |z|
  CHECK(l.value()(3) == doctest::Approx(1000.0));
  bce_with_logits(z, t, Reduction::Sum).backward();
  const Tensor<float> expected{0.0f, 0.0f, 1.0f, -1.0f};  // sigmoid(z) - t
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(std::isfinite(z.grad()(i)));
    CHECK(z.grad()(i) == doctest::Approx(expected(i)));
  }
  const Var lp = bernoulli_log_density(t, z, Reduction::Sum);
  CHECK(lp.item() == doctest::Approx(-2000.0));
}

TEST_CASE("losses: large tensors (many pool chunks) reduce and differentiate like a plain loop") {
  // 100,003 elements: 7 chunks of the compute pool's loops, the last one short
  const std::size_t n = 100003;
  const TensorD z = normal({n}, 91), t = uniform({n}, 92, 0.0, 1.0);
  VarD zv = VarD::parameter(z);
  const VarD sum = bce_with_logits(zv, VarD(t), Reduction::Sum);
  const VarD mean = bce_with_logits(VarD(z), VarD(t), Reduction::Mean);
  sum.backward();
  long double reference = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double zi = z(i), ti = t(i);
    reference += std::max(zi, 0.0L) - zi * ti + std::log1p(std::exp(-std::abs(zi)));
  }
  // tolerance 1e-12 relative: double terms summed in double, against a long double loop
  CHECK(sum.item() == doctest::Approx(static_cast<double>(reference)).epsilon(1e-12));
  CHECK(mean.item() == doctest::Approx(static_cast<double>(reference / n)).epsilon(1e-12));
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double expected = 1.0 / (1.0 + std::exp(-z(i))) - t(i);  // sigmoid(z) - t
    wrong += std::abs(zv.grad()(i) - expected) > 1e-12;
  }
  CHECK(wrong == 0);
}

TEST_CASE("bce_with_logits (float, vectorised exp/log): every term and gradient matches double precision") {
  // 100,003 logits in [-30, 30] (the last lane of four is padded) against the same formula in double
  const std::size_t n = 100003;
  Rng rng(5, "bce-float");
  const Tensor<float> z = rng.uniform_tensor<float>({n}, -30.f, 30.f), t = rng.uniform_tensor<float>({n}, 0.f, 1.f);
  Var zv = Var::parameter(z);
  const Var l = bce_with_logits(zv, Var(t), Reduction::None);
  sum(l, {0}).backward();
  std::size_t bad_value = 0, bad_grad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double zi = z(i), ti = t(i);
    const double value = std::max(zi, 0.0) - zi * ti + std::log1p(std::exp(-std::abs(zi)));
    const double grad = 1.0 / (1.0 + std::exp(-zi)) - ti;
    // tolerance: a few float ulps of the operands' scale (|z| <= 30), as the float formula allows
    bad_value += std::abs(l.value()(i) - value) > 1e-5 * (1.0 + std::abs(zi));
    bad_grad += std::abs(zv.grad()(i) - grad) > 1e-6;
  }
  CHECK(bad_value == 0);
  CHECK(bad_grad == 0);
  // a value alone (a padded lane) gives exactly what it gave inside a full lane of four
  for (std::size_t i : {std::size_t{0}, std::size_t{5}, n - 1}) {
    const Tensor<float> zi{z(i)}, ti{t(i)};
    CHECK(bce_with_logits(Var(zi), Var(ti), Reduction::None).value()(0) == l.value()(i));
  }
}

TEST_CASE("bce: logs are clamped at -100 like PyTorch, so saturated probabilities stay finite") {
  const VarD l = bce(VarD(TensorD{0.0, 1.0, 0.0}), VarD(TensorD{1.0, 0.0, 0.0}), Reduction::None);
  // doctest::Approx: default relative tolerance 1.2e-5
  CHECK(l.value()(0) == doctest::Approx(100.0));
  CHECK(l.value()(1) == doctest::Approx(100.0));
  CHECK(l.value()(2) == 0.0);
  VarD p = VarD::parameter(TensorD{0.0, 1.0});
  bce(p, VarD(TensorD{1.0, 0.0}), Reduction::Sum).backward();
  CHECK(std::isfinite(p.grad()(0)));
  CHECK(p.grad()(0) < 0.0);  // pushes p up towards the target 1
  CHECK(p.grad()(1) > 0.0);
}

TEST_CASE("losses: only operands that require a gradient get one") {
  const VarD logits = VarD::parameter(normal({2, 3}, 16));
  const VarD targets(uniform({2, 3}, 17, 0.0, 1.0));
  bce_with_logits(logits, targets).backward();
  CHECK(logits.has_grad());
  CHECK_FALSE(targets.has_grad());
}

TEST_CASE("losses: operands of different shapes throw ShapeError naming the op and both shapes") {
  const VarD a(zeros<double>({2, 3})), b(zeros<double>({3, 2}));
  CHECK_THROWS_WITH_AS(mse(a, b), doctest::Contains("mse: a (2, 3) and b (3, 2)"), ShapeError);
  CHECK_THROWS_WITH_AS(l1(a, b), doctest::Contains("l1"), ShapeError);
  CHECK_THROWS_WITH_AS(bce(a, b), doctest::Contains("bce: probs (2, 3) and targets (3, 2)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(bce_with_logits(a, b), doctest::Contains("bce_with_logits"), ShapeError);
  CHECK_THROWS_WITH_AS(gaussian_kl(a, b), doctest::Contains("gaussian_kl: mu (2, 3)"), ShapeError);
  CHECK_THROWS_WITH_AS(gaussian_log_density(a, a, b),
                       doctest::Contains("gaussian_log_density: x (2, 3) and logvar (3, 2)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(bernoulli_log_density(a, b),
                       doctest::Contains("bernoulli_log_density: x (2, 3) and logits (3, 2)"),
                       ShapeError);
}
