// Optimizers against hand-computed updates (the arithmetic is in the comments), exact state
// export / restore (interrupted == uninterrupted, bit for bit), load_state errors, no allocation
// in step() after the first, learning-rate schedules and gradient-norm clipping.
// Hand-computed checks run in double with a relative tolerance of 1e-12 (rounding only).
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "genlab/error.hpp"
#include "genlab/float_mode.hpp"
#include "genlab/optim.hpp"
#include "support/alloc_counter.hpp"

using namespace genlab;



namespace {

constexpr double kTol = 1e-12;

// A trainable (2,) parameter named "layer/w" holding {a, b}.
std::vector<NamedParameter<double>> tiny(double a, double b) {
  return {{"layer/w", VarD::parameter(Tensor<double>{a, b})}};
}

void set_grad(const VarD& v, double ga, double gb) {
  v.zero_grad();
  v.node()->accumulate(Tensor<double>{ga, gb});
}

void check_value(const VarD& v, double a, double b) {
  CHECK(v.value()(0) == doctest::Approx(a).epsilon(kTol));
  CHECK(v.value()(1) == doctest::Approx(b).epsilon(kTol));
}

}  // namespace

TEST_CASE("optim: plain SGD is p -= lr g") {
  auto params = tiny(1.0, -2.0);
  auto opt = make_sgd(params, SgdOptions{.lr = 0.1});
  const VarD& w = params[0].variable;
  set_grad(w, 0.5, 1.0);
  opt->step();  // p = (1 - 0.05, -2 - 0.1) = (0.95, -2.1)
  check_value(w, 0.95, -2.1);
  opt->step();  // same gradient: (0.9, -2.2)
  check_value(w, 0.9, -2.2);
  CHECK(opt->steps() == 2);
  opt->zero_grad();
  CHECK_FALSE(w.has_grad());
  opt->step();  // no gradient: the parameter is skipped
  check_value(w, 0.9, -2.2);
}

TEST_CASE("optim: SGD with momentum keeps buf = mu buf + g, starting from buf = g") {
  auto params = tiny(1.0, -2.0);
  auto opt = make_sgd(params, SgdOptions{.lr = 0.1, .momentum = 0.9});
  const VarD& w = params[0].variable;
  set_grad(w, 0.5, 1.0);
  opt->step();  // buf = (0.5, 1); p = (0.95, -2.1)
  check_value(w, 0.95, -2.1);
  opt->step();  // buf = 0.9 (0.5, 1) + (0.5, 1) = (0.95, 1.9); p = (0.95 - 0.095, -2.1 - 0.19)
  check_value(w, 0.855, -2.29);
  set_grad(w, -1.0, 0.0);
  opt->step();  // buf = (0.855 - 1, 1.71 + 0) = (-0.145, 1.71); p = (0.855 + 0.0145, -2.29 - 0.171)
  check_value(w, 0.8695, -2.461);
  CHECK(opt->state().at("momentum/layer/w")(0) == doctest::Approx(-0.145).epsilon(kTol));
}

TEST_CASE("optim: SGD with Nesterov momentum steps along g + mu buf") {
  auto params = tiny(1.0, -2.0);
  auto opt = make_sgd(params, SgdOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true});
  const VarD& w = params[0].variable;
  set_grad(w, 0.5, 1.0);
  opt->step();  // buf = (0.5, 1); d = g + 0.9 buf = (0.95, 1.9); p = (1 - 0.095, -2 - 0.19)
  check_value(w, 0.905, -2.19);
  opt->step();  // buf = (0.95, 1.9); d = (0.5 + 0.855, 1 + 1.71) = (1.355, 2.71)
  check_value(w, 0.905 - 0.1355, -2.19 - 0.271);
  CHECK_THROWS_AS(make_sgd(tiny(0, 0), SgdOptions{.lr = 0.1, .nesterov = true}), ConfigError);
}

TEST_CASE("optim: SGD weight decay adds wd p to the gradient") {
  auto params = tiny(1.0, -2.0);
  auto opt = make_sgd(params, SgdOptions{.lr = 0.1, .weight_decay = 0.1});
  const VarD& w = params[0].variable;
  set_grad(w, 0.5, 1.0);
  opt->step();  // g' = (0.5 + 0.1, 1 - 0.2) = (0.6, 0.8); p = (1 - 0.06, -2 - 0.08)
  check_value(w, 0.94, -2.08);
  opt->step();  // g' = (0.5 + 0.094, 1 - 0.208) = (0.594, 0.792); p = (0.94 - 0.0594, -2.08 -
                // 0.0792)
  check_value(w, 0.8806, -2.1592);
}

TEST_CASE("optim: Adam with bias correction, eps added after sqrt of the corrected v") {
  auto params = tiny(1.0, -2.0);
  auto opt = make_adam(params, AdamOptions{.lr = 0.1});  // beta1 0.9, beta2 0.999, eps 1e-8
  const VarD& w = params[0].variable;
  set_grad(w, 0.5, 1.0);
  opt->step();
  // m = 0.1 g = (0.05, 0.1); v = 0.001 g^2 = (0.00025, 0.001)
  // m^ = m / (1 - 0.9) = (0.5, 1); sqrt(v^) = sqrt(v / (1 - 0.999)) = (0.5, 1)
  // p -= 0.1 m^ / (sqrt(v^) + 1e-8)
  check_value(w, 1 - 0.1 * 0.5 / (0.5 + 1e-8), -2 - 0.1 * 1 / (1 + 1e-8));
  const double p1a = 1 - 0.1 * 0.5 / (0.5 + 1e-8), p1b = -2 - 0.1 / (1 + 1e-8);
  set_grad(w, -1.0, 0.5);
  opt->step();
  // m = 0.9 (0.05, 0.1) + 0.1 (-1, 0.5) = (-0.055, 0.14)
  // v = 0.999 (0.00025, 0.001) + 0.001 (1, 0.25) = (0.00124975, 0.001249)
  // 1 - 0.9^2 = 0.19, 1 - 0.999^2 = 0.001999
  check_value(w, p1a - 0.1 * (-0.055 / 0.19) / (std::sqrt(0.00124975 / 0.001999) + 1e-8),
              p1b - 0.1 * (0.14 / 0.19) / (std::sqrt(0.001249 / 0.001999) + 1e-8));
  const TensorMap<double> s = opt->state();
  CHECK(s.at("m/layer/w")(0) == doctest::Approx(-0.055).epsilon(kTol));
  CHECK(s.at("v/layer/w")(1) == doctest::Approx(0.001249).epsilon(kTol));
}

TEST_CASE("optim: eps matters only after the sqrt of the bias-corrected v") {
  // g = 1e-6 at step 1: v^ = g^2 exactly, so sqrt(v^) = 1e-6 and the step is
  // lr * 1e-6 / (1e-6 + 1e-6) = lr / 2 with eps = 1e-6 (eps inside the sqrt would give ~1e-4 lr).
  auto params = tiny(0.0, 0.0);
  auto opt = make_adam(params, AdamOptions{.lr = 0.1, .eps = 1e-6});
  set_grad(params[0].variable, 1e-6, 1e-6);
  opt->step();
  CHECK(params[0].variable.value()(0) == doctest::Approx(-0.05).epsilon(1e-9));
}

TEST_CASE("optim: Adam weight decay is coupled (L2 in the gradient), AdamW's is decoupled") {
  {
    auto params = tiny(1.0, -2.0);
    auto opt = make_adam(params, AdamOptions{.lr = 0.1, .weight_decay = 0.1});
    set_grad(params[0].variable, 0.5, 1.0);
    opt->step();
    // g' = g + 0.1 p = (0.6, 0.8); m^ = g', sqrt(v^) = |g'|: p -= 0.1 g' / (|g'| + 1e-8)
    check_value(params[0].variable, 1 - 0.1 * 0.6 / (0.6 + 1e-8), -2 - 0.1 * 0.8 / (0.8 + 1e-8));
  }
  {
    auto params = tiny(1.0, -2.0);
    auto opt = make_adam(
        params, AdamOptions{.lr = 0.1, .weight_decay = 0.1, .decoupled_weight_decay = true});
    const VarD& w = params[0].variable;
    set_grad(w, 0.5, 1.0);
    opt->step();
    // p *= 1 - lr wd = 0.99 -> (0.99, -1.98); then the Adam step on g: -0.1 g / (|g| + 1e-8)
    const double p1a = 0.99 - 0.1 * 0.5 / (0.5 + 1e-8), p1b = -1.98 - 0.1 / (1 + 1e-8);
    check_value(w, p1a, p1b);
    set_grad(w, -1.0, 0.5);
    opt->step();  // m, v as in the Adam case above; p *= 0.99 first
    check_value(w, 0.99 * p1a - 0.1 * (-0.055 / 0.19) / (std::sqrt(0.00124975 / 0.001999) + 1e-8),
                0.99 * p1b - 0.1 * (0.14 / 0.19) / (std::sqrt(0.001249 / 0.001999) + 1e-8));
  }
}

TEST_CASE("optim: RMSProp divides by sqrt of the running mean square plus eps") {
  auto params = tiny(1.0, -2.0);
  auto opt = make_rmsprop(params, RmspropOptions{.lr = 0.01});  // alpha 0.99, eps 1e-8
  const VarD& w = params[0].variable;
  set_grad(w, 0.5, 1.0);
  opt->step();
  // s = 0.01 g^2 = (0.0025, 0.01); sqrt(s) = (0.05, 0.1); p -= 0.01 g / (sqrt(s) + 1e-8)
  const double p1a = 1 - 0.01 * 0.5 / (0.05 + 1e-8), p1b = -2 - 0.01 * 1 / (0.1 + 1e-8);
  check_value(w, p1a, p1b);  // ~ (0.9, -2.1)
  set_grad(w, -1.0, 0.5);
  opt->step();
  // s = 0.99 (0.0025, 0.01) + 0.01 (1, 0.25) = (0.012475, 0.0124)
  check_value(w, p1a + 0.01 * 1 / (std::sqrt(0.012475) + 1e-8),
              p1b - 0.01 * 0.5 / (std::sqrt(0.0124) + 1e-8));
  CHECK(opt->state().at("square_avg/layer/w")(0) == doctest::Approx(0.012475).epsilon(kTol));
}

TEST_CASE("optim: RMSProp with momentum accumulates the scaled gradient") {
  auto params = tiny(1.0, -2.0);
  auto opt = make_rmsprop(params, RmspropOptions{.lr = 0.01, .momentum = 0.9});
  const VarD& w = params[0].variable;
  set_grad(w, 0.5, 1.0);
  opt->step();
  // s = (0.0025, 0.01); buf = g / (sqrt(s) + eps) = (0.5 / (0.05 + 1e-8), 1 / (0.1 + 1e-8)) ~ (10,
  // 10)
  const double b1a = 0.5 / (0.05 + 1e-8), b1b = 1 / (0.1 + 1e-8);
  check_value(w, 1 - 0.01 * b1a, -2 - 0.01 * b1b);
  set_grad(w, -1.0, 0.5);
  opt->step();
  // s = (0.012475, 0.0124); buf = 0.9 buf + g / (sqrt(s) + eps); p -= 0.01 buf
  const double b2a = 0.9 * b1a + -1 / (std::sqrt(0.012475) + 1e-8);
  const double b2b = 0.9 * b1b + 0.5 / (std::sqrt(0.0124) + 1e-8);
  check_value(w, 1 - 0.01 * b1a - 0.01 * b2a, -2 - 0.01 * b1b - 0.01 * b2b);
}

// ---- exact resume ----
namespace {

using MakeOptimizer =
    std::function<std::unique_ptr<Optimizer<float>>(std::vector<NamedParameter<float>>)>;

std::vector<NamedParameter<float>> two_params() {
  Rng rng(31, "init");
  return {{"enc/fc/W", Var::parameter(rng.normal_tensor<float>({3, 4}, 0.0f, 1.0f))},
          {"enc/fc/b", Var::parameter(rng.normal_tensor<float>({4}, 0.0f, 1.0f))}};
}

// A deterministic gradient that depends on the step and on the current value.
void fake_backward(const std::vector<NamedParameter<float>>& params, int step) {
  for (const auto& p : params) {
    p.variable.zero_grad();
    Tensor<float> g = Tensor<float>::from_shape(p.variable.value().shape());
    for (std::size_t j = 0; j < g.size(); ++j) {
      g.data()[j] = 0.3f * p.variable.value().data()[j] + std::sin(float(step) + float(j));
    }
    p.variable.node()->accumulate(g);
  }
}

std::vector<NamedParameter<float>> copy_params(const std::vector<NamedParameter<float>>& params) {
  std::vector<NamedParameter<float>> out;
  for (const auto& p : params) out.push_back({p.name, Var::parameter(p.variable.value())});
  return out;
}

bool bitwise_equal(const Tensor<float>& a, const Tensor<float>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void check_exact_resume(const MakeOptimizer& make) {
  // uninterrupted: 6 steps
  auto straight = two_params();
  auto opt = make(straight);
  for (int s = 0; s < 6; ++s) {
    fake_backward(straight, s);
    opt->step();
  }
  // interrupted after 3: copy parameters and optimizer state into fresh objects
  auto first = two_params();
  auto opt1 = make(first);
  for (int s = 0; s < 3; ++s) {
    fake_backward(first, s);
    opt1->step();
  }
  const TensorMap<float> saved = opt1->state();
  auto resumed = copy_params(first);
  auto opt2 = make(resumed);
  opt2->load_state(saved);
  CHECK(opt2->steps() == 3);
  for (int s = 3; s < 6; ++s) {
    fake_backward(resumed, s);
    opt2->step();
  }
  for (std::size_t i = 0; i < straight.size(); ++i) {
    INFO(straight[i].name);
    CHECK(bitwise_equal(straight[i].variable.value(), resumed[i].variable.value()));
  }
  const TensorMap<float> a = opt->state(), b = opt2->state();
  REQUIRE(a.size() == b.size());
  for (const auto& [key, value] : a) {
    INFO(key);
    CHECK(bitwise_equal(value, b.at(key)));
  }
}

}  // namespace

TEST_CASE("optim: export, restore and continue equals never interrupting, bit for bit") {
  SUBCASE("sgd") {
    check_exact_resume([](auto p) { return make_sgd(std::move(p), SgdOptions{.lr = 0.05}); });
  }
  SUBCASE("sgd nesterov + weight decay") {
    check_exact_resume([](auto p) {
      return make_sgd(
          std::move(p),
          SgdOptions{.lr = 0.05, .momentum = 0.9, .weight_decay = 1e-2, .nesterov = true});
    });
  }
  SUBCASE("adam") {
    check_exact_resume([](auto p) { return make_adam(std::move(p), AdamOptions{.lr = 0.01}); });
  }
  SUBCASE("adamw") {
    check_exact_resume([](auto p) {
      return make_adam(
          std::move(p),
          AdamOptions{.lr = 0.01, .weight_decay = 0.1, .decoupled_weight_decay = true});
    });
  }
  SUBCASE("rmsprop momentum") {
    check_exact_resume([](auto p) {
      return make_rmsprop(std::move(p), RmspropOptions{.lr = 0.01, .momentum = 0.5});
    });
  }
}

TEST_CASE("optim: state names and the step count survive export") {
  auto params = two_params();
  auto adam = make_adam(params, AdamOptions{});
  for (int s = 0; s < 2; ++s) {
    fake_backward(params, s);
    adam->step();
  }
  TensorMap<float> st = adam->state();
  std::vector<std::string> keys;
  for (const auto& kv : st) keys.push_back(kv.first);
  CHECK(keys ==
        std::vector<std::string>{"m/enc/fc/W", "m/enc/fc/b", "step", "v/enc/fc/W", "v/enc/fc/b"});
  // counts above float's 2^24 integers stay exact: {high, low} = {300, 5} -> 300 * 65536 + 5
  st.at("step") = Tensor<float>{300.0f, 5.0f};
  adam->load_state(st);
  CHECK(adam->steps() == 300 * 65536 + 5);
  CHECK(adam->state().at("step") == Tensor<float>{300.0f, 5.0f});

  auto sgd = make_sgd(params, SgdOptions{});
  CHECK(sgd->state().size() == 1);  // no momentum: only "step"
}

TEST_CASE("optim: load_state names a missing entry or a wrong shape and changes nothing") {
  auto params = two_params();
  auto opt = make_adam(params, AdamOptions{});
  fake_backward(params, 0);
  opt->step();
  const TensorMap<float> good = opt->state();

  auto fresh = make_adam(copy_params(params), AdamOptions{});
  TensorMap<float> missing = good;
  missing.erase("v/enc/fc/b");
  CHECK_THROWS_WITH_AS(fresh->load_state(missing), doctest::Contains("v/enc/fc/b"), ConfigError);
  TensorMap<float> wrong = good;
  wrong.at("m/enc/fc/W") = zeros<float>({4, 3});
  CHECK_THROWS_WITH_AS(fresh->load_state(wrong), doctest::Contains("m/enc/fc/W"), ConfigError);
  TensorMap<float> no_step = good;
  no_step.erase("step");
  CHECK_THROWS_WITH_AS(fresh->load_state(no_step), doctest::Contains("step"), ConfigError);
  TensorMap<float> bad_step = good;
  bad_step.at("step") = Tensor<float>{0.0f, -1.0f};
  CHECK_THROWS_AS(fresh->load_state(bad_step), ConfigError);
  CHECK(fresh->steps() == 0);
  CHECK(xt::amax(xt::abs(fresh->state().at("m/enc/fc/W")))() == 0.0f);

  auto momentum = make_sgd(copy_params(params), SgdOptions{.momentum = 0.9});
  CHECK_THROWS_WITH_AS(momentum->load_state(good), doctest::Contains("momentum/enc/fc/W"),
                       ConfigError);
}

TEST_CASE("optim: duplicate parameter names or a negative learning rate are rejected") {
  auto params = two_params();
  params.push_back(params[0]);
  CHECK_THROWS_WITH_AS(make_sgd(params, SgdOptions{}), doctest::Contains("enc/fc/W"), ConfigError);
  CHECK_THROWS_AS(make_adam(two_params(), AdamOptions{.lr = -1}), ConfigError);
  CHECK_THROWS_AS(make_adam(two_params(), AdamOptions{.beta1 = 1.0}), ConfigError);
  CHECK_THROWS_AS(make_rmsprop(two_params(), RmspropOptions{.alpha = -0.1}), ConfigError);
}

TEST_CASE("optim: step() does not allocate after the first step") {
  auto params = two_params();
  std::vector<std::unique_ptr<Optimizer<float>>> opts;
  opts.push_back(make_sgd(params, SgdOptions{.lr = 1e-3}));
  opts.push_back(make_sgd(params, SgdOptions{.lr = 1e-3, .momentum = 0.9, .nesterov = true}));
  opts.push_back(make_adam(params, AdamOptions{.weight_decay = 1e-2}));
  opts.push_back(
      make_adam(params, AdamOptions{.weight_decay = 1e-2, .decoupled_weight_decay = true}));
  opts.push_back(make_rmsprop(params, RmspropOptions{.momentum = 0.9}));
  fake_backward(params, 0);
  for (auto& opt : opts) opt->step();
  const std::size_t before = testing::allocations();
  for (int s = 0; s < 5; ++s) {
    for (auto& opt : opts) opt->step();
    clip_grad_norm(params, 1.0);
  }
  CHECK(testing::allocations() - before == 0);
  CHECK(testing::allocations() > 0);  // the counter does count (the tensors above were allocated)
}

TEST_CASE("optim: learning-rate schedules") {
  auto constant = constant_schedule(0.1);
  CHECK(constant->lr(0) == 0.1);
  CHECK(constant->lr(123456) == 0.1);

  auto step = step_schedule(0.1, 10, 0.5);  // 0.1 * 0.5^floor(s / 10)
  CHECK(step->lr(0) == doctest::Approx(0.1));
  CHECK(step->lr(9) == doctest::Approx(0.1));
  CHECK(step->lr(10) == doctest::Approx(0.05));
  CHECK(step->lr(25) == doctest::Approx(0.025));
  CHECK(step->lr(100) == doctest::Approx(0.1 / 1024));

  auto linear = linear_decay_schedule(1.0, 100, 0.1);  // 1 -> 0.1 over 100 steps
  CHECK(linear->lr(0) == doctest::Approx(1.0));
  CHECK(linear->lr(50) == doctest::Approx(0.55));  // 1 + (0.1 - 1) * 0.5
  CHECK(linear->lr(100) == doctest::Approx(0.1));
  CHECK(linear->lr(250) == doctest::Approx(0.1));

  CHECK_THROWS_AS(step_schedule(0.1, 0, 0.5), ConfigError);
  CHECK_THROWS_AS(linear_decay_schedule(0.1, 0, 0.5), ConfigError);
  CHECK_THROWS_AS(constant_schedule(-1.0), ConfigError);
}

TEST_CASE("optim: clip_grad_norm scales to max_norm and returns the norm before") {
  std::vector<NamedParameter<double>> params{{"a", VarD::parameter(Tensor<double>{0.0, 0.0})},
                                             {"b", VarD::parameter(Tensor<double>{0.0})},
                                             {"no_grad", VarD::parameter(Tensor<double>{5.0})}};
  params[0].variable.node()->accumulate(Tensor<double>{3.0, 4.0});
  params[1].variable.node()->accumulate(Tensor<double>{12.0});
  // norm = sqrt(9 + 16 + 144) = 13; max_norm 26 leaves the gradients alone
  CHECK(clip_grad_norm(params, 26.0) == doctest::Approx(13.0));
  CHECK(params[0].variable.grad()(1) == 4.0);
  // max_norm 6.5: scale 6.5 / (13 + 1e-6) ~ 0.5
  CHECK(clip_grad_norm(params, 6.5) == doctest::Approx(13.0));
  const double scale = 6.5 / (13.0 + 1e-6);
  CHECK(params[0].variable.grad()(0) == doctest::Approx(3.0 * scale).epsilon(kTol));
  CHECK(params[0].variable.grad()(1) == doctest::Approx(4.0 * scale).epsilon(kTol));
  CHECK(params[1].variable.grad()(0) == doctest::Approx(12.0 * scale).epsilon(kTol));
  CHECK_FALSE(params[2].variable.has_grad());
  CHECK(clip_grad_norm(params, 100.0) == doctest::Approx(6.5).epsilon(1e-6));
  CHECK_THROWS_AS(clip_grad_norm(params, -1.0), ConfigError);
}

TEST_CASE("optim: state whose gradient has become zero decays to exactly 0, never into subnormals (ieee mode)") {
  // Without the flush, 0.9 x the smallest subnormal rounds back to it: Adam's m of a dead unit
  // stayed subnormal for ever and every later update of it ran at subnormal speed.
  FloatModeScope ieee(FloatMode::Ieee);
  const auto subnormals = [](const TensorMap<float>& state) {
    std::size_t n = 0;
    for (const auto& [name, t] : state) {
      for (float v : t) n += std::fpclassify(v) == FP_SUBNORMAL;
    }
    return n;
  };
  const auto decays_to_zero = [&](std::unique_ptr<Optimizer<float>> opt, const Variable<float>& w, int steps) {
    w.zero_grad();
    w.node()->accumulate(Tensor<float>{1e-3f});
    opt->step();
    std::size_t seen = 0;
    for (int i = 0; i < steps; ++i) {
      w.zero_grad();
      w.node()->accumulate(Tensor<float>{0.f});
      opt->step();
      seen += subnormals(opt->state());
    }
    CHECK(seen == 0);
    for (const auto& [name, t] : opt->state()) {
      if (name.find("layer/w") != std::string::npos) CHECK_MESSAGE(t(0) == 0.f, name << " = " << t(0));
    }
  };
  const auto param = [] { return std::vector<NamedParameter<float>>{{"layer/w", Variable<float>::parameter(Tensor<float>{1.f})}}; };
  auto a = param();
  decays_to_zero(make_adam<float>(a, AdamOptions{}), a[0].variable, 120000);  // v: 0.999^t from 1e-6
  auto s = param();
  decays_to_zero(make_sgd<float>(s, SgdOptions{.lr = 0.1, .momentum = 0.9}), s[0].variable, 2000);
  auto r = param();
  decays_to_zero(make_rmsprop<float>(r, RmspropOptions{}), r[0].variable, 12000);
}

TEST_CASE("constant_then_linear_schedule: lr for the first half, then linear to lr * end_factor") {
  const auto s = constant_then_linear_schedule(2e-4, 100, 0.0);
  CHECK(s->lr(0) == 2e-4);
  CHECK(s->lr(49) == 2e-4);
  CHECK(s->lr(50) == 2e-4);  // the decay starts from lr
  CHECK(s->lr(75) == doctest::Approx(1e-4).epsilon(1e-12));  // tolerance: double rounding
  CHECK(s->lr(100) == 0.0);
  CHECK(s->lr(1000) == 0.0);
  CHECK_THROWS_AS(constant_then_linear_schedule(2e-4, 1, 0.0), ConfigError);
}
