// conv2d and conv_transpose2d (NCHW, square kernel) by im2col/col2im + one BLAS gemm with the
// batch folded into the columns: cols (C*k*k, B*Ho*Wo). Forward and backward for x, w and b.
// Stride-1 conv2d with at most 16 channel pairs runs direct kernels instead (core/conv_direct.hpp).
// Deliberately not here: dilation, groups, non-square kernels or strides, other layouts.
#include <algorithm>
#include <string>

#include "core/conv_direct.hpp"
#include "core/gemm_into.hpp"
#include "core/instantiate.hpp"
#include "core/partial_sums.hpp"
#include "core/thread_pool.hpp"
#include "genlab/error.hpp"
#include "genlab/ops.hpp"

namespace genlab {

namespace {

// A convolution window grid over an image: the image (B, C, img_h, img_w) is read by a
// k x k kernel at stride/padding, giving a grid of grid_h x grid_w window positions.
// conv2d: image = x, grid = output. conv_transpose2d: image = output, grid = x.
struct ColGeometry {
  std::size_t batch, channels, img_h, img_w, k, stride, pad, grid_h, grid_w;
  std::size_t rows() const { return channels * k * k; }           // rows of cols
  std::size_t cols() const { return batch * grid_h * grid_w; }    // columns of cols
};

// Grid positions o in [lo, hi) whose image index o * stride + offset - pad lies in [0, n_img).
struct Span {
  std::size_t lo, hi;
};
Span valid_span(std::size_t offset, std::size_t stride, std::size_t pad, std::size_t n_img,
                std::size_t n_grid) {
  const std::size_t lo = offset >= pad ? 0 : (pad - offset + stride - 1) / stride;
  std::size_t hi = 0;
  if (n_img + pad > offset) hi = std::min(n_grid, (n_img - 1 + pad - offset) / stride + 1);
  return {std::min(lo, hi), hi};
}

// Runs fn(c, b_begin, b_end) over every channel c and the batch in pieces, on the compute pool:
// about kElementwiseGrain elements of work per item, items of one channel in batch order, and
// chunks of at least that much work (a small tensor runs inline: waking a thread costs more).
// Items write disjoint memory and each element is computed as in a serial loop, so the result
// does not depend on the thread count.
template <class F>
void for_channel_batches(std::size_t channels, std::size_t batch, std::size_t work_per_image, F&& fn) {
  const std::size_t per_image = std::max<std::size_t>(1, work_per_image);
  const std::size_t per_item = std::clamp<std::size_t>(kElementwiseGrain / per_image, 1, batch);
  const std::size_t pieces = (batch + per_item - 1) / per_item;
  const std::size_t items_per_chunk = std::max<std::size_t>(1, kElementwiseGrain / (per_item * per_image));
  parallel_chunks(channels * pieces, items_per_chunk, [&](std::size_t begin, std::size_t end) {
    for (std::size_t item = begin; item < end; ++item) {
      const std::size_t c = item / pieces, b0 = (item % pieces) * per_item;
      fn(c, b0, std::min(batch, b0 + per_item));
    }
  });
}

// dst[i] = src[i * step] and dst[i * step] += src[i] for i < len. S > 0 fixes the step at compile
// time (the common strides 1 and 2, so that the loops unroll and vectorise); S = 0 reads `step`.
template <std::size_t S, class T>
inline void gather_row(T* __restrict dst, const T* __restrict src, std::size_t len, std::size_t step) {
  const std::size_t st = S ? S : step;
  for (std::size_t i = 0; i < len; ++i) dst[i] = src[i * st];
}
template <std::size_t S, class T>
inline void scatter_add_row(T* __restrict dst, const T* __restrict src, std::size_t len, std::size_t step) {
  const std::size_t st = S ? S : step;
  for (std::size_t i = 0; i < len; ++i) dst[i * st] += src[i];
}

// cols (C*k*k, B*gh*gw): cols[(c*k + ki)*k + kj][(b*gh + oh)*gw + ow] =
// img[b, c, oh*s + ki - p, ow*s + kj - p] (0 outside the image). img: (B, C, H, W).
template <std::size_t S, class T>
void im2col_stride(const T* img, const ColGeometry& g, T* cols) {
  const std::size_t plane = g.img_h * g.img_w, grid = g.grid_h * g.grid_w, n = g.cols();
  const std::size_t s = g.stride, k = g.k, pad = g.pad, gw = g.grid_w, iw = g.img_w, channels = g.channels;
  for_channel_batches(channels, g.batch, k * k * grid, [&](std::size_t c, std::size_t b0, std::size_t b1) {
    for (std::size_t ki = 0; ki < k; ++ki) {
      const Span rows = valid_span(ki, s, pad, g.img_h, g.grid_h);
      for (std::size_t kj = 0; kj < k; ++kj) {
        const Span span = valid_span(kj, s, pad, iw, gw);
        const std::size_t len = span.hi - span.lo, lo = span.lo;
        T* row = cols + ((c * k + ki) * k + kj) * n;
        if (len == 0 || rows.lo == rows.hi) {  // this kernel tap only ever sees padding
          std::fill(row + b0 * grid, row + b1 * grid, T(0));
          continue;
        }
        const std::size_t col0 = lo * s + kj - pad;  // image column of grid column lo
        for (std::size_t b = b0; b < b1; ++b) {
          const T* src_plane = img + (b * channels + c) * plane;
          T* dst = row + b * grid;
          std::fill(dst, dst + rows.lo * gw, T(0));
          for (std::size_t oh = rows.lo; oh < rows.hi; ++oh) {
            T* d = dst + oh * gw;
            for (std::size_t i = 0; i < lo; ++i) d[i] = T(0);
            gather_row<S>(d + lo, src_plane + (oh * s + ki - pad) * iw + col0, len, s);
            for (std::size_t i = span.hi; i < gw; ++i) d[i] = T(0);
          }
          std::fill(dst + rows.hi * gw, dst + grid, T(0));
        }
      }
    }
  });
}

// img (B, C, H, W) += the adjoint of im2col applied to cols (C*k*k, B*gh*gw). Every pixel of a
// plane (b, c) receives its taps in (ki, kj) order, whichever thread computes the plane.
template <std::size_t S, class T>
void col2im_add_stride(const T* cols, const ColGeometry& g, T* img) {
  const std::size_t plane = g.img_h * g.img_w, grid = g.grid_h * g.grid_w, n = g.cols();
  const std::size_t s = g.stride, k = g.k, pad = g.pad, gw = g.grid_w, iw = g.img_w, channels = g.channels;
  for_channel_batches(channels, g.batch, k * k * grid, [&](std::size_t c, std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      T* dst_plane = img + (b * channels + c) * plane;
      for (std::size_t ki = 0; ki < k; ++ki) {
        const Span rows = valid_span(ki, s, pad, g.img_h, g.grid_h);
        for (std::size_t kj = 0; kj < k; ++kj) {
          const Span span = valid_span(kj, s, pad, iw, gw);
          const std::size_t len = span.hi - span.lo;
          if (len == 0 || rows.lo == rows.hi) continue;  // this kernel tap only ever sees padding
          const std::size_t col0 = span.lo * s + kj - pad;  // image column of grid column lo
          const T* src = cols + ((c * k + ki) * k + kj) * n + b * grid + span.lo;
          for (std::size_t oh = rows.lo; oh < rows.hi; ++oh) {
            scatter_add_row<S>(dst_plane + (oh * s + ki - pad) * iw + col0, src + oh * gw, len, s);
          }
        }
      }
    }
  });
}

template <class T>
void im2col(const T* img, const ColGeometry& g, T* cols) {
  if (g.stride == 1) return im2col_stride<1>(img, g, cols);
  if (g.stride == 2) return im2col_stride<2>(img, g, cols);
  im2col_stride<0>(img, g, cols);
}

template <class T>
void col2im_add(const T* cols, const ColGeometry& g, T* img) {
  if (g.stride == 1) return col2im_add_stride<1>(cols, g, img);
  if (g.stride == 2) return col2im_add_stride<2>(cols, g, img);
  col2im_add_stride<0>(cols, g, img);
}

// Floats per chunk of a (rows, B*grid) column buffer made by a gemm for col2im (1 MiB): small
// enough that col2im reads it from cache, not memory (DCGAN's full buffers are 12.8 MB).
constexpr std::size_t kChunkFloats = std::size_t{1} << 18;

// img (B, C, H, W) += col2im(W^T src), W: (K, C*k*k), src: (K, B*grid), computed for chunks of
// images in turn: each chunk (C*k*k, nb*grid) is one gemm, scattered by col2im while in cache.
// The chunks depend on the shape alone.
template <class T>
void gemm_col2im_add(const T* w, std::size_t k, const T* src, const ColGeometry& g, T* img) {
  const std::size_t rows = g.rows(), grid = g.grid_h * g.grid_w, n = g.cols(), plane = g.img_h * g.img_w;
  const std::size_t per_chunk = std::clamp<std::size_t>(kChunkFloats / std::max<std::size_t>(1, rows * grid), 1, g.batch);
  Tensor<T> chunk = Tensor<T>::from_shape({rows, per_chunk * grid});  // (C*k*k, nb*grid)
  for (std::size_t b0 = 0; b0 < g.batch; b0 += per_chunk) {
    ColGeometry part = g;
    part.batch = std::min(per_chunk, g.batch - b0);
    detail::gemm_into(true, false, rows, part.cols(), k, w, rows, src + b0 * grid, n, T(0), chunk.data(), part.cols());
    col2im_add(chunk.data(), part, img + b0 * g.channels * plane);
  }
}

// src (B, C, S) -> dst (C, B*S)
template <class T>
void to_channel_major(const T* src, std::size_t batch, std::size_t channels, std::size_t s,
                      T* dst) {
  for_channel_batches(channels, batch, s, [&](std::size_t c, std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) std::copy_n(src + (b * channels + c) * s, s, dst + (c * batch + b) * s);
  });
}

// dst (B, C, S) = src (C, B*S) [+ bias (C,)], or dst += src when accumulate.
template <class T>
void from_channel_major(const T* src, std::size_t batch, std::size_t channels, std::size_t s,
                        const T* bias, bool accumulate, T* dst) {
  for_channel_batches(channels, batch, s, [&](std::size_t c, std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      const T* sv = src + (c * batch + b) * s;
      T* d = dst + (b * channels + c) * s;
      const T add = bias ? bias[c] : T(0);
      if (accumulate) {
        for (std::size_t i = 0; i < s; ++i) d[i] += sv[i];
      } else {
        for (std::size_t i = 0; i < s; ++i) d[i] = sv[i] + add;
      }
    }
  });
}

// db (C,) (+)= sums of dy (B, C, S) over B and S.
template <class T>
void accumulate_channel_sums(const T* dy, std::size_t batch, std::size_t channels, std::size_t s,
                             Node<T>& bias) {
  const bool fresh = bias.grad_slot();
  T* db = bias.grad.data();
  if (fresh) std::fill(db, db + channels, T(0));
  // one item per channel (its sums are added in batch order, as in a serial loop)
  for_channel_batches(channels, 1, batch * s, [&](std::size_t c, std::size_t, std::size_t) {
    for (std::size_t b = 0; b < batch; ++b) {
      const T* v = dy + (b * channels + c) * s;
      const auto at = [v](std::size_t i) { return static_cast<double>(v[i]); };
      db[c] += static_cast<T>(detail::sum4(s, at));
    }
  });
}

std::string geometry_str(const Conv2dGeometry& g) {
  return "stride " + std::to_string(g.stride) + ", padding " + std::to_string(g.padding) +
         ", output_padding " + std::to_string(g.output_padding);
}

// Checks ranks, the square kernel, the channel match, the bias and the stride.
// in_axis: the axis of w that must equal x's channels (1 for conv2d, 0 for the transpose).
template <class T>
void check_conv(const char* op, const Variable<T>& x, const Variable<T>& w, const Variable<T>& b,
                const Conv2dGeometry& geometry, std::size_t in_axis) {
  const std::string operands = "x " + shape_str(x.shape()) + " and w " + shape_str(w.shape());
  if (x.ndim() != 4 || w.ndim() != 4 || w.dim(2) != w.dim(3)) {
    throw ShapeError(std::string(op) + ": expected x (B, C, H, W) and a square kernel w, got " +
                     operands);
  }
  if (x.dim(1) != w.dim(in_axis)) {
    throw ShapeError(std::string(op) + ": channel mismatch: " + operands + " (x has " +
                     std::to_string(x.dim(1)) + " channels, w expects " +
                     std::to_string(w.dim(in_axis)) + ")");
  }
  const std::size_t out_channels = w.dim(1 - in_axis);
  if (b.defined() && (b.ndim() != 1 || b.dim(0) != out_channels)) {
    throw ShapeError(std::string(op) + ": b " + shape_str(b.shape()) + " does not match w " +
                     shape_str(w.shape()) + ": expected (" + std::to_string(out_channels) + ",)");
  }
  if (geometry.stride == 0 || w.dim(2) == 0) {
    throw ConfigError(std::string(op) + ": stride and kernel size must be >= 1 (" +
                      geometry_str(geometry) + ", " + operands + ")");
  }
}

// conv2d at stride 1 by the direct kernels: x (B, Cin, H, W) -> y (B, Cout, Ho, Wo); the padded
// input xp (B, Cin, H + 2p, W + 2p, then k zeros) is kept for dW.
template <class T>
Variable<T> conv2d_direct(const Variable<T>& x, const Variable<T>& w, const Variable<T>& b, std::size_t k,
                          std::size_t p) {
  const detail::DirectConv g{x.dim(0), x.dim(1), w.dim(0), x.dim(2), x.dim(3), k, p};
  Tensor<T> xp = Tensor<T>::from_shape({g.padded_size()});  // (B, Cin, Hp, Wp) and k zeros
  detail::pad_planes(x.value().data(), g, xp.data());
  Tensor<T> y = Tensor<T>::from_shape({g.batch, g.cout, g.ho(), g.wo()});
  detail::direct_conv_forward(xp.data(), w.value().data(), b.defined() ? b.value().data() : nullptr, g, y.data());
  if (!w.requires_grad()) xp = Tensor<T>();  // only dW reads it again

  std::vector<Variable<T>> parents{x, w};
  if (b.defined()) parents.push_back(b);
  return make_op<T>("conv2d", std::move(y), parents, [x, w, b, g, xp = std::move(xp)](const Node<T>& out) {
    const T* dy = out.grad.data();  // (B, Cout, Ho, Wo)
    if (b.defined() && b.requires_grad()) accumulate_channel_sums(dy, g.batch, g.cout, g.ho() * g.wo(), *b.node());
    if (w.requires_grad()) {
      Node<T>& nw = *w.node();
      const bool fresh = nw.grad_slot();
      detail::direct_conv_backward_w(dy, xp.data(), g, !fresh, nw.grad.data());
    }
    if (x.requires_grad()) {
      Node<T>& nx = *x.node();
      const bool fresh = nx.grad_slot();
      detail::direct_conv_backward_x(dy, w.value().data(), g, !fresh, nx.grad.data());
    }
  });
}

}  // namespace

// x: (B, Cin, H, W), w: (Cout, Cin, k, k), b: (Cout,) or undefined -> (B, Cout, Ho, Wo),
// Ho = (H + 2p - k) / s + 1.
template <class T>
Variable<T> conv2d(const Variable<T>& x, const Variable<T>& w, const Variable<T>& b,
                   Conv2dGeometry geometry) {
  check_conv("conv2d", x, w, b, geometry, 1);
  if (geometry.output_padding != 0) {
    throw ConfigError("conv2d: output_padding applies to conv_transpose2d only (" +
                      geometry_str(geometry) + ")");
  }
  const std::size_t k = w.dim(2), p = geometry.padding, s = geometry.stride;
  if (x.dim(2) + 2 * p < k || x.dim(3) + 2 * p < k) {
    throw ShapeError("conv2d: kernel " + std::to_string(k) +
                     " is larger than the padded input: x " + shape_str(x.shape()) +
                     " with padding " + std::to_string(p) + ", w " + shape_str(w.shape()));
  }
  if (detail::use_direct_conv(x.dim(1), w.dim(0), s)) return conv2d_direct(x, w, b, k, p);
  const ColGeometry g{x.dim(0), x.dim(1), x.dim(2), x.dim(3), k, s, p,
                      (x.dim(2) + 2 * p - k) / s + 1, (x.dim(3) + 2 * p - k) / s + 1};
  const std::size_t cout = w.dim(0), rows = g.rows(), n = g.cols();
  const std::size_t grid = g.grid_h * g.grid_w;

  Tensor<T> cols = Tensor<T>::from_shape({rows, n});  // (Cin*k*k, B*Ho*Wo)
  im2col(x.value().data(), g, cols.data());
  Tensor<T> prod = Tensor<T>::from_shape({cout, n});  // (Cout, B*Ho*Wo) = W (Cout, Cin*k*k) cols
  detail::gemm_into(false, false, cout, n, rows, w.value().data(), rows, cols.data(), n, T(0),
                    prod.data(), n);
  Tensor<T> y = Tensor<T>::from_shape({g.batch, cout, g.grid_h, g.grid_w});
  from_channel_major(prod.data(), g.batch, cout, grid, b.defined() ? b.value().data() : nullptr,
                     false, y.data());

  if (!w.requires_grad()) cols = Tensor<T>();  // only dW reads it again

  std::vector<Variable<T>> parents{x, w};
  if (b.defined()) parents.push_back(b);
  return make_op<T>("conv2d", std::move(y), parents,
                    [x, w, b, g, cout, rows, n, grid, cols = std::move(cols)](const Node<T>& out) {
    const T* dy = out.grad.data();  // (B, Cout, Ho, Wo)
    if (b.defined() && b.requires_grad()) {
      accumulate_channel_sums(dy, g.batch, cout, grid, *b.node());
    }
    if (!w.requires_grad() && !x.requires_grad()) return;
    Tensor<T> dyc = Tensor<T>::from_shape({cout, n});  // (Cout, B*Ho*Wo)
    to_channel_major(dy, g.batch, cout, grid, dyc.data());
    if (w.requires_grad()) {  // dW (Cout, Cin*k*k) = dY cols^T
      Node<T>& nw = *w.node();
      const T beta = detail::grad_beta(nw);
      detail::gemm_into(false, true, cout, rows, n, dyc.data(), n, cols.data(), n, beta,
                        nw.grad.data(), rows);
    }
    if (x.requires_grad()) {  // dcols (Cin*k*k, B*Ho*Wo) = W^T dY; dx += col2im(dcols), by chunks
      Node<T>& nx = *x.node();
      if (nx.grad_slot()) nx.grad.fill(T(0));
      gemm_col2im_add(w.value().data(), cout, dyc.data(), g, nx.grad.data());
    }
  });
}

// x: (B, Cin, H, W), w: (Cin, Cout, k, k), b: (Cout,) or undefined -> (B, Cout, Ho, Wo),
// Ho = (H - 1) s - 2p + k + output_padding. The adjoint of conv2d in x (with w read as conv2d's).
template <class T>
Variable<T> conv_transpose2d(const Variable<T>& x, const Variable<T>& w, const Variable<T>& b,
                             Conv2dGeometry geometry) {
  check_conv("conv_transpose2d", x, w, b, geometry, 0);
  const std::size_t k = w.dim(2), p = geometry.padding, s = geometry.stride;
  const std::size_t op = geometry.output_padding;
  if (op >= s) {
    throw ConfigError("conv_transpose2d: output_padding must be smaller than stride (" +
                      geometry_str(geometry) + ")");
  }
  const auto out_size = [&](std::size_t in) { return (in - 1) * s + k + op; };  // before cropping
  if (x.dim(2) == 0 || x.dim(3) == 0 || out_size(x.dim(2)) <= 2 * p ||
      out_size(x.dim(3)) <= 2 * p) {
    throw ShapeError("conv_transpose2d: padding " + std::to_string(p) +
                     " leaves an empty output for x " + shape_str(x.shape()) + " and w " +
                     shape_str(w.shape()) + " (" + geometry_str(geometry) + ")");
  }
  const std::size_t cin = x.dim(1), cout = w.dim(1);
  const ColGeometry g{x.dim(0), cout, out_size(x.dim(2)) - 2 * p, out_size(x.dim(3)) - 2 * p,
                      k, s, p, x.dim(2), x.dim(3)};
  const std::size_t rows = g.rows(), n = g.cols(), grid = g.grid_h * g.grid_w;

  Tensor<T> xc = Tensor<T>::from_shape({cin, n});  // (Cin, B*H*W)
  to_channel_major(x.value().data(), g.batch, cin, grid, xc.data());
  Tensor<T> y = Tensor<T>::from_shape({g.batch, cout, g.img_h, g.img_w});
  const std::size_t plane = g.img_h * g.img_w;
  for (std::size_t bc = 0; bc < g.batch * cout; ++bc) {
    std::fill_n(y.data() + bc * plane, plane, b.defined() ? b.value().data()[bc % cout] : T(0));
  }
  gemm_col2im_add(w.value().data(), cin, xc.data(), g, y.data());  // y += col2im(W^T xc), by chunks

  if (!w.requires_grad()) xc = Tensor<T>();  // only dW reads it again

  std::vector<Variable<T>> parents{x, w};
  if (b.defined()) parents.push_back(b);
  return make_op<T>("conv_transpose2d", std::move(y), parents,
                    [x, w, b, g, cin, rows, n, grid, xc = std::move(xc)](const Node<T>& out) {
    const T* dy = out.grad.data();  // (B, Cout, Ho, Wo)
    if (b.defined() && b.requires_grad()) {
      accumulate_channel_sums(dy, g.batch, g.channels, g.img_h * g.img_w, *b.node());
    }
    if (!w.requires_grad() && !x.requires_grad()) return;
    Tensor<T> dcols = Tensor<T>::from_shape({rows, n});  // (Cout*k*k, B*H*W)
    im2col(dy, g, dcols.data());
    if (w.requires_grad()) {  // dW (Cin, Cout*k*k) = xc dcols^T
      Node<T>& nw = *w.node();
      const T beta = detail::grad_beta(nw);
      detail::gemm_into(false, true, cin, rows, n, xc.data(), n, dcols.data(), n, beta,
                        nw.grad.data(), rows);
    }
    if (x.requires_grad()) {  // dxc (Cin, B*H*W) = W dcols; dx (+)= its (B, Cin, H, W) view
      Tensor<T> dxc = Tensor<T>::from_shape({cin, n});
      detail::gemm_into(false, false, cin, n, rows, w.value().data(), rows, dcols.data(), n,
                        T(0), dxc.data(), n);
      Node<T>& nx = *x.node();
      const bool fresh = nx.grad_slot();
      from_channel_major(dxc.data(), g.batch, cin, grid, static_cast<const T*>(nullptr), !fresh,
                         nx.grad.data());
    }
  });
}

#define GENLAB_INSTANTIATE_CONV(T)                                                            \
  template Variable<T> conv2d<T>(const Variable<T>&, const Variable<T>&, const Variable<T>&,  \
                                 Conv2dGeometry);                                             \
  template Variable<T> conv_transpose2d<T>(const Variable<T>&, const Variable<T>&,            \
                                           const Variable<T>&, Conv2dGeometry);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_CONV)

}  // namespace genlab
