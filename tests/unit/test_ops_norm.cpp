// batch_norm, instance_norm and dropout: gradient checks (training and evaluation, 2-D and 4-D), running
// statistics after one step against hand-computed values, dropout's keep rate and scale, and
// argument errors. It does not test the BatchNorm module that owns the running statistics.
#include <doctest/doctest.h>

#include "genlab/error.hpp"
#include "genlab/ops.hpp"
#include "support/gradcheck.hpp"

using namespace genlab;
using genlab::testing::gradcheck;
using genlab::testing::TensorD;

namespace {

TensorD random_tensor(const Shape& shape, std::uint64_t key, double mean = 0.0, double sd = 1.0) {
  return Rng::from_key(key).normal_tensor<double>(shape, mean, sd);
}

}  // namespace

TEST_CASE("batch_norm: training-mode gradients for x, gamma and beta (2-D and 4-D)") {
  for (const Shape& shape : {Shape{5, 3}, Shape{2, 3, 2, 3}}) {
    CAPTURE(shape_str(shape));
    const TensorD x = random_tensor(shape, 1, 0.5, 2.0);
    const TensorD gamma = random_tensor({3}, 2), beta = random_tensor({3}, 3);
    const auto f = [](const std::vector<VarD>& in) {
      // running statistics: updated, never read, in training
      TensorD rm = zeros<double>({3}), rv = full<double>({3}, 1.0);
      return batch_norm(in[0], in[1], in[2], rm, rv, true);
    };
    // tolerance 1e-6: smooth in every input, O(1) values
    GENLAB_CHECK_GRAD(gradcheck(f, {x, gamma, beta}), 1e-6);
  }
}

TEST_CASE("batch_norm: evaluation-mode gradients use the running statistics") {
  const TensorD x = random_tensor({2, 3, 2, 2}, 4);
  const TensorD gamma = random_tensor({3}, 5), beta = random_tensor({3}, 6);
  const auto f = [](const std::vector<VarD>& in) {
    TensorD rm{0.1, -0.2, 0.3}, rv{0.5, 1.5, 2.0};
    return batch_norm(in[0], in[1], in[2], rm, rv, false);
  };
  GENLAB_CHECK_GRAD(gradcheck(f, {x, gamma, beta}), 1e-6);  // tolerance 1e-6 (affine in x)
  // undefined gamma / beta act as 1 / 0; tolerance 1e-6 as above
  const auto plain = [](const std::vector<VarD>& in) {
    TensorD rm = zeros<double>({3}), rv = full<double>({3}, 1.0);
    return batch_norm(in[0], VarD(), VarD(), rm, rv, true);
  };
  GENLAB_CHECK_GRAD(gradcheck(plain, {x}), 1e-6);
}

TEST_CASE("batch_norm: one training step normalises the batch and updates running statistics") {
  // x: (4, 2); channel 0 = {1, 2, 3, 6} (mean 3, biased var 3.5, unbiased 14/3),
  //            channel 1 = {0, 0, 4, 4} (mean 2, biased var 4, unbiased 16/3)
  const TensorD x{{1.0, 0.0}, {2.0, 0.0}, {3.0, 4.0}, {6.0, 4.0}};
  TensorD rm{0.5, -1.0}, rv{2.0, 1.0};
  const double eps = 1e-5;
  const VarD y = batch_norm(VarD(x), VarD(TensorD{2.0, 1.0}), VarD(TensorD{0.0, 10.0}), rm, rv,
                            true, 0.1, eps);
  // running = 0.9 running + 0.1 batch (unbiased variance); tolerance 1e-12: double rounding
  CHECK(rm(0) == doctest::Approx(0.9 * 0.5 + 0.1 * 3.0).epsilon(1e-12));
  CHECK(rm(1) == doctest::Approx(0.9 * -1.0 + 0.1 * 2.0).epsilon(1e-12));
  CHECK(rv(0) == doctest::Approx(0.9 * 2.0 + 0.1 * 14.0 / 3.0).epsilon(1e-12));
  CHECK(rv(1) == doctest::Approx(0.9 * 1.0 + 0.1 * 16.0 / 3.0).epsilon(1e-12));
  // y = gamma (x - mean) / sqrt(biased var + eps) + beta
  CHECK(y.value()(3, 0) == doctest::Approx(2.0 * 3.0 / std::sqrt(3.5 + eps)).epsilon(1e-12));
  CHECK(y.value()(0, 1) == doctest::Approx(10.0 - 2.0 / std::sqrt(4.0 + eps)).epsilon(1e-12));

  // evaluation reads the running statistics and leaves them alone
  const TensorD rm_before = rm, rv_before = rv;
  const VarD e = batch_norm(VarD(x), VarD(), VarD(), rm, rv, false, 0.1, eps);
  CHECK(e.value()(2, 0) == doctest::Approx((3.0 - rm(0)) / std::sqrt(rv(0) + eps)).epsilon(1e-12));
  CHECK(rm == rm_before);
  CHECK(rv == rv_before);
}

TEST_CASE("batch_norm: 4-D statistics pool over batch and space (float instantiation)") {
  Tensor<float> x = cast<float>(random_tensor({4, 2, 3, 3}, 7, 3.0, 2.0));
  Tensor<float> rm = zeros<float>({2}), rv = full<float>({2}, 1.0f);
  const Var y = batch_norm(Var(x), Var(), Var(), rm, rv, true);
  for (std::size_t c = 0; c < 2; ++c) {
    double s = 0, sq = 0;
    for (std::size_t b = 0; b < 4; ++b)
      for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
          s += y.value()(b, c, i, j);
          sq += y.value()(b, c, i, j) * y.value()(b, c, i, j);
        }
    CHECK(std::abs(s / 36) < 1e-5);        // mean 0; tolerance: float rounding
    CHECK(std::abs(sq / 36 - 1.0) < 1e-4);  // biased var 1 - eps/var; tolerance: eps and float
  }
}

TEST_CASE("batch_norm: bad shapes and single-value training batches throw ShapeError") {
  TensorD rm = zeros<double>({3}), rv = full<double>({3}, 1.0);
  const VarD x(zeros<double>({4, 3}));
  CHECK_THROWS_WITH_AS(batch_norm(x, VarD(zeros<double>({2})), VarD(), rm, rv, true),
                       doctest::Contains("batch_norm: gamma (2,) does not match x (4, 3)"),
                       ShapeError);
  TensorD rm_bad = zeros<double>({4});
  CHECK_THROWS_WITH_AS(batch_norm(x, VarD(), VarD(), rm_bad, rv, true),
                       doctest::Contains("running_mean (4,)"), ShapeError);
  CHECK_THROWS_WITH_AS(batch_norm(VarD(zeros<double>({1, 3})), VarD(), VarD(), rm, rv, true),
                       doctest::Contains("more than one value per channel"), ShapeError);
  CHECK_NOTHROW(batch_norm(VarD(zeros<double>({1, 3})), VarD(), VarD(), rm, rv, false));
  CHECK_THROWS_AS(batch_norm(VarD(zeros<double>({4, 3, 2})), VarD(), VarD(), rm, rv, true),
                  ShapeError);
}

TEST_CASE("dropout: gradient matches finite differences with a fixed stream") {
  const TensorD x = random_tensor({4, 5}, 8);
  const auto f = [](const std::vector<VarD>& in) {
    Rng rng(7, "dropout");  // same seed on every evaluation: the same mask
    return dropout(in[0], 0.4, true, rng);
  };
  GENLAB_CHECK_GRAD(gradcheck(f, {x}), 1e-6);  // tolerance 1e-6 (linear in x)
}

TEST_CASE("dropout: keeps about (1 - p) of the elements and scales them by 1 / (1 - p)") {
  const std::size_t n = 100000;
  const float p = 0.3f;
  Rng rng(1, "dropout");
  const Var y = dropout(Var(full<float>({n}, 1.0f)), p, true, rng);
  std::size_t kept = 0;
  double worst = 0;  // largest |kept value - 1/(1-p)|
  for (float v : y.value()) {
    if (v != 0.0f) {
      ++kept;
      worst = std::max(worst, std::abs(v - 1.0 / 0.7));
    }
  }
  CHECK(worst < 1e-6);  // tolerance: float rounding of 1/(1-p)
  // binomial sd = sqrt(0.21 / n) = 0.0015; tolerance 0.01 is about 7 sd
  CHECK(std::abs(static_cast<double>(kept) / n - 0.7) < 0.01);
  // the same stream gives the same mask; the next draws give another one
  Rng again(1, "dropout");
  CHECK(dropout(Var(full<float>({n}, 1.0f)), p, true, again).value() == y.value());
  CHECK_FALSE(dropout(Var(full<float>({n}, 1.0f)), p, true, again).value() == y.value());
}

TEST_CASE("dropout: identity in evaluation or with p = 0, and draws nothing then") {
  const VarD x(random_tensor({3, 4}, 9));
  Rng rng(2, "dropout");
  const RngState before = rng.state();
  CHECK(dropout(x, 0.5, false, rng).value() == x.value());
  CHECK(dropout(x, 0.0, true, rng).value() == x.value());
  CHECK(rng.state() == before);
}

TEST_CASE("dropout: p outside 0 <= p < 1 is a ConfigError naming the op") {
  const VarD x(zeros<double>({2}));
  Rng rng(3, "dropout");
  CHECK_THROWS_WITH_AS(dropout(x, 1.0, true, rng), doctest::Contains("dropout"), ConfigError);
  CHECK_THROWS_AS(dropout(x, -0.1, true, rng), ConfigError);
  CHECK_THROWS_AS(dropout(x, 1.0, false, rng), ConfigError);
}

TEST_CASE("instance_norm: gradients for x, gamma and beta, and without the affine part") {
  const TensorD x = random_tensor({2, 3, 2, 3}, 9, 0.5, 2.0);
  const TensorD gamma = random_tensor({3}, 10), beta = random_tensor({3}, 11);
  const auto affine = [](const std::vector<VarD>& in) { return instance_norm(in[0], in[1], in[2]); };
  GENLAB_CHECK_GRAD(gradcheck(affine, {x, gamma, beta}), 1e-6);  // tolerance 1e-6: smooth, O(1) values
  const auto plain = [](const std::vector<VarD>& in) { return instance_norm(in[0], VarD(), VarD()); };
  GENLAB_CHECK_GRAD(gradcheck(plain, {x}), 1e-6);  // tolerance 1e-6 as above
}

TEST_CASE("instance_norm: each (sample, channel) plane is normalised by its own statistics") {
  // plane (0, 0) = {1, 2, 3, 6}: mean 3, biased var 3.5; plane (1, 0) = {0, 0, 4, 4}: mean 2, var 4
  TensorD x = zeros<double>({2, 1, 2, 2});
  const double a[] = {1, 2, 3, 6}, b[] = {0, 0, 4, 4};
  for (std::size_t i = 0; i < 4; ++i) {
    x(0, 0, i / 2, i % 2) = a[i];
    x(1, 0, i / 2, i % 2) = b[i];
  }
  const double eps = 1e-5;
  const VarD y = instance_norm(VarD(x), VarD(TensorD{2.0}), VarD(TensorD{10.0}), eps);
  // y = gamma (x - mean) / sqrt(var + eps) + beta; tolerance 1e-12: double rounding
  CHECK(y.value()(0, 0, 1, 1) == doctest::Approx(2.0 * 3.0 / std::sqrt(3.5 + eps) + 10.0).epsilon(1e-12));
  CHECK(y.value()(1, 0, 0, 0) == doctest::Approx(2.0 * -2.0 / std::sqrt(4.0 + eps) + 10.0).epsilon(1e-12));
  CHECK_THROWS_WITH_AS(instance_norm(VarD(zeros<double>({4, 3})), VarD(), VarD()),
                       doctest::Contains("instance_norm: expected x (B, C, H, W)"), ShapeError);
  CHECK_THROWS_WITH_AS(instance_norm(VarD(x), VarD(zeros<double>({2})), VarD()),
                       doctest::Contains("gamma/beta (2,) do not match x (2, 1, 2, 2)"), ShapeError);
}
