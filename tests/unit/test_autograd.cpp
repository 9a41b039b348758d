// Graph mechanics of the autograd tape: accumulation over shared inputs, topological order,
// no-grad mode, graph release. Op-specific gradients are checked in test_ops_*.cpp.
#include <doctest/doctest.h>

#include "genlab/autograd.hpp"
#include "genlab/error.hpp"

using namespace genlab;

namespace {
// y = a * x, written with make_op directly so this file tests the tape, not an op.
VarD scale(const VarD& x, double a) {
  Tensor<double> y = x.value() * a;
  return make_op<double>("scale", std::move(y), {x}, [x, a](const Node<double>& out) {
    accumulate_each(*x.node(), [&](std::size_t i) { return a * out.grad.data()[i]; });
  });
}
}  // namespace

TEST_CASE("autograd: gradients accumulate over every path to a shared input") {
  VarD x(Tensor<double>{2.0}, true);
  VarD y = scale(scale(x, 3.0), 2.0);  // 6x
  VarD z = scale(x, 5.0);              // 5x
  Tensor<double> seed{1.0};
  y.backward(seed, true);
  CHECK(x.grad()(0) == doctest::Approx(6.0));
  z.backward(seed);
  CHECK(x.grad()(0) == doctest::Approx(11.0));
  x.zero_grad();
  CHECK_FALSE(x.has_grad());
}

TEST_CASE("autograd: a diamond graph visits each node once") {
  VarD x(Tensor<double>{1.0}, true);
  VarD a = scale(x, 2.0);
  // b depends on a twice through two branches
  VarD b1 = scale(a, 3.0), b2 = scale(a, 4.0);
  VarD c = make_op<double>("add2", b1.value() + b2.value(), {b1, b2}, [b1, b2](const Node<double>& out) {
    b1.node()->accumulate(out.grad);
    b2.node()->accumulate(out.grad);
  });
  c.backward();
  CHECK(x.grad()(0) == doctest::Approx(14.0));
}

TEST_CASE("autograd: no-grad mode records nothing") {
  VarD x(Tensor<double>{1.0}, true);
  {
    NoGradGuard guard;
    VarD y = scale(x, 2.0);
    CHECK_FALSE(y.requires_grad());
    CHECK_THROWS_AS(y.backward(), Error);
  }
  CHECK(GradMode::enabled());
  CHECK(scale(x, 2.0).requires_grad());
}

TEST_CASE("autograd: backward without retain_graph releases the closures") {
  VarD x(Tensor<double>{1.0}, true);
  VarD y = scale(x, 2.0);
  y.backward();
  CHECK(y.node()->parents.empty());
  CHECK_FALSE(static_cast<bool>(y.node()->backward_fn));
}

TEST_CASE("autograd: item() on a tensor with several elements names the shape") {
  VarD x(Tensor<double>{1.0, 2.0});
  CHECK_THROWS_WITH_AS(x.item(), doctest::Contains("(2,)"), ShapeError);
}
