// libmvec's expf / logf behind exp_array / log_array (see vector_math.hpp), 16, 8 or 4 lanes as
// the CPU allows (at most 8 in portable mode), chosen once at first use; the scalar fallback
// elsewhere. The wide paths are compiled for their ISA with target attributes, so the rest of
// libgenlab stays baseline x86-64.
#include "core/vector_math.hpp"

#include <cmath>
#include <cstring>

#include "genlab/portable.hpp"

#if defined(__x86_64__) && defined(__GLIBC__) && defined(GENLAB_HAVE_LIBMVEC)
#include <immintrin.h>
extern "C" __m128 _ZGVbN4v_expf(__m128);
extern "C" __m128 _ZGVbN4v_logf(__m128);
extern "C" __m256 _ZGVdN8v_expf(__m256);
extern "C" __m256 _ZGVdN8v_logf(__m256);
extern "C" __m512 _ZGVeN16v_expf(__m512);
extern "C" __m512 _ZGVeN16v_logf(__m512);
#define GENLAB_MVEC 1
#endif

namespace genlab::detail {

namespace {
#ifdef GENLAB_MVEC
enum class Isa { kSse4, kAvx2, kAvx512 };

Isa detect_isa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
  return Isa::kSse4;
}

// Portable runs (genlab/portable.hpp) use at most the AVX2 variants, which every AVX2 + FMA CPU
// runs. The AVX-512 ones give the same bits with this glibc; the cap keeps that true under any.
Isa isa() {
  static const Isa chosen = detect_isa();
  return chosen == Isa::kAvx512 && portable_isa() ? Isa::kAvx2 : chosen;
}

// One function per (ISA, f): f over x[0..n) in lanes of L floats; the last partial lane is
// padded with copies of its first element (a value f accepts) and only the real lanes are
// stored. A macro, not a template: each body must be compiled for its own target ISA, and GCC
// does not carry a target attribute into lambdas or template instantiations.
#define GENLAB_MAP_LANES(NAME, TARGET, L, LOAD, STORE, F)                      \
  __attribute__((target(TARGET))) void NAME(const float* x, float* y, std::size_t n) { \
    std::size_t i = 0;                                                         \
    for (; i + (L) <= n; i += (L)) STORE(y + i, F(LOAD(x + i)));               \
    if (i == n) return;                                                        \
    float in[L], out[L];                                                       \
    for (std::size_t j = 0; j < (L); ++j) in[j] = x[i];                        \
    std::memcpy(in, x + i, (n - i) * sizeof(float));                           \
    STORE(out, F(LOAD(in)));                                                   \
    std::memcpy(y + i, out, (n - i) * sizeof(float));                          \
  }

GENLAB_MAP_LANES(exp_sse4, "sse2", 4, _mm_loadu_ps, _mm_storeu_ps, _ZGVbN4v_expf)
GENLAB_MAP_LANES(log_sse4, "sse2", 4, _mm_loadu_ps, _mm_storeu_ps, _ZGVbN4v_logf)
GENLAB_MAP_LANES(exp_avx2, "avx2,fma", 8, _mm256_loadu_ps, _mm256_storeu_ps, _ZGVdN8v_expf)
GENLAB_MAP_LANES(log_avx2, "avx2,fma", 8, _mm256_loadu_ps, _mm256_storeu_ps, _ZGVdN8v_logf)
GENLAB_MAP_LANES(exp_avx512, "avx512f", 16, _mm512_loadu_ps, _mm512_storeu_ps, _ZGVeN16v_expf)
GENLAB_MAP_LANES(log_avx512, "avx512f", 16, _mm512_loadu_ps, _mm512_storeu_ps, _ZGVeN16v_logf)
#undef GENLAB_MAP_LANES
#endif

template <class T, class F>
void map_scalar(const T* x, T* y, std::size_t n, F f) {
  for (std::size_t i = 0; i < n; ++i) y[i] = f(x[i]);
}
}  // namespace

void exp_array(const float* x, float* y, std::size_t n) {
#ifdef GENLAB_MVEC
  switch (isa()) {
    case Isa::kAvx512: return exp_avx512(x, y, n);
    case Isa::kAvx2: return exp_avx2(x, y, n);
    case Isa::kSse4: return exp_sse4(x, y, n);
  }
#else
  map_scalar(x, y, n, [](float v) { return std::exp(v); });
#endif
}

void log_array(const float* x, float* y, std::size_t n) {
#ifdef GENLAB_MVEC
  switch (isa()) {
    case Isa::kAvx512: return log_avx512(x, y, n);
    case Isa::kAvx2: return log_avx2(x, y, n);
    case Isa::kSse4: return log_sse4(x, y, n);
  }
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

const char* vector_math_isa() {
#ifdef GENLAB_MVEC
  switch (isa()) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    case Isa::kSse4: return "sse";
  }
#endif
  return "scalar";
}

}  // namespace genlab::detail
