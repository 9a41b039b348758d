// Initialisers: bounds and empirical standard deviation of PyTorch's default (kaiming_uniform with
// a = sqrt(5)), Xavier uniform, normal, and the default bias; the fans each layer passes
// (including ConvTranspose2d's PyTorch convention, fan_in = Cout * k * k); determinism; bad input.
#include <doctest/doctest.h>

#include <cmath>

#include "genlab/error.hpp"
#include "genlab/nn.hpp"

using namespace genlab;

namespace {
double max_abs(const Tensor<double>& t) { return xt::amax(xt::abs(t))(); }
double max_abs(const Tensor<float>& t) { return static_cast<double>(xt::amax(xt::abs(t))()); }
double stddev(const Tensor<double>& t) { return std::sqrt(xt::variance(t)()); }
}  // namespace

TEST_CASE("init: kaiming_uniform(a = sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in))") {
  Rng rng(1, "init");
  // fan_in 400 -> bound 0.05; std of U(-b, b) = b / sqrt(3) = 0.028868
  const Tensor<double> w = init_weight<double>({400, 300}, 400, 300, {Init::KaimingUniform}, rng);
  CHECK(shape_of(w) == Shape{400, 300});
  CHECK(max_abs(w) <= 0.05);
  CHECK(max_abs(w) > 0.0499);  // 120000 draws reach the edge
  CHECK(stddev(w) == doctest::Approx(0.05 / std::sqrt(3.0)).epsilon(0.01));
  CHECK(std::abs(xt::mean(w)()) < 0.0005);  // standard error 0.00008
}

TEST_CASE("init: xavier_uniform is U(-sqrt(6 / (fan_in + fan_out)), ..)") {
  Rng rng(2, "init");
  // bound sqrt(6 / 700) = 0.092582; std = bound / sqrt(3) = sqrt(2 / 700) = 0.053452
  const Tensor<double> w = init_weight<double>({400, 300}, 400, 300, {Init::XavierUniform}, rng);
  const double bound = std::sqrt(6.0 / 700.0);
  CHECK(max_abs(w) <= bound);
  CHECK(max_abs(w) > 0.998 * bound);
  CHECK(stddev(w) == doctest::Approx(std::sqrt(2.0 / 700.0)).epsilon(0.01));
}

TEST_CASE("init: normal is N(0, std)") {
  Rng rng(3, "init");
  InitSpec spec{Init::Normal, 0.02};
  const Tensor<double> w = init_weight<double>({400, 300}, 400, 300, spec, rng);
  CHECK(stddev(w) == doctest::Approx(0.02).epsilon(0.01));  // standard error 0.2%
  CHECK(std::abs(xt::mean(w)()) < 0.0003);                  // standard error 0.00006
  CHECK(max_abs(w) > 4 * 0.02);                             // unbounded: 120000 draws pass 4 sd
  InitSpec zero_std{Init::Normal, 0.0};
  CHECK(max_abs(init_weight<double>({10}, 1, 1, zero_std, rng)) == 0.0);
}

TEST_CASE("init: default bias is U(-1/sqrt(fan_in), 1/sqrt(fan_in))") {
  Rng rng(4, "init");
  const Tensor<double> b = init_bias<double>({100000}, 25, rng);  // bound 0.2
  CHECK(max_abs(b) <= 0.2);
  CHECK(max_abs(b) > 0.199);
  CHECK(stddev(b) == doctest::Approx(0.2 / std::sqrt(3.0)).epsilon(0.01));
}

TEST_CASE("init: same stream, same weights, and float agrees with double to rounding") {
  Rng a(5, "init"), b(5, "init"), c(5, "init");
  const Tensor<double> wa = init_weight<double>({30, 20}, 30, 20, {}, a);
  const Tensor<double> wb = init_weight<double>({30, 20}, 30, 20, {}, b);
  const Tensor<float> wc = init_weight<float>({30, 20}, 30, 20, {}, c);
  CHECK(wa == wb);
  CHECK(max_abs(Tensor<float>(cast<float>(wa) - wc)) <
        1e-7);  // the same draws, bounds rounded to float
}

TEST_CASE("init: a zero fan or a negative std is a ConfigError") {
  Rng rng(6, "init");
  CHECK_THROWS_AS(init_weight<float>({0, 3}, 0, 3, {Init::KaimingUniform}, rng), ConfigError);
  CHECK_THROWS_AS(init_weight<float>({0, 0}, 0, 0, {Init::XavierUniform}, rng), ConfigError);
  CHECK_THROWS_AS(init_bias<float>({3}, 0, rng), ConfigError);
  CHECK_THROWS_WITH_AS(init_weight<float>({3}, 1, 1, {Init::Normal, -1.0}, rng),
                       doctest::Contains("std"), ConfigError);
}

TEST_CASE("init: Linear draws W (in, out) and b with fan_in = in") {
  Rng rng(7, "init");
  Linear<float> fc(64, 32, rng);  // bound 1/8
  CHECK(shape_of(fc.weight.value()) == Shape{64, 32});
  CHECK(shape_of(fc.bias.value()) == Shape{32});
  CHECK(max_abs(fc.weight.value()) <= 0.125);
  CHECK(max_abs(fc.weight.value()) > 0.12);
  CHECK(max_abs(fc.bias.value()) <= 0.125);
  CHECK(fc.weight.requires_grad());
  CHECK(fc.bias.requires_grad());
  Linear<float> no_bias(4, 2, rng, {}, false);
  CHECK_FALSE(no_bias.bias.defined());
  CHECK(no_bias.parameters().size() == 1);
}

TEST_CASE("init: Conv2d fan_in is Cin * k * k, ConvTranspose2d's is Cout * k * k (PyTorch)") {
  Rng rng(8, "init");
  Conv2d<double> conv(3, 8, 5, {}, rng);  // W: (8, 3, 5, 5), fan_in 75
  CHECK(shape_of(conv.weight.value()) == Shape{8, 3, 5, 5});
  CHECK(max_abs(conv.weight.value()) <= 1 / std::sqrt(75.0));
  CHECK(max_abs(conv.weight.value()) > 0.95 / std::sqrt(75.0));
  CHECK(max_abs(conv.bias.value()) <= 1 / std::sqrt(75.0));

  // W: (64, 4, 3, 3): fan_in = 4 * 9 = 36 -> bound 1/6, not 1/sqrt(64 * 9) = 1/24
  ConvTranspose2d<double> deconv(64, 4, 3, {2, 1, 1}, rng);
  CHECK(shape_of(deconv.weight.value()) == Shape{64, 4, 3, 3});
  CHECK(shape_of(deconv.bias.value()) == Shape{4});
  CHECK(max_abs(deconv.weight.value()) <= 1.0 / 6.0);
  CHECK(max_abs(deconv.weight.value()) > 0.95 / 6.0);
  CHECK(stddev(deconv.weight.value()) == doctest::Approx(1.0 / 6.0 / std::sqrt(3.0)).epsilon(0.05));
  // Xavier for a transposed conv uses fan_in + fan_out = (4 + 64) * 9
  ConvTranspose2d<double> xavier(64, 4, 3, {}, rng, {Init::XavierUniform});
  CHECK(max_abs(xavier.weight.value()) <= std::sqrt(6.0 / (68 * 9)));
  CHECK_THROWS_AS(Conv2d<float>(3, 8, 0, {}, rng), ConfigError);
  CHECK_THROWS_AS(Linear<float>(0, 8, rng), ConfigError);
}

TEST_CASE("init: BatchNorm starts at gamma = 1, beta = 0, running mean 0, running var 1") {
  BatchNorm<float> bn(5);
  CHECK(bn.gamma.value() == full<float>({5}, 1.0f));
  CHECK(bn.beta.value() == zeros<float>({5}));
  CHECK(bn.running_mean == zeros<float>({5}));
  CHECK(bn.running_var == full<float>({5}, 1.0f));
  CHECK_THROWS_AS(BatchNorm<float>(0), ConfigError);
  CHECK_THROWS_AS(BatchNorm<float>(4, 1.5f), ConfigError);
}
