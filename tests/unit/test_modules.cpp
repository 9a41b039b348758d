// Modules in double precision: finite-difference gradients with respect to the input AND every
// parameter (BatchNorm in training mode), forward values on small hand-checked cases,
// hierarchical parameter / buffer names, training-mode propagation, make_activation's choices.
// Tolerances are stated at each check; smooth activations keep the checks away from kinks.
#include <doctest/doctest.h>

#include <cmath>

#include "genlab/error.hpp"
#include "genlab/nn.hpp"
#include "support/gradcheck.hpp"

using namespace genlab;
using genlab::testing::GradcheckResult;
using genlab::testing::TensorD;

namespace {

// L = sum(w * module(x)) for a fixed random w. Returns the worst relative error of dL/dx and of
// dL/d(every parameter), perturbing the input and the parameters in place through their
// Variables (central differences, same error measure as gradcheck()).
GradcheckResult module_gradcheck(Module<double>& module, const TensorD& x0, double eps = 1e-6) {
  VarD x(x0, true);
  auto params = module.parameters();
  for (auto& p : params) p.variable.zero_grad();
  const VarD y = module(x);
  Rng rng(12345, "module-gradcheck");
  const TensorD w = rng.normal_tensor<double>(y.shape(), 0.0, 1.0);
  y.backward(w);

  std::vector<NamedParameter<double>> targets{{"input", x}};
  targets.insert(targets.end(), params.begin(), params.end());
  auto projected = [&] {
    NoGradGuard no_grad;
    const TensorD out = module(x).value();
    double s = 0;
    for (std::size_t i = 0; i < out.size(); ++i) s += out.data()[i] * w.data()[i];
    return s;
  };
  GradcheckResult result;
  for (const auto& target : targets) {
    REQUIRE_MESSAGE(target.variable.has_grad(), "no gradient reached " << target.name);
    const TensorD analytic = target.variable.grad();
    for (std::size_t j = 0; j < analytic.size(); ++j) {
      double& v = target.variable.mutable_value().data()[j];
      const double v0 = v;
      v = v0 + eps;
      const double plus = projected();
      v = v0 - eps;
      const double minus = projected();
      v = v0;
      const double numeric = (plus - minus) / (2 * eps);
      const double a = analytic.data()[j];
      const double err = std::abs(a - numeric) / std::max({1.0, std::abs(a), std::abs(numeric)});
      if (err > result.max_error) {
        result.max_error = err;
        result.where = target.name + " element " + std::to_string(j) + ": analytic " +
                       std::to_string(a) + " numeric " + std::to_string(numeric);
      }
    }
  }
  return result;
}

TensorD normal(const Shape& shape, const char* name) {
  Rng rng(99, name);
  return rng.normal_tensor<double>(shape, 0.0, 1.0);
}

std::vector<std::string> names_of(const std::vector<NamedParameter<double>>& params) {
  std::vector<std::string> out;
  for (const auto& p : params) out.push_back(p.name);
  return out;
}

}  // namespace

TEST_CASE("modules: Linear computes x W + b and its gradients check out") {
  Rng rng(1, "init");
  Linear<double> fc(3, 2, rng);
  fc.weight.mutable_value() = TensorD{{1, 2}, {3, 4}, {5, 6}};
  fc.bias.mutable_value() = TensorD{0.5, -0.5};
  const VarD y = fc(VarD(TensorD{{1, 0, -1}}));
  CHECK(y.value() == TensorD{{1 - 5 + 0.5, 2 - 6 - 0.5}});

  Linear<double> fc2(5, 4, rng);
  GENLAB_CHECK_GRAD(module_gradcheck(fc2, normal({3, 5}, "x")), 1e-6);  // tolerance 1e-6
  Linear<double> no_bias(5, 4, rng, {}, false);
  GENLAB_CHECK_GRAD(module_gradcheck(no_bias, normal({3, 5}, "x")), 1e-6);
}

TEST_CASE("modules: Conv2d gradients w.r.t. input, W and b") {
  Rng rng(2, "init");
  Conv2d<double> conv(2, 3, 3, {.stride = 2, .padding = 1}, rng);
  const TensorD x = normal({2, 2, 5, 5}, "x");
  CHECK(conv(VarD(x)).shape() == Shape{2, 3, 3, 3});
  GENLAB_CHECK_GRAD(module_gradcheck(conv, x), 1e-6);  // tolerance 1e-6
}

TEST_CASE("modules: ConvTranspose2d gradients w.r.t. input, W and b") {
  Rng rng(3, "init");
  ConvTranspose2d<double> deconv(3, 2, 3, {.stride = 2, .padding = 1, .output_padding = 1}, rng);
  const TensorD x = normal({2, 3, 3, 3}, "x");
  // Ho = (3 - 1) * 2 - 2 + 3 + 1 = 6
  CHECK(deconv(VarD(x)).shape() == Shape{2, 2, 6, 6});
  GENLAB_CHECK_GRAD(module_gradcheck(deconv, x), 1e-6);  // tolerance 1e-6
}

TEST_CASE(
    "modules: BatchNorm1d and BatchNorm2d in training mode, gradients w.r.t. x, gamma, beta") {
  BatchNorm1d<double> bn1(3);
  bn1.gamma.mutable_value() = TensorD{0.5, 1.5, -1.0};  // away from the identity start
  bn1.beta.mutable_value() = TensorD{0.1, -0.2, 0.3};
  GENLAB_CHECK_GRAD(module_gradcheck(bn1, normal({6, 3}, "x1")), 1e-6);  // tolerance 1e-6

  BatchNorm2d<double> bn2(2);
  bn2.gamma.mutable_value() = TensorD{0.7, 1.3};
  bn2.beta.mutable_value() = TensorD{-0.4, 0.2};
  GENLAB_CHECK_GRAD(module_gradcheck(bn2, normal({3, 2, 3, 3}, "x2")), 1e-6);  // tolerance 1e-6
}

TEST_CASE("modules: BatchNorm follows training(): batch statistics vs running statistics") {
  BatchNorm1d<double> bn(2);
  const TensorD x{{1, 10}, {3, 30}};  // batch means (2, 20), biased variances (1, 100)
  const TensorD train_out = bn(VarD(x)).value();
  CHECK(train_out(0, 0) == doctest::Approx(-1 / std::sqrt(1 + 1e-5)));
  CHECK(train_out(1, 1) == doctest::Approx(10 / std::sqrt(100 + 1e-5)));
  // running_mean = 0.9 * 0 + 0.1 * (2, 20)
  CHECK(bn.running_mean(1) == doctest::Approx(2.0));
  bn.set_training(false);
  CHECK_FALSE(bn.training());
  const TensorD eval_out = bn(VarD(x)).value();
  // (x - running_mean) / sqrt(running_var + eps), running_var = 0.9 + 0.1 * unbiased (2, 200)
  CHECK(eval_out(0, 0) == doctest::Approx((1 - 0.2) / std::sqrt(0.9 + 0.2 + 1e-5)));
  CHECK(eval_out(1, 1) == doctest::Approx((30 - 2.0) / std::sqrt(0.9 + 20 + 1e-5)));
}

TEST_CASE(
    "modules: Sequential gradients through conv, activation, reshape, batch norm and linear") {
  Rng rng(4, "init");
  Sequential<double> net;
  net.add("conv", std::make_unique<Conv2d<double>>(1, 2, 3, Conv2dGeometry{}, rng))
      .add("act", make_activation<double>("softplus"))
      .add("flat", std::make_unique<Reshape<double>>(Shape{2 * 2 * 2}))
      .add("bn", std::make_unique<BatchNorm<double>>(8))
      .add("fc", std::make_unique<Linear<double>>(8, 3, rng))
      .add("out", make_activation<double>("tanh"));
  const TensorD x = normal({4, 1, 4, 4}, "x");
  CHECK(net(VarD(x)).shape() == Shape{4, 3});
  CHECK(net.parameters().size() == 6);
  GENLAB_CHECK_GRAD(module_gradcheck(net, x), 1e-6);  // tolerance 1e-6
}

TEST_CASE("modules: Reshape keeps the batch dimension") {
  Reshape<double> r(Shape{2, 3});
  CHECK(r(VarD(normal({4, 6}, "x"))).shape() == Shape{4, 2, 3});
  Rng rng(5, "init");
  Sequential<double> s;
  s.add("fc", std::make_unique<Linear<double>>(2, 6, rng))
      .add("to_image", std::make_unique<Reshape<double>>(Shape{1, 2, 3}))
      .add("sig", make_activation<double>("sigmoid"));
  GENLAB_CHECK_GRAD(module_gradcheck(s, normal({3, 2}, "x")), 1e-6);  // tolerance 1e-6
}

TEST_CASE("modules: hierarchical parameter and buffer names") {
  Rng rng(6, "init");
  auto block = std::make_unique<Sequential<double>>();
  block->add("conv", std::make_unique<Conv2d<double>>(1, 2, 3, Conv2dGeometry{}, rng))
      .add("bn", std::make_unique<BatchNorm<double>>(2));
  Sequential<double> encoder;
  encoder.add("block", std::move(block))
      .add("act", make_activation<double>("relu"))
      .add("fc1", std::make_unique<Linear<double>>(4, 3, rng));

  CHECK(names_of(encoder.parameters("encoder/")) ==
        std::vector<std::string>{"encoder/block/conv/W", "encoder/block/conv/b",
                                 "encoder/block/bn/gamma", "encoder/block/bn/beta", "encoder/fc1/W",
                                 "encoder/fc1/b"});
  CHECK(names_of(encoder.parameters()).front() == "block/conv/W");
  const auto buffers = encoder.buffers("encoder/");
  REQUIRE(buffers.size() == 2);
  CHECK(buffers[0].first == "encoder/block/bn/running_mean");
  CHECK(buffers[1].first == "encoder/block/bn/running_var");
  // buffers point at the module's own tensors, parameters share its nodes
  auto& bn = dynamic_cast<BatchNorm<double>&>(dynamic_cast<Sequential<double>&>(encoder[0])[1]);
  CHECK(buffers[1].second == &bn.running_var);
  CHECK(encoder.parameters()[2].variable.node() == bn.gamma.node());

  encoder.set_training(false);
  CHECK_FALSE(bn.training());
  encoder.set_training(true);
  CHECK(bn.training());

  CHECK_THROWS_WITH_AS(encoder.add("fc1", std::make_unique<Linear<double>>(3, 3, rng)),
                       doctest::Contains("fc1"), ConfigError);
  CHECK_THROWS_AS(encoder.add("a/b", make_activation<double>("relu")), ConfigError);
  CHECK(encoder.size() == 3);
}

TEST_CASE("modules: make_activation maps each name to its function") {
  const VarD x(TensorD{-1.0, 0.0, 2.0});
  auto apply = [&](const char* name) { return make_activation<double>(name)->forward(x).value(); };
  CHECK(apply("relu") == TensorD{0.0, 0.0, 2.0});
  CHECK(apply("leaky_relu")(0) == doctest::Approx(-0.2));
  CHECK(apply("leaky_relu")(2) == doctest::Approx(2.0));
  CHECK(apply("tanh")(2) == doctest::Approx(std::tanh(2.0)));
  CHECK(apply("sigmoid")(1) == doctest::Approx(0.5));
  CHECK(apply("softplus")(1) == doctest::Approx(std::log(2.0)));
  CHECK(apply("identity") == x.value());
  std::string message;
  try {
    make_activation<float>("gelu");
  } catch (const ConfigError& e) {
    message = e.what();
  }
  INFO(message);
  CHECK(message.find("'gelu'") != std::string::npos);
  CHECK(message.find("relu, leaky_relu, tanh, sigmoid, softplus, identity") != std::string::npos);
}
