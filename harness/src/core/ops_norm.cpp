// batch_norm (batch statistics in training, running statistics in evaluation; PyTorch's
// conventions), instance_norm (per-sample, per-channel statistics) and inverted dropout, forward
// and backward. Neither owns parameters or state:
// the BatchNorm module holds gamma, beta and the running statistics; the caller passes the Rng.
#include <cmath>
#include <string>
#include <vector>

#include "core/instantiate.hpp"
#include "core/partial_sums.hpp"
#include "genlab/error.hpp"
#include "genlab/ops.hpp"

namespace genlab {

namespace {

template <class T>
void check_batch_norm(const Variable<T>& x, const Variable<T>& gamma, const Variable<T>& beta,
                      const Tensor<T>& running_mean, const Tensor<T>& running_var) {
  if (x.ndim() != 2 && x.ndim() != 4) {
    throw ShapeError("batch_norm: expected x (B, C) or (B, C, H, W), got " + shape_str(x.shape()));
  }
  const Shape channels{x.dim(1)};
  const auto check = [&](const char* name, const Shape& shape) {
    if (shape != channels) {
      throw ShapeError(std::string("batch_norm: ") + name + " " + shape_str(shape) +
                       " does not match x " + shape_str(x.shape()) + ": expected " +
                       shape_str(channels));
    }
  };
  if (gamma.defined()) check("gamma", gamma.shape());
  if (beta.defined()) check("beta", beta.shape());
  check("running_mean", shape_of(running_mean));
  check("running_var", shape_of(running_var));
}

}  // namespace

// x: (B, C) or (B, C, H, W); gamma, beta: (C,) (undefined: 1 and 0) -> y like x.
// Statistics per channel c over the n = B*H*W values x[b, c, h, w].
template <class T>
Variable<T> batch_norm(const Variable<T>& x, const Variable<T>& gamma, const Variable<T>& beta,
                       Tensor<T>& running_mean, Tensor<T>& running_var, bool training, T momentum,
                       T eps) {
  check_batch_norm(x, gamma, beta, running_mean, running_var);
  const std::size_t batch = x.dim(0), channels = x.dim(1);
  const std::size_t s = x.ndim() == 4 ? x.dim(2) * x.dim(3) : 1;  // spatial size
  const std::size_t n = batch * s;
  const T* xv = x.value().data();

  std::vector<T> mean(channels), invstd(channels);  // (C,)
  if (training) {
    if (n <= 1) {
      throw ShapeError("batch_norm: training needs more than one value per channel, got x " +
                       shape_str(x.shape()));
    }
    std::vector<double> sum(channels, 0.0), sq(channels, 0.0);
    for (std::size_t b = 0; b < batch; ++b) {
      for (std::size_t c = 0; c < channels; ++c) {
        const T* v = xv + (b * channels + c) * s;
        sum[c] += detail::sum4(s, [v](std::size_t i) { return static_cast<double>(v[i]); });
      }
    }
    for (std::size_t c = 0; c < channels; ++c) sum[c] /= static_cast<double>(n);
    for (std::size_t b = 0; b < batch; ++b) {
      for (std::size_t c = 0; c < channels; ++c) {
        const T* v = xv + (b * channels + c) * s;
        const double m = sum[c];
        sq[c] += detail::sum4(s, [v, m](std::size_t i) { return (v[i] - m) * (v[i] - m); });
      }
    }
    T* rm = running_mean.data();
    T* rv = running_var.data();
    for (std::size_t c = 0; c < channels; ++c) {
      const double var = sq[c] / static_cast<double>(n);  // biased: normalises the batch
      const double unbiased = sq[c] / static_cast<double>(n - 1);
      mean[c] = static_cast<T>(sum[c]);
      invstd[c] = static_cast<T>(1.0 / std::sqrt(var + static_cast<double>(eps)));
      rm[c] = (T(1) - momentum) * rm[c] + momentum * static_cast<T>(sum[c]);
      rv[c] = (T(1) - momentum) * rv[c] + momentum * static_cast<T>(unbiased);
    }
  } else {
    for (std::size_t c = 0; c < channels; ++c) {
      mean[c] = running_mean.data()[c];
      invstd[c] = T(1) / std::sqrt(running_var.data()[c] + eps);
    }
  }

  Tensor<T> xhat = Tensor<T>::from_shape(x.shape());  // like x
  Tensor<T> y = Tensor<T>::from_shape(x.shape());
  const T* g = gamma.defined() ? gamma.value().data() : nullptr;
  const T* bt = beta.defined() ? beta.value().data() : nullptr;
  T* hv = xhat.data();
  T* yv = y.data();
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t c = 0; c < channels; ++c) {
      const std::size_t off = (b * channels + c) * s;
      const T m = mean[c], is = invstd[c];
      const T scale = g ? g[c] : T(1), shift = bt ? bt[c] : T(0);
      for (std::size_t i = off; i < off + s; ++i) {
        hv[i] = (xv[i] - m) * is;
        yv[i] = scale * hv[i] + shift;
      }
    }
  }

  std::vector<Variable<T>> parents{x};
  if (gamma.defined()) parents.push_back(gamma);
  if (beta.defined()) parents.push_back(beta);
  return make_op<T>("batch_norm", std::move(y), parents,
                    [x, gamma, beta, training, batch, channels, s, invstd = std::move(invstd),
                     xhat = std::move(xhat)](const Node<T>& out) {
    const T* dy = out.grad.data();  // like x
    const T* h = xhat.data();
    // Per channel: sum(dy) and sum(dy * xhat) over the n values.
    std::vector<double> sum_dy(channels, 0.0), sum_dy_h(channels, 0.0);
    for (std::size_t b = 0; b < batch; ++b) {
      for (std::size_t c = 0; c < channels; ++c) {
        const T* d = dy + (b * channels + c) * s;
        const T* hc = h + (b * channels + c) * s;
        sum_dy[c] += detail::sum4(s, [d](std::size_t i) { return static_cast<double>(d[i]); });
        sum_dy_h[c] += detail::sum4(
            s, [d, hc](std::size_t i) { return static_cast<double>(d[i]) * hc[i]; });
      }
    }
    if (gamma.defined() && gamma.requires_grad()) {  // dgamma (C,) = sum(dy * xhat)
      accumulate_each(*gamma.node(), [&](std::size_t c) { return static_cast<T>(sum_dy_h[c]); });
    }
    if (beta.defined() && beta.requires_grad()) {  // dbeta (C,) = sum(dy)
      accumulate_each(*beta.node(), [&](std::size_t c) { return static_cast<T>(sum_dy[c]); });
    }
    if (!x.requires_grad()) return;
    // training: dx = gamma invstd (dy - mean(dy) - xhat mean(dy xhat)); eval: gamma invstd dy
    const double inv_n = 1.0 / static_cast<double>(batch * s);
    std::vector<T> coef(channels), mean_dy(channels), mean_dy_h(channels);
    for (std::size_t c = 0; c < channels; ++c) {
      coef[c] = (gamma.defined() ? gamma.value().data()[c] : T(1)) * invstd[c];
      mean_dy[c] = training ? static_cast<T>(sum_dy[c] * inv_n) : T(0);
      mean_dy_h[c] = training ? static_cast<T>(sum_dy_h[c] * inv_n) : T(0);
    }
    Node<T>& nx = *x.node();
    const bool fresh = nx.grad_slot();
    T* dx = nx.grad.data();
    for (std::size_t b = 0; b < batch; ++b) {
      for (std::size_t c = 0; c < channels; ++c) {
        const std::size_t off = (b * channels + c) * s;
        for (std::size_t i = off; i < off + s; ++i) {
          const T v = coef[c] * (dy[i] - mean_dy[c] - h[i] * mean_dy_h[c]);
          dx[i] = fresh ? v : dx[i] + v;
        }
      }
    }
  });
}

// x: (B, C, H, W) -> y like x; statistics per (b, c) plane over its s = H*W values.
template <class T>
Variable<T> instance_norm(const Variable<T>& x, const Variable<T>& gamma, const Variable<T>& beta, T eps) {
  if (x.ndim() != 4 || x.dim(2) * x.dim(3) < 2) {
    throw ShapeError("instance_norm: expected x (B, C, H, W) with H*W > 1, got " + shape_str(x.shape()));
  }
  const std::size_t channels = x.dim(1), planes = x.dim(0) * channels, s = x.dim(2) * x.dim(3);
  for (const Variable<T>* p : {&gamma, &beta}) {
    if (p->defined() && p->shape() != Shape{channels}) {
      throw ShapeError("instance_norm: gamma/beta " + shape_str(p->shape()) + " do not match x " +
                       shape_str(x.shape()) + ": expected (" + std::to_string(channels) + ")");
    }
  }
  const T* xv = x.value().data();
  const T* g = gamma.defined() ? gamma.value().data() : nullptr;
  const T* bt = beta.defined() ? beta.value().data() : nullptr;
  std::vector<T> invstd(planes);                       // (B*C,)
  Tensor<T> xhat = Tensor<T>::from_shape(x.shape());  // like x
  Tensor<T> y = Tensor<T>::from_shape(x.shape());
  for (std::size_t p = 0; p < planes; ++p) {
    const T* v = xv + p * s;
    const double m = detail::sum4(s, [v](std::size_t i) { return static_cast<double>(v[i]); }) / static_cast<double>(s);
    const double var = detail::sum4(s, [v, m](std::size_t i) { return (v[i] - m) * (v[i] - m); }) / static_cast<double>(s);
    invstd[p] = static_cast<T>(1.0 / std::sqrt(var + static_cast<double>(eps)));
    const T mean = static_cast<T>(m), scale = g ? g[p % channels] : T(1), shift = bt ? bt[p % channels] : T(0);
    for (std::size_t i = p * s; i < (p + 1) * s; ++i) {
      xhat.data()[i] = (xv[i] - mean) * invstd[p];
      y.data()[i] = scale * xhat.data()[i] + shift;
    }
  }
  std::vector<Variable<T>> parents{x};
  if (gamma.defined()) parents.push_back(gamma);
  if (beta.defined()) parents.push_back(beta);
  return make_op<T>("instance_norm", std::move(y), parents,
                    [x, gamma, beta, channels, planes, s, invstd = std::move(invstd),
                     xhat = std::move(xhat)](const Node<T>& out) {
    const T* dy = out.grad.data();  // like x
    const T* h = xhat.data();
    // Per plane: sum(dy) and sum(dy * xhat) over its s values.
    std::vector<double> sum_dy(planes), sum_dy_h(planes);
    for (std::size_t p = 0; p < planes; ++p) {
      const T* d = dy + p * s;
      const T* hp = h + p * s;
      sum_dy[p] = detail::sum4(s, [d](std::size_t i) { return static_cast<double>(d[i]); });
      sum_dy_h[p] = detail::sum4(s, [d, hp](std::size_t i) { return static_cast<double>(d[i]) * hp[i]; });
    }
    // dgamma, dbeta (C,): the planes' sums over the batch, in batch order
    const auto per_channel = [&](const std::vector<double>& sums, std::size_t c) {
      double total = 0.0;
      for (std::size_t p = c; p < planes; p += channels) total += sums[p];
      return static_cast<T>(total);
    };
    if (gamma.defined() && gamma.requires_grad()) {
      accumulate_each(*gamma.node(), [&](std::size_t c) { return per_channel(sum_dy_h, c); });
    }
    if (beta.defined() && beta.requires_grad()) {
      accumulate_each(*beta.node(), [&](std::size_t c) { return per_channel(sum_dy, c); });
    }
    if (!x.requires_grad()) return;
    // dx = gamma invstd (dy - mean(dy) - xhat mean(dy xhat)) within each plane
    Node<T>& nx = *x.node();
    const bool fresh = nx.grad_slot();
    T* dx = nx.grad.data();
    const double inv_s = 1.0 / static_cast<double>(s);
    for (std::size_t p = 0; p < planes; ++p) {
      const T coef = (gamma.defined() ? gamma.value().data()[p % channels] : T(1)) * invstd[p];
      const T mean_dy = static_cast<T>(sum_dy[p] * inv_s), mean_dy_h = static_cast<T>(sum_dy_h[p] * inv_s);
      for (std::size_t i = p * s; i < (p + 1) * s; ++i) {
        const T v = coef * (dy[i] - mean_dy - h[i] * mean_dy_h);
        dx[i] = fresh ? v : dx[i] + v;
      }
    }
  });
}

// Inverted dropout: y = x * mask, mask = 0 with probability p, else 1 / (1 - p); x: any shape.
template <class T>
Variable<T> dropout(const Variable<T>& x, T p, bool training, Rng& rng) {
  if (!(p >= T(0) && p < T(1))) {
    throw ConfigError("dropout: p must be in [0, 1), got " + std::to_string(p));
  }
  if (!training || p == T(0)) return x;
  const double keep = 1.0 - static_cast<double>(p);
  const T scale = T(1) / (T(1) - p);
  Tensor<T> mask = Tensor<T>::from_shape(x.shape());  // like x: 0 or 1/(1-p)
  Tensor<T> y = Tensor<T>::from_shape(x.shape());
  const T* xv = x.value().data();
  for (std::size_t i = 0; i < mask.size(); ++i) {
    mask.data()[i] = rng.bernoulli(keep) ? scale : T(0);
    y.data()[i] = xv[i] * mask.data()[i];
  }
  return make_op<T>("dropout", std::move(y), {x}, [x, mask = std::move(mask)](const Node<T>& out) {
    const T* dy = out.grad.data();
    const T* m = mask.data();
    accumulate_each(*x.node(), [&](std::size_t i) { return dy[i] * m[i]; });
  });
}

#define GENLAB_INSTANTIATE_NORM(T)                                                           \
  template Variable<T> batch_norm<T>(const Variable<T>&, const Variable<T>&,                \
                                     const Variable<T>&, Tensor<T>&, Tensor<T>&, bool, T, T); \
  template Variable<T> dropout<T>(const Variable<T>&, T, bool, Rng&);                        \
  template Variable<T> instance_norm<T>(const Variable<T>&, const Variable<T>&, const Variable<T>&, T);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_NORM)

}  // namespace genlab
