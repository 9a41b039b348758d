// The SDK's GAN losses and PacGAN packing: values against closed forms at known logits, label
// smoothing, finite-difference gradients in double (they compose existing ops, so this checks the
// composition), and the errors for a bad loss name, smoothing with hinge and an unpackable batch.
#include <doctest/doctest.h>

#include <cmath>

#include "genlab/adversarial.hpp"
#include "genlab/error.hpp"
#include "support/gradcheck.hpp"

using namespace genlab;
using genlab::testing::gradcheck;
using genlab::testing::TensorD;

namespace {
VarD vec(std::vector<double> v) {
  TensorD t = TensorD::from_shape({v.size()});
  for (std::size_t i = 0; i < v.size(); ++i) t(i) = v[i];
  return VarD(t);
}
double softplus_d(double x) { return std::log1p(std::exp(x)); }  // -log sigmoid(-x)
}  // namespace

TEST_CASE("gan losses: values at known logits") {
  const VarD real = vec({2.0, -1.0}), fake = vec({0.5, -3.0});
  // BCE(z, 1) = softplus(-z), BCE(z, 0) = softplus(z)
  const double d_bce = (softplus_d(-2.0) + softplus_d(1.0)) / 2 + (softplus_d(0.5) + softplus_d(-3.0)) / 2;
  CHECK(discriminator_loss(GanLoss::Minimax, real, fake).item() == doctest::Approx(d_bce));
  CHECK(discriminator_loss(GanLoss::NonSaturating, real, fake).item() == doctest::Approx(d_bce));
  CHECK(generator_loss(GanLoss::Minimax, fake).item() == doctest::Approx(-(softplus_d(0.5) + softplus_d(-3.0)) / 2));
  CHECK(generator_loss(GanLoss::NonSaturating, fake).item() ==
        doctest::Approx((softplus_d(-0.5) + softplus_d(3.0)) / 2));
  CHECK(discriminator_loss(GanLoss::LeastSquares, real, fake).item() ==
        doctest::Approx(0.5 * (1.0 + 4.0) / 2 + 0.5 * (0.25 + 9.0) / 2));
  CHECK(generator_loss(GanLoss::LeastSquares, fake).item() == doctest::Approx(0.5 * (0.25 + 16.0) / 2));
  // hinge: relu(1 - 2) = 0, relu(1 + 1) = 2; relu(1 + 0.5) = 1.5, relu(1 - 3) = 0
  CHECK(discriminator_loss(GanLoss::Hinge, real, fake).item() == doctest::Approx(1.0 + 0.75));
  CHECK(generator_loss(GanLoss::Hinge, fake).item() == doctest::Approx(1.25));
  // decision scores: lsgan's boundary is 0.5
  CHECK(decision_score(GanLoss::LeastSquares, vec({0.5})).item() == doctest::Approx(0.0));
  CHECK(decision_score(GanLoss::Hinge, vec({0.5})).item() == doctest::Approx(0.5));
}

TEST_CASE("gan losses: one-sided label smoothing moves only the real target") {
  const VarD real = vec({1.0}), fake = vec({-1.0});
  // BCE(z, t) = softplus(z) - t z
  CHECK(discriminator_loss(GanLoss::NonSaturating, real, fake, 0.1).item() ==
        doctest::Approx(softplus_d(1.0) - 0.9 + softplus_d(-1.0)));
  CHECK(discriminator_loss(GanLoss::LeastSquares, real, fake, 0.1).item() ==
        doctest::Approx(0.5 * 0.01 + 0.5 * 1.0));
  CHECK_THROWS_AS(discriminator_loss(GanLoss::Hinge, real, fake, 0.1), ConfigError);
  CHECK_THROWS_AS(discriminator_loss(GanLoss::Minimax, real, fake, 1.0), ConfigError);
}

TEST_CASE("gan losses: finite-difference gradients w.r.t. real and fake outputs (double)") {
  Rng rng(5, "gan-loss");
  const TensorD real = rng.normal_tensor<double>({6, 1}, 0.0, 2.0), fake = rng.normal_tensor<double>({6, 1}, 0.0, 2.0);
  for (const GanLoss loss : {GanLoss::Minimax, GanLoss::NonSaturating, GanLoss::LeastSquares, GanLoss::Hinge}) {
    CAPTURE(gan_loss_name(loss));
    const double smoothing = loss == GanLoss::Hinge ? 0.0 : 0.1;
    const auto d = [&](const std::vector<VarD>& in) { return discriminator_loss(loss, in[0], in[1], smoothing); };
    GENLAB_CHECK_GRAD(gradcheck(d, {real, fake}), 1e-6);  // hinge kinks at +-1 are not hit by these draws
    const auto g = [&](const std::vector<VarD>& in) { return generator_loss(loss, in[0]); };
    GENLAB_CHECK_GRAD(gradcheck(g, {fake}), 1e-6);
  }
}

TEST_CASE("pack_rows: consecutive rows side by side, gradient to every row, errors for a bad batch") {
  TensorD x = TensorD::from_shape({4, 3});
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = static_cast<double>(i);
  const VarD p = pack_rows(VarD(x), 2);
  REQUIRE(p.shape() == Shape{2, 6});
  CHECK(p.value()(0, 3) == 3.0);  // row 1, column 0
  CHECK(p.value()(1, 0) == 6.0);  // row 2, column 0
  CHECK(pack_rows(VarD(x), 1).shape() == Shape{4, 3});
  const auto f = [](const std::vector<VarD>& in) { return pack_rows(in[0], 4); };
  GENLAB_CHECK_GRAD(gradcheck(f, {x}), 1e-7);  // a linear map: only the differences' round-off (~1e-9)
  CHECK_THROWS_AS(pack_rows(VarD(x), 3), ShapeError);
  CHECK_THROWS_AS(gan_loss_from("wgan"), ConfigError);
  CHECK(gan_loss_from("lsgan") == GanLoss::LeastSquares);
}
