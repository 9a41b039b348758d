// Direct stride-1 convolution kernels (conv_direct.hpp). Work items are whole planes (forward:
// (b, co), backward in x: (b, c), backward in w: (co, c)), each computed by one thread in a fixed
// order, so results do not depend on the thread count. float's item loops are compiled per vector
// ISA (core/wide_clones.hpp). Each tap is one loop over a plane Wp wide: ~(Wp / Wo - 1) extra
// multiply-adds, in exchange for loops hundreds of elements long. No stride but 1.
#include "core/conv_direct.hpp"

#include <algorithm>
#include <vector>

#include "core/thread_pool.hpp"
#include "core/wide_clones.hpp"

namespace genlab::detail {

namespace {

constexpr std::size_t kLanes = 16;  // float lanes of the weight-gradient dot products (ext() is a multiple)
// Multiply-adds per pool chunk (tens of microseconds here): less work runs on the calling thread,
// since waking a pool thread costs ~100 us on this VM (docs/PERFORMANCE.md).
constexpr std::size_t kMacGrain = std::size_t{1} << 18;

// y[i] += a * x[i] for i < n
template <class T>
[[gnu::always_inline]] inline void axpy_row(T* __restrict y, const T* __restrict x, T a, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// lanes[l] += x[i] * y[i] for i = l, l + kLanes, ... < n, n a multiple of kLanes (in a local
// array, so that the lanes stay in a vector register)
template <class T>
[[gnu::always_inline]] inline void dot_lanes(T* __restrict lanes, const T* __restrict x, const T* __restrict y, std::size_t n) {
  T acc[kLanes];
  for (std::size_t l = 0; l < kLanes; ++l) acc[l] = lanes[l];
  for (std::size_t i = 0; i < n; i += kLanes) {
    for (std::size_t l = 0; l < kLanes; ++l) acc[l] += x[i + l] * y[i + l];
  }
  for (std::size_t l = 0; l < kLanes; ++l) lanes[l] = acc[l];
}

// Runs fn(item) for item in [0, items) on the compute pool, about kElementwiseGrain copies of
// work per chunk; items are computed alone, so chunking does not change results.
template <class F>
void for_items(std::size_t items, std::size_t work_per_item, F&& fn) {
  const std::size_t grain = std::max<std::size_t>(1, kElementwiseGrain / std::max<std::size_t>(1, work_per_item));
  parallel_chunks(items, grain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) fn(i);
  });
}

// The item bodies below are inlined into their per-ISA clones (the *_wide functions).
// One extended output plane ye (Ho, Wp) of y[b, co]: init, then every tap (c, ki, kj) in order
// as one axpy over the plane (xp's rows are Wp apart, so a tap's window is one shifted span).
template <class T>
[[gnu::always_inline]] inline void forward_plane(const T* xp, const T* w, T init, const DirectConv& g, std::size_t b,
                                                 std::size_t co, T* ye) {
  const std::size_t k = g.k, wp = g.wp(), n = g.ho() * wp, plane = g.hp() * wp;
  std::fill(ye, ye + n, init);
  for (std::size_t c = 0; c < g.cin; ++c) {
    const T* xc = xp + (b * g.cin + c) * plane;
    const T* wc = w + (co * g.cin + c) * k * k;
    for (std::size_t ki = 0; ki < k; ++ki) {
      for (std::size_t kj = 0; kj < k; ++kj) axpy_row(ye, xc + ki * wp + kj, wc[ki * k + kj], n);
    }
  }
}

// One padded input-gradient plane dxp (Hp * Wp + k + 16) of (b, c), from scratch: every tap
// (co, ki, kj) in order; dye (B, Cout, ext()) is dy with zero extra columns and tail.
template <class T>
[[gnu::always_inline]] inline void backward_x_plane(const T* dye, const T* w, const DirectConv& g, std::size_t b,
                                                    std::size_t c, T* dxp) {
  const std::size_t k = g.k, wp = g.wp(), n = g.ext();
  std::fill(dxp, dxp + g.hp() * wp + k + 16, T(0));
  for (std::size_t co = 0; co < g.cout; ++co) {
    const T* d = dye + (b * g.cout + co) * n;
    const T* wc = w + (co * g.cin + c) * k * k;
    for (std::size_t ki = 0; ki < k; ++ki) {
      for (std::size_t kj = 0; kj < k; ++kj) axpy_row(dxp + ki * wp + kj, d, wc[ki * k + kj], n);
    }
  }
}

// The k*k taps of dw[co, c] over image b, into lanes (k*k, kLanes), zeroed here; dye as above
// (its zero columns meet the window's wrapped-around pixels).
template <class T>
[[gnu::always_inline]] inline void backward_w_image(const T* dye, const T* xp, const DirectConv& g, std::size_t b,
                                                    std::size_t co, std::size_t c, T* lanes) {
  const std::size_t k = g.k, wp = g.wp(), n = g.ext();
  std::fill(lanes, lanes + k * k * kLanes, T(0));
  const T* d = dye + (b * g.cout + co) * n;
  const T* xc = xp + (b * g.cin + c) * g.hp() * wp;
  for (std::size_t ki = 0; ki < k; ++ki) {
    for (std::size_t kj = 0; kj < k; ++kj) dot_lanes(lanes + (ki * k + kj) * kLanes, d, xc + ki * wp + kj, n);
  }
}

GENLAB_WIDE_CLONES void forward_plane_wide(const float* xp, const float* w, float init, const DirectConv& g,
                                           std::size_t b, std::size_t co, float* y) {
  forward_plane(xp, w, init, g, b, co, y);
}
GENLAB_WIDE_CLONES void backward_x_plane_wide(const float* dy, const float* w, const DirectConv& g, std::size_t b,
                                              std::size_t c, float* dxp) {
  backward_x_plane(dy, w, g, b, c, dxp);
}
GENLAB_WIDE_CLONES void backward_w_image_wide(const float* dy, const float* xp, const DirectConv& g, std::size_t b,
                                              std::size_t co, std::size_t c, float* lanes) {
  backward_w_image(dy, xp, g, b, co, c, lanes);
}
void forward_plane_wide(const double* xp, const double* w, double init, const DirectConv& g, std::size_t b,
                        std::size_t co, double* y) {
  forward_plane(xp, w, init, g, b, co, y);
}
void backward_x_plane_wide(const double* dy, const double* w, const DirectConv& g, std::size_t b, std::size_t c,
                           double* dxp) {
  backward_x_plane(dy, w, g, b, c, dxp);
}
void backward_w_image_wide(const double* dy, const double* xp, const DirectConv& g, std::size_t b, std::size_t co,
                           std::size_t c, double* lanes) {
  backward_w_image(dy, xp, g, b, co, c, lanes);
}

}  // namespace

template <class T>
void pad_planes(const T* x, const DirectConv& g, T* xp) {
  const std::size_t hp = g.hp(), wp = g.wp(), p = g.pad;
  for_items(g.batch * g.cin, hp * wp, [&](std::size_t i) {
    T* dst = xp + i * hp * wp;
    const T* src = x + i * g.h * g.w;
    std::fill(dst, dst + p * wp, T(0));
    for (std::size_t r = 0; r < g.h; ++r) {
      T* d = dst + (r + p) * wp;
      std::fill(d, d + p, T(0));
      std::copy(src + r * g.w, src + (r + 1) * g.w, d + p);
      std::fill(d + p + g.w, d + wp, T(0));
    }
    std::fill(dst + (g.h + p) * wp, dst + hp * wp, T(0));
  });
  std::fill(xp + g.padded_size() - g.k - 16, xp + g.padded_size(), T(0));
}

template <class T>
void direct_conv_forward(const T* xp, const T* w, const T* bias, const DirectConv& g, T* y) {
  const std::size_t wp = g.wp(), wo = g.wo(), ho = g.ho();
  const std::size_t chunk = std::max<std::size_t>(1, kMacGrain / (g.cin * g.k * g.k * ho * wp));
  parallel_chunks(g.batch * g.cout, chunk, [&](std::size_t begin, std::size_t end) {
    std::vector<T> ye(ho * wp);  // one extended plane (Ho, Wp), reused by this chunk's items
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t co = i % g.cout;
      forward_plane_wide(xp, w, bias ? bias[co] : T(0), g, i / g.cout, co, ye.data());
      for (std::size_t r = 0; r < ho; ++r) std::copy_n(ye.data() + r * wp, wo, y + (i * ho + r) * wo);
    }
  });
}

// dye (B, Cout, ext()) = each plane of dy (B, Cout, Ho, Wo) with Wp - Wo zero columns, then zeros
template <class T>
std::vector<T> extend_planes(const T* dy, const DirectConv& g) {
  const std::size_t wp = g.wp(), wo = g.wo(), ho = g.ho(), n = g.ext();
  std::vector<T> dye(g.batch * g.cout * n);
  for_items(g.batch * g.cout, n, [&](std::size_t i) {
    T* d = dye.data() + i * n;
    for (std::size_t r = 0; r < ho; ++r) {
      std::copy_n(dy + (i * ho + r) * wo, wo, d + r * wp);
      std::fill(d + r * wp + wo, d + (r + 1) * wp, T(0));
    }
    std::fill(d + ho * wp, d + n, T(0));
  });
  return dye;
}

template <class T>
void direct_conv_backward_x(const T* dy, const T* w, const DirectConv& g, bool accumulate, T* dx) {
  const std::size_t hp = g.hp(), wp = g.wp(), p = g.pad;
  const std::vector<T> dye = extend_planes(dy, g);
  const std::size_t chunk = std::max<std::size_t>(1, kMacGrain / (g.cout * g.k * g.k * g.ext()));
  parallel_chunks(g.batch * g.cin, chunk, [&](std::size_t begin, std::size_t end) {
    std::vector<T> dxp(hp * wp + g.k + 16);  // one padded plane, reused by this chunk's items
    for (std::size_t i = begin; i < end; ++i) {
      backward_x_plane_wide(dye.data(), w, g, i / g.cin, i % g.cin, dxp.data());
      T* d = dx + i * g.h * g.w;
      for (std::size_t r = 0; r < g.h; ++r) {
        const T* s = dxp.data() + (r + p) * wp + p;
        T* dr = d + r * g.w;
        if (accumulate) {
          for (std::size_t j = 0; j < g.w; ++j) dr[j] += s[j];
        } else {
          std::copy(s, s + g.w, dr);
        }
      }
    }
  });
}

template <class T>
void direct_conv_backward_w(const T* dy, const T* xp, const DirectConv& g, bool accumulate, T* dw) {
  const std::size_t taps = g.k * g.k;
  const std::vector<T> dye = extend_planes(dy, g);
  const std::size_t chunk = std::max<std::size_t>(1, kMacGrain / (g.batch * taps * g.ext()));
  parallel_chunks(g.cout * g.cin, chunk, [&](std::size_t begin, std::size_t end) {
    std::vector<T> lanes(taps * kLanes);
    std::vector<double> total(taps);
    for (std::size_t i = begin; i < end; ++i) {
      const std::size_t co = i / g.cin, c = i % g.cin;
      std::fill(total.begin(), total.end(), 0.0);
      for (std::size_t b = 0; b < g.batch; ++b) {
        backward_w_image_wide(dye.data(), xp, g, b, co, c, lanes.data());
        for (std::size_t t = 0; t < taps; ++t) {
          for (std::size_t l = 0; l < kLanes; ++l) total[t] += static_cast<double>(lanes[t * kLanes + l]);
        }
      }
      T* d = dw + i * taps;
      for (std::size_t t = 0; t < taps; ++t) d[t] = accumulate ? d[t] + static_cast<T>(total[t]) : static_cast<T>(total[t]);
    }
  });
}

#define GENLAB_INSTANTIATE_DIRECT_CONV(T)                                                           \
  template void pad_planes<T>(const T*, const DirectConv&, T*);                                     \
  template void direct_conv_forward<T>(const T*, const T*, const T*, const DirectConv&, T*);        \
  template void direct_conv_backward_x<T>(const T*, const T*, const DirectConv&, bool, T*);         \
  template void direct_conv_backward_w<T>(const T*, const T*, const DirectConv&, bool, T*);
GENLAB_INSTANTIATE_DIRECT_CONV(float)
GENLAB_INSTANTIATE_DIRECT_CONV(double)

}  // namespace genlab::detail
