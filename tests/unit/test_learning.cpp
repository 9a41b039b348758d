// End-to-end learning: a 2 -> 32 (tanh) -> 1 MLP fitted full-batch to 256 samples of a smooth
// function must cut its MSE at least tenfold with each optimizer (SGD + momentum, Adam, RMSProp),
// and training must be bit-for-bit reproducible from the seed. Each case runs in milliseconds.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "genlab/nn.hpp"
#include "genlab/optim.hpp"

using namespace genlab;

namespace {

struct Problem {
  Var x, y;  // x: (256, 2), y: (256, 1)
};

// y = sin(2 x1) cos(x2) on x ~ U(-1.5, 1.5)^2
Problem make_problem(std::uint64_t seed) {
  Rng rng(seed, "data");
  Tensor<float> x = rng.uniform_tensor<float>({256, 2}, -1.5f, 1.5f);
  Tensor<float> y = Tensor<float>::from_shape({256, 1});
  for (std::size_t i = 0; i < 256; ++i) y(i, 0) = std::sin(2 * x(i, 0)) * std::cos(x(i, 1));
  return {Var(std::move(x)), Var(std::move(y))};
}

std::unique_ptr<Sequential<float>> make_mlp(std::uint64_t seed) {
  Rng rng(seed, "init");
  auto net = std::make_unique<Sequential<float>>();
  net->add("fc1", std::make_unique<Linear<float>>(2, 32, rng))
      .add("act", make_activation<float>("tanh"))
      .add("fc2", std::make_unique<Linear<float>>(32, 1, rng));
  return net;
}

struct Outcome {
  float first_loss = 0, last_loss = 0;
  std::vector<Tensor<float>> params;
};

using MakeOptimizer =
    std::function<std::unique_ptr<Optimizer<float>>(std::vector<NamedParameter<float>>)>;

Outcome train(const MakeOptimizer& make, int steps, std::uint64_t seed = 2024) {
  const Problem data = make_problem(seed);
  auto net = make_mlp(seed);
  auto opt = make(net->parameters("mlp/"));
  Outcome out;
  for (int s = 0; s < steps; ++s) {
    opt->zero_grad();
    const Var loss = mse(net->forward(data.x), data.y);  // mean over the 256 samples
    if (s == 0) out.first_loss = loss.item();
    out.last_loss = loss.item();
    loss.backward();
    opt->step();
  }
  {
    NoGradGuard no_grad;
    out.last_loss = mse(net->forward(data.x), data.y).item();
  }
  for (const auto& p : net->parameters()) out.params.push_back(p.variable.value());
  return out;
}

void check_learns(const MakeOptimizer& make, int steps) {
  const Outcome o = train(make, steps);
  INFO("loss " << o.first_loss << " -> " << o.last_loss);
  CHECK(std::isfinite(o.last_loss));
  CHECK(o.last_loss < o.first_loss / 10);
}

}  // namespace

TEST_CASE("learning: an MLP regression loses 10x of its loss with SGD + momentum") {
  check_learns(
      [](auto p) { return make_sgd(std::move(p), SgdOptions{.lr = 0.1, .momentum = 0.9}); }, 400);
}

TEST_CASE("learning: an MLP regression loses 10x of its loss with Adam") {
  check_learns([](auto p) { return make_adam(std::move(p), AdamOptions{.lr = 0.01}); }, 400);
}

TEST_CASE("learning: an MLP regression loses 10x of its loss with RMSProp") {
  check_learns([](auto p) { return make_rmsprop(std::move(p), RmspropOptions{.lr = 0.003}); }, 400);
}

TEST_CASE("learning: training is bit-for-bit reproducible from the seed") {
  auto adam = [](auto p) { return make_adam(std::move(p), AdamOptions{.lr = 0.01}); };
  const Outcome a = train(adam, 50), b = train(adam, 50), c = train(adam, 50, 7);
  CHECK(std::memcmp(&a.last_loss, &b.last_loss, sizeof(float)) == 0);
  REQUIRE(a.params.size() == b.params.size());
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    CHECK(std::memcmp(a.params[i].data(), b.params[i].data(), a.params[i].size() * sizeof(float)) ==
          0);
  }
  CHECK(a.last_loss != c.last_loss);  // another seed, another run
}
