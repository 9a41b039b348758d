// conv2d and conv_transpose2d: forward against a direct-loop reference, the adjoint identity
// between them, double-precision gradient checks for x, w and b over several geometries, and
// shape/geometry errors. Sizes stay tiny so every check runs in well under a second.
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

// Direct 7-loop convolution: x (B, Cin, H, W), w (Cout, Cin, k, k), b (Cout,) -> (B, Cout, Ho, Wo)
TensorD naive_conv2d(const TensorD& x, const TensorD& w, const TensorD& b, std::size_t s,
                     std::size_t p) {
  const std::size_t batch = x.shape()[0], cin = x.shape()[1], h = x.shape()[2], wd = x.shape()[3];
  const std::size_t cout = w.shape()[0], k = w.shape()[2];
  const std::size_t ho = (h + 2 * p - k) / s + 1, wo = (wd + 2 * p - k) / s + 1;
  TensorD y = zeros<double>({batch, cout, ho, wo});
  for (std::size_t n = 0; n < batch; ++n)
    for (std::size_t co = 0; co < cout; ++co)
      for (std::size_t i = 0; i < ho; ++i)
        for (std::size_t j = 0; j < wo; ++j) {
          double acc = b(co);
          for (std::size_t ci = 0; ci < cin; ++ci)
            for (std::size_t ki = 0; ki < k; ++ki)
              for (std::size_t kj = 0; kj < k; ++kj) {
                const long r = static_cast<long>(i * s + ki) - static_cast<long>(p);
                const long c = static_cast<long>(j * s + kj) - static_cast<long>(p);
                const bool inside = r >= 0 && c >= 0 && r < static_cast<long>(h) &&
                                    c < static_cast<long>(wd);
                if (!inside) continue;
                acc += x(n, ci, r, c) * w(co, ci, ki, kj);
              }
          y(n, co, i, j) = acc;
        }
  return y;
}

double max_abs_diff(const TensorD& a, const TensorD& b) {
  REQUIRE(a.shape() == b.shape());
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a.data()[i] - b.data()[i]));
  return d;
}

double dot(const TensorD& a, const TensorD& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a.data()[i] * b.data()[i];
  return s;
}

struct Case {
  std::size_t stride, padding, output_padding;
};

}  // namespace

TEST_CASE("conv2d: forward matches the direct-loop reference for several geometries") {
  for (const Case c : {Case{1, 0, 0}, Case{1, 1, 0}, Case{2, 1, 0}, Case{2, 0, 0}, Case{3, 2, 0},
                       Case{2, 3, 0}}) {
    CAPTURE(c.stride);
    CAPTURE(c.padding);
    const TensorD x = random_tensor({2, 3, 7, 6}, 1), w = random_tensor({4, 3, 3, 3}, 2);
    const TensorD b = random_tensor({4}, 3);
    const VarD y = conv2d(VarD(x), VarD(w), VarD(b), {c.stride, c.padding, 0});
    CHECK(max_abs_diff(y.value(), naive_conv2d(x, w, b, c.stride, c.padding)) < 1e-12);  // rounding
    const VarD y0 = conv2d(VarD(x), VarD(w), VarD(), {c.stride, c.padding, 0});
    CHECK(max_abs_diff(y0.value(), naive_conv2d(x, w, zeros<double>({4}), c.stride, c.padding)) <
          1e-12);
  }
}

TEST_CASE("conv2d: the DCGAN shape 1x28x28 -> 64x14x14 (k4 s2 p1) matches the reference") {
  const TensorD x = random_tensor({2, 1, 28, 28}, 4), w = random_tensor({8, 1, 4, 4}, 5);
  const TensorD b = random_tensor({8}, 6);
  const VarD y = conv2d(VarD(x), VarD(w), VarD(b), {2, 1, 0});
  CHECK(y.shape() == Shape{2, 8, 14, 14});
  CHECK(max_abs_diff(y.value(), naive_conv2d(x, w, b, 2, 1)) < 1e-12);  // double rounding only
}

TEST_CASE("conv_transpose2d: is the adjoint of conv2d with the same weights") {
  // <conv2d(x, w), y> == <x, conv_transpose2d(y, w)>; output_padding recovers x's size.
  for (const Case c : {Case{1, 0, 0}, Case{1, 1, 0}, Case{2, 1, 0}, Case{2, 0, 0}, Case{3, 1, 0},
                       Case{2, 2, 0}}) {
    CAPTURE(c.stride);
    CAPTURE(c.padding);
    const std::size_t h = 8, k = 3;
    const std::size_t op = (h + 2 * c.padding - k) % c.stride;
    const TensorD x = random_tensor({2, 3, h, h}, 7), w = random_tensor({4, 3, k, k}, 8);
    const VarD cx = conv2d(VarD(x), VarD(w), VarD(), {c.stride, c.padding, 0});
    const TensorD y = random_tensor(cx.shape(), 9);
    const VarD ty = conv_transpose2d(VarD(y), VarD(w), VarD(), {c.stride, c.padding, op});
    REQUIRE(ty.shape() == x.shape());
    const double lhs = dot(cx.value(), y), rhs = dot(x, ty.value());
    CHECK(std::abs(lhs - rhs) < 1e-10 * std::max(1.0, std::abs(lhs)));  // double rounding only
  }
}

TEST_CASE("conv_transpose2d: output size and bias follow PyTorch's formula") {
  // (1, 2, 7, 7) -> (H-1)*2 - 2*1 + 4 + 0 = 14; the DCGAN mirror 7x7 -> 14x14
  const TensorD x = random_tensor({1, 2, 7, 7}, 10), w = random_tensor({2, 3, 4, 4}, 11);
  const VarD y = conv_transpose2d(VarD(x), VarD(w), VarD(Tensor<double>{1.0, 2.0, 3.0}), {2, 1, 0});
  CHECK(y.shape() == Shape{1, 3, 14, 14});
  const VarD y0 = conv_transpose2d(VarD(x), VarD(w), VarD(), {2, 1, 0});
  // doctest::Approx: default relative tolerance 1.2e-5, ample for one double addition
  CHECK(y.value()(0, 2, 5, 6) == doctest::Approx(y0.value()(0, 2, 5, 6) + 3.0));
  CHECK(conv_transpose2d(VarD(x), VarD(w), VarD(), {2, 1, 1}).shape() == Shape{1, 3, 15, 15});
}

TEST_CASE("conv2d: gradients for x, w and b match finite differences") {
  for (const Case c : {Case{1, 0, 0}, Case{1, 1, 0}, Case{2, 1, 0}, Case{2, 0, 0}, Case{3, 2, 0}}) {
    CAPTURE(c.stride);
    CAPTURE(c.padding);
    const TensorD x = random_tensor({2, 2, 5, 5}, 12), w = random_tensor({3, 2, 3, 3}, 13);
    const TensorD b = random_tensor({3}, 14);
    const Conv2dGeometry g{c.stride, c.padding, 0};
    const auto f = [g](const std::vector<VarD>& in) { return conv2d(in[0], in[1], in[2], g); };
    GENLAB_CHECK_GRAD(gradcheck(f, {x, w, b}), 1e-6);  // tolerance 1e-6: linear in each input
  }
  // input data that requires no gradient (skips dcols and col2im), and no bias; tolerance 1e-6
  const TensorD x = random_tensor({2, 2, 6, 6}, 15), w = random_tensor({3, 2, 4, 4}, 16);
  const auto nb = [](const std::vector<VarD>& in) {
    return conv2d(in[0], in[1], VarD(), {2, 1, 0});
  };
  GENLAB_CHECK_GRAD(gradcheck(nb, {x, w}, {1}), 1e-6);
  GENLAB_CHECK_GRAD(gradcheck(nb, {x, w}, {0}), 1e-6);
}

// Stride-1 conv2d with at most 16 (input, output) channel pairs runs the direct kernels
// (core/conv_direct.hpp), above that im2col + gemm: both paths against the reference and finite
// differences, with CycleGAN's shapes (7x7 kernels, padding 3, 1 -> 4 and 4 -> 1 channels).
TEST_CASE("conv2d: stride 1, direct (<= 16 channel pairs) and im2col paths match the reference") {
  struct Shape4 {
    std::size_t cin, cout, k, p;
  };
  for (const Shape4 c : {Shape4{1, 4, 7, 3}, Shape4{4, 1, 7, 3}, Shape4{3, 4, 3, 1}, Shape4{16, 1, 3, 1},
                         Shape4{3, 6, 3, 1}, Shape4{2, 9, 3, 0}}) {
    CAPTURE(c.cin);
    CAPTURE(c.cout);
    const TensorD x = random_tensor({2, c.cin, 8, 7}, 30), w = random_tensor({c.cout, c.cin, c.k, c.k}, 31);
    const TensorD b = random_tensor({c.cout}, 32);
    const VarD y = conv2d(VarD(x), VarD(w), VarD(b), {1, c.p, 0});
    CHECK(max_abs_diff(y.value(), naive_conv2d(x, w, b, 1, c.p)) < 1e-12);  // double rounding only
  }
}

TEST_CASE("conv2d: stride-1 gradients of the direct and im2col paths match finite differences") {
  struct Shape4 {
    std::size_t cin, cout, k, p;
  };
  for (const Shape4 c : {Shape4{1, 4, 7, 3}, Shape4{4, 1, 5, 2}, Shape4{2, 3, 3, 0}, Shape4{3, 6, 3, 1}}) {
    CAPTURE(c.cin);
    CAPTURE(c.cout);
    const TensorD x = random_tensor({2, c.cin, 6, 5}, 33), w = random_tensor({c.cout, c.cin, c.k, c.k}, 34);
    const TensorD b = random_tensor({c.cout}, 35);
    const Conv2dGeometry g{1, c.p, 0};
    const auto f = [g](const std::vector<VarD>& in) { return conv2d(in[0], in[1], in[2], g); };
    GENLAB_CHECK_GRAD(gradcheck(f, {x, w, b}), 1e-6);  // tolerance 1e-6: linear in each input
  }
  // x and w each feed two direct convolutions: both gradients accumulate (tolerance 1e-6)
  const TensorD x = random_tensor({2, 2, 5, 5}, 36), w = random_tensor({2, 2, 3, 3}, 37), v = random_tensor({2, 2, 3, 3}, 38);
  const auto twice = [](const std::vector<VarD>& in) {
    return conv2d(in[0], in[1], VarD(), {1, 1, 0}) + conv2d(in[0], in[2], VarD(), {1, 1, 0}) +
           sum(conv2d(in[0], in[1], VarD(), {1, 0, 0}));
  };
  GENLAB_CHECK_GRAD(gradcheck(twice, {x, w, v}), 1e-6);
}

TEST_CASE("conv_transpose2d: gradients for x, w and b match finite differences") {
  for (const Case c : {Case{1, 0, 0}, Case{2, 1, 1}, Case{2, 0, 1}, Case{3, 1, 2}, Case{2, 2, 0}}) {
    CAPTURE(c.stride);
    CAPTURE(c.padding);
    CAPTURE(c.output_padding);
    const TensorD x = random_tensor({2, 3, 3, 3}, 17), w = random_tensor({3, 2, 3, 3}, 18);
    const TensorD b = random_tensor({2}, 19);
    const Conv2dGeometry g{c.stride, c.padding, c.output_padding};
    const auto f = [g](const std::vector<VarD>& in) {
      return conv_transpose2d(in[0], in[1], in[2], g);
    };
    GENLAB_CHECK_GRAD(gradcheck(f, {x, w, b}), 1e-6);  // tolerance 1e-6: linear in each input
  }
}

TEST_CASE("conv: gemm + col2im by chunks of images (conv_transpose2d forward, conv2d dx) keeps the adjoint identities") {
  // C*k*k = 64*16 = 1024 rows of 7x7 = 49 columns per image: 5 images per chunk of 2^18 floats,
  // so the 6 images run as two chunks (one of 5, one of 1).
  const TensorD x = random_tensor({6, 64, 14, 14}, 40), w = random_tensor({32, 64, 4, 4}, 41);
  const TensorD y = random_tensor({6, 32, 7, 7}, 42), probe = random_tensor({6, 64, 14, 14}, 43);
  const Conv2dGeometry g{2, 1, 0};
  // conv_transpose2d(y, w) is the adjoint of conv2d(., w) (im2col + one gemm, unchunked)
  const VarD ty = conv_transpose2d(VarD(y), VarD(w), VarD(), g);
  REQUIRE(ty.shape() == x.shape());
  const double lhs = dot(conv2d(VarD(x), VarD(w), VarD(), g).value(), y), rhs = dot(x, ty.value());
  CHECK(std::abs(lhs - rhs) < 1e-10 * std::max(1.0, std::abs(lhs)));  // double rounding only
  // conv2d's dx for upstream y: <dx, probe> = <conv2d(probe, w), y>
  const VarD xv(x, true);
  sum(conv2d(xv, VarD(w), VarD(), g) * VarD(y)).backward();
  const double got = dot(xv.grad(), probe), want = dot(conv2d(VarD(probe), VarD(w), VarD(), g).value(), y);
  CHECK(std::abs(got - want) < 1e-10 * std::max(1.0, std::abs(want)));  // double rounding only
}

TEST_CASE("conv: a weight shared by two convolutions accumulates both gradients") {
  const TensorD x = random_tensor({1, 2, 4, 4}, 20), w = random_tensor({2, 2, 3, 3}, 21);
  const auto f = [](const std::vector<VarD>& in) {
    const VarD y = conv2d(in[0], in[1], VarD(), {1, 1, 0});   // (1, 2, 4, 4)
    return conv_transpose2d(y, in[1], VarD(), {1, 1, 0});     // back to (1, 2, 4, 4)
  };
  GENLAB_CHECK_GRAD(gradcheck(f, {x, w}), 1e-6);  // tolerance 1e-6: quadratic in w
}

TEST_CASE("conv: float instantiations agree with double") {
  const TensorD x = random_tensor({2, 3, 9, 9}, 22), w = random_tensor({4, 3, 4, 4}, 23);
  const TensorD b = random_tensor({4}, 24);
  const Var yf = conv2d(Var(cast<float>(x)), Var(cast<float>(w)), Var(cast<float>(b)), {2, 1, 0});
  CHECK(max_abs_diff(cast<double>(yf.value()), naive_conv2d(x, w, b, 2, 1)) < 1e-4);  // float eps
  const TensorD wt = random_tensor({3, 4, 4, 4}, 25);
  const Var tf = conv_transpose2d(Var(cast<float>(x)), Var(cast<float>(wt)), Var(), {2, 1, 0});
  const VarD td = conv_transpose2d(VarD(x), VarD(wt), VarD(), {2, 1, 0});
  CHECK(max_abs_diff(cast<double>(tf.value()), td.value()) < 1e-4);  // float eps
}

TEST_CASE("conv: shape and geometry errors name the op and the shapes") {
  const VarD x(zeros<double>({2, 3, 5, 5})), w(zeros<double>({4, 2, 3, 3}));
  CHECK_THROWS_WITH_AS(conv2d(x, w, VarD(), {}), doctest::Contains("conv2d: channel mismatch"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(conv2d(x, w, VarD(), {}), doctest::Contains("(2, 3, 5, 5)"), ShapeError);
  CHECK_THROWS_WITH_AS(conv2d(x, w, VarD(), {}), doctest::Contains("(4, 2, 3, 3)"), ShapeError);
  const VarD big(zeros<double>({4, 3, 7, 7}));
  CHECK_THROWS_WITH_AS(conv2d(x, big, VarD(), {1, 0, 0}),
                       doctest::Contains("larger than the padded"), ShapeError);
  CHECK(conv2d(x, big, VarD(), {1, 1, 0}).shape() == Shape{2, 4, 1, 1});  // 5 + 2 = 7 fits
  const VarD w_ok(zeros<double>({4, 3, 3, 3})), b_bad(zeros<double>({3}));
  CHECK_THROWS_WITH_AS(conv2d(x, w_ok, b_bad, {}), doctest::Contains("(3,)"), ShapeError);
  const VarD rect(zeros<double>({4, 3, 3, 2}));
  CHECK_THROWS_WITH_AS(conv2d(x, rect, VarD(), {}), doctest::Contains("(4, 3, 3, 2)"), ShapeError);
  CHECK_THROWS_AS(conv2d(x, w_ok, VarD(), {0, 0, 0}), ConfigError);
  CHECK_THROWS_AS(conv2d(x, w_ok, VarD(), {2, 0, 1}), ConfigError);
  // transpose: w is (Cin, Cout, k, k)
  const VarD wt(zeros<double>({2, 4, 3, 3}));
  CHECK_THROWS_WITH_AS(conv_transpose2d(x, wt, VarD(), {}),
                       doctest::Contains("conv_transpose2d: channel mismatch"), ShapeError);
  const VarD wt_ok(zeros<double>({3, 4, 3, 3}));
  CHECK_THROWS_WITH_AS(conv_transpose2d(x, wt_ok, VarD(), {2, 1, 2}),
                       doctest::Contains("output_padding must be smaller than stride"),
                       ConfigError);
  const VarD tiny(zeros<double>({1, 3, 1, 1}));
  CHECK_THROWS_WITH_AS(conv_transpose2d(tiny, wt_ok, VarD(), {1, 2, 0}),
                       doctest::Contains("(1, 3, 1, 1)"), ShapeError);
}
