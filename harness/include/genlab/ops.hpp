// Differentiable tensor ops on Variable<T> (T = float for training, double for gradient checks).
// Each op's backward closure is written beside its forward in harness/src/core/ops_*.cpp.
// Shape mismatches throw ShapeError naming the op and both shapes. No op draws random numbers
// except dropout, which takes the caller's Rng stream explicitly.
#pragma once
#include <cstddef>
#include <vector>

#include "genlab/autograd.hpp"
#include "genlab/rng.hpp"

namespace genlab {

enum class Reduction { None, Sum, Mean };

// ---- linear algebra (BLAS gemm; transposed operands are passed as flags, never copied) ----
// a: (M, K) or (K, M) if trans_a; b: (K, N) or (N, K) if trans_b -> (M, N)
template <class T>
Variable<T> matmul(const Variable<T>& a, const Variable<T>& b, bool trans_a = false,
                   bool trans_b = false);
// x: (B, in), w: (in, out), b: (out,) -> (B, out). Fused gemm + bias; b may be undefined.
template <class T>
Variable<T> linear(const Variable<T>& x, const Variable<T>& w, const Variable<T>& b);

// ---- broadcasting arithmetic (numpy rules) ----
template <class T> Variable<T> add(const Variable<T>& a, const Variable<T>& b);
template <class T> Variable<T> sub(const Variable<T>& a, const Variable<T>& b);
template <class T> Variable<T> mul(const Variable<T>& a, const Variable<T>& b);
template <class T> Variable<T> div(const Variable<T>& a, const Variable<T>& b);
template <class T> Variable<T> neg(const Variable<T>& x);
// x + s, x * s, s - x (rsub), s / x (rdiv), x^p for a constant p
template <class T> Variable<T> add_scalar(const Variable<T>& x, T s);
template <class T> Variable<T> mul_scalar(const Variable<T>& x, T s);
template <class T> Variable<T> rsub_scalar(const Variable<T>& x, T s);
template <class T> Variable<T> rdiv_scalar(const Variable<T>& x, T s);
template <class T> Variable<T> pow_scalar(const Variable<T>& x, T p);

// ---- elementwise functions ----
template <class T> Variable<T> relu(const Variable<T>& x);
template <class T> Variable<T> leaky_relu(const Variable<T>& x, T negative_slope = T(0.01));
template <class T> Variable<T> tanh(const Variable<T>& x);
template <class T> Variable<T> sigmoid(const Variable<T>& x);
template <class T> Variable<T> softplus(const Variable<T>& x);
template <class T> Variable<T> exp(const Variable<T>& x);
template <class T> Variable<T> log(const Variable<T>& x);
template <class T> Variable<T> sqrt(const Variable<T>& x);
template <class T> Variable<T> square(const Variable<T>& x);
template <class T> Variable<T> abs(const Variable<T>& x);
template <class T> Variable<T> clamp(const Variable<T>& x, T lo, T hi);

// ---- shape ----
template <class T> Variable<T> reshape(const Variable<T>& x, const Shape& shape);
// x: (B, ...) -> (B, prod(...))
template <class T> Variable<T> flatten(const Variable<T>& x);
template <class T> Variable<T> concat(const std::vector<Variable<T>>& xs, std::size_t axis);
// x[..., start:stop, ...] along axis
template <class T>
Variable<T> slice(const Variable<T>& x, std::size_t axis, std::size_t start, std::size_t stop);

// ---- reductions (fixed summation order: results never depend on thread count) ----
template <class T> Variable<T> sum(const Variable<T>& x);   // -> shape ()
template <class T> Variable<T> mean(const Variable<T>& x);  // -> shape ()
template <class T>
Variable<T> sum(const Variable<T>& x, const std::vector<std::size_t>& axes, bool keepdims = false);
template <class T>
Variable<T> mean(const Variable<T>& x, const std::vector<std::size_t>& axes, bool keepdims = false);
// log(sum(exp(x), axis)), stable for large |x|
template <class T>
Variable<T> logsumexp(const Variable<T>& x, std::size_t axis, bool keepdims = false);

// ---- convolution (NCHW; im2col + gemm) ----
struct Conv2dGeometry {
  std::size_t stride = 1;
  std::size_t padding = 0;
  std::size_t output_padding = 0;  // conv_transpose2d only
};
// x: (B, Cin, H, W), w: (Cout, Cin, k, k), b: (Cout,) or undefined -> (B, Cout, Ho, Wo)
template <class T>
Variable<T> conv2d(const Variable<T>& x, const Variable<T>& w, const Variable<T>& b,
                   Conv2dGeometry geometry);
// x: (B, Cin, H, W), w: (Cin, Cout, k, k), b: (Cout,) or undefined -> (B, Cout, Ho, Wo),
// Ho = (H - 1) * stride - 2 * padding + k + output_padding
template <class T>
Variable<T> conv_transpose2d(const Variable<T>& x, const Variable<T>& w, const Variable<T>& b,
                             Conv2dGeometry geometry);

// ---- normalisation and regularisation ----
// x: (B, C) or (B, C, H, W); gamma, beta: (C,); running_mean/var: (C,) updated in training
// (PyTorch convention: running_var uses the unbiased batch variance).
template <class T>
Variable<T> batch_norm(const Variable<T>& x, const Variable<T>& gamma, const Variable<T>& beta,
                       Tensor<T>& running_mean, Tensor<T>& running_var, bool training,
                       T momentum = T(0.1), T eps = T(1e-5));
// x: (B, C, H, W); gamma, beta: (C,) or undefined (no affine part) -> y like x, each (b, c)
// plane normalised by its own mean and biased variance over H*W (Ulyanov et al. 2016; PyTorch's
// InstanceNorm2d without running statistics: the same in training and evaluation).
template <class T>
Variable<T> instance_norm(const Variable<T>& x, const Variable<T>& gamma, const Variable<T>& beta,
                          T eps = T(1e-5));
// Inverted dropout: zeroes each element with probability p, scales the rest by 1/(1-p).
template <class T>
Variable<T> dropout(const Variable<T>& x, T p, bool training, Rng& rng);

// ---- losses and log-densities (numerically stable; elementwise before reduction) ----
template <class T>
Variable<T> bce_with_logits(const Variable<T>& logits, const Variable<T>& targets,
                            Reduction reduction = Reduction::Mean);
template <class T>
Variable<T> bce(const Variable<T>& probs, const Variable<T>& targets,
                Reduction reduction = Reduction::Mean);
template <class T>
Variable<T> mse(const Variable<T>& a, const Variable<T>& b, Reduction reduction = Reduction::Mean);
template <class T>
Variable<T> l1(const Variable<T>& a, const Variable<T>& b, Reduction reduction = Reduction::Mean);
// KL(N(mu, exp(logvar)) || N(0, I)) per element: 0.5 (mu^2 + exp(logvar) - 1 - logvar)
template <class T>
Variable<T> gaussian_kl(const Variable<T>& mu, const Variable<T>& logvar,
                        Reduction reduction = Reduction::Sum);
// log N(x; mu, exp(logvar)) per element
template <class T>
Variable<T> gaussian_log_density(const Variable<T>& x, const Variable<T>& mu,
                                 const Variable<T>& logvar, Reduction reduction = Reduction::Sum);
// log Bernoulli(x; sigmoid(logits)) per element = -bce_with_logits
template <class T>
Variable<T> bernoulli_log_density(const Variable<T>& x, const Variable<T>& logits,
                                  Reduction reduction = Reduction::Sum);

// ---- operators ----
template <class T> Variable<T> operator+(const Variable<T>& a, const Variable<T>& b) { return add(a, b); }
template <class T> Variable<T> operator-(const Variable<T>& a, const Variable<T>& b) { return sub(a, b); }
template <class T> Variable<T> operator*(const Variable<T>& a, const Variable<T>& b) { return mul(a, b); }
template <class T> Variable<T> operator/(const Variable<T>& a, const Variable<T>& b) { return div(a, b); }
template <class T> Variable<T> operator-(const Variable<T>& x) { return neg(x); }
template <class T> Variable<T> operator+(const Variable<T>& x, T s) { return add_scalar(x, s); }
template <class T> Variable<T> operator+(T s, const Variable<T>& x) { return add_scalar(x, s); }
template <class T> Variable<T> operator-(const Variable<T>& x, T s) { return add_scalar(x, -s); }
template <class T> Variable<T> operator-(T s, const Variable<T>& x) { return rsub_scalar(x, s); }
template <class T> Variable<T> operator*(const Variable<T>& x, T s) { return mul_scalar(x, s); }
template <class T> Variable<T> operator*(T s, const Variable<T>& x) { return mul_scalar(x, s); }
template <class T> Variable<T> operator/(const Variable<T>& x, T s) { return mul_scalar(x, T(1) / s); }
template <class T> Variable<T> operator/(T s, const Variable<T>& x) { return rdiv_scalar(x, s); }

}  // namespace genlab
