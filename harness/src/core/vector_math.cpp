// libmvec's 4-lane expf / logf behind exp_array / log_array (see vector_math.hpp); the scalar
// fallback elsewhere. It does not choose AVX2 variants: those need code compiled for AVX2 and a
// run-time check, for ~2x more on the two loops that use it.
#include "core/vector_math.hpp"

#include <cmath>
#include <cstring>

#if defined(__x86_64__) && defined(__GLIBC__) && defined(GENLAB_HAVE_LIBMVEC)
#include <immintrin.h>
extern "C" __m128 _ZGVbN4v_expf(__m128);
extern "C" __m128 _ZGVbN4v_logf(__m128);
#define GENLAB_MVEC 1
#endif

namespace genlab::detail {

namespace {
#ifdef GENLAB_MVEC
// f over x[0..n) in lanes of four; the last partial lane is padded with copies of its first
// element (a value f accepts) and only the real lanes are stored.
template <class F>
void map_lanes(const float* x, float* y, std::size_t n, F f) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(y + i, f(_mm_loadu_ps(x + i)));
  if (i == n) return;
  float in[4] = {x[i], x[i], x[i], x[i]}, out[4];
  std::memcpy(in, x + i, (n - i) * sizeof(float));
  _mm_storeu_ps(out, f(_mm_loadu_ps(in)));
  std::memcpy(y + i, out, (n - i) * sizeof(float));
}
#endif

template <class T, class F>
void map_scalar(const T* x, T* y, std::size_t n, F f) {
  for (std::size_t i = 0; i < n; ++i) y[i] = f(x[i]);
}
}  // namespace

void exp_array(const float* x, float* y, std::size_t n) {
#ifdef GENLAB_MVEC
  map_lanes(x, y, n, [](__m128 v) { return _ZGVbN4v_expf(v); });
#else
  map_scalar(x, y, n, [](float v) { return std::exp(v); });
#endif
}

void log_array(const float* x, float* y, std::size_t n) {
#ifdef GENLAB_MVEC
  map_lanes(x, y, n, [](__m128 v) { return _ZGVbN4v_logf(v); });
#else
  map_scalar(x, y, n, [](float v) { return std::log(v); });
#endif
}

void exp_array(const double* x, double* y, std::size_t n) {
  map_scalar(x, y, n, [](double v) { return std::exp(v); });
}
void log_array(const double* x, double* y, std::size_t n) {
  map_scalar(x, y, n, [](double v) { return std::log(v); });
}

}  // namespace genlab::detail
