// The portability claim behind core/vector_math.cpp: glibc's 8-lane AVX2 and 16-lane AVX-512
// expf/logf give the same bits, so a run's exp/log bits depend only on "AVX2 + FMA or not".
// Checks a stride over all 2^32 float bit patterns (GENLAB_EXHAUSTIVE=1: every pattern, ~1 min);
// skipped, and reported so, on a CPU without AVX-512. It does not test accuracy (test_ops_loss does).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && defined(__GLIBC__) && defined(GENLAB_HAVE_LIBMVEC)
#include <immintrin.h>
extern "C" __m256 _ZGVdN8v_expf(__m256);
extern "C" __m256 _ZGVdN8v_logf(__m256);
extern "C" __m512 _ZGVeN16v_expf(__m512);
extern "C" __m512 _ZGVeN16v_logf(__m512);

namespace {
struct LaneMismatches {
  std::uint64_t exp = 0, log = 0, checked = 0;
};

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0 || (a != a && b != b); }

__attribute__((target("avx512f,avx2,fma"))) LaneMismatches compare_lanes(std::uint64_t stride) {
  LaneMismatches m;
  alignas(64) float in[16], w8[16], w16[16];
  for (std::uint64_t u = 0; u < (std::uint64_t{1} << 32); u += 16 * stride) {
    for (int j = 0; j < 16; ++j) {
      const auto bits = static_cast<std::uint32_t>(u + static_cast<std::uint64_t>(j) * stride);
      std::memcpy(&in[j], &bits, sizeof bits);
    }
    _mm256_store_ps(w8, _ZGVdN8v_expf(_mm256_load_ps(in)));
    _mm256_store_ps(w8 + 8, _ZGVdN8v_expf(_mm256_load_ps(in + 8)));
    _mm512_store_ps(w16, _ZGVeN16v_expf(_mm512_load_ps(in)));
    for (int j = 0; j < 16; ++j) m.exp += !same_bits(w8[j], w16[j]);
    _mm256_store_ps(w8, _ZGVdN8v_logf(_mm256_load_ps(in)));
    _mm256_store_ps(w8 + 8, _ZGVdN8v_logf(_mm256_load_ps(in + 8)));
    _mm512_store_ps(w16, _ZGVeN16v_logf(_mm512_load_ps(in)));
    for (int j = 0; j < 16; ++j) m.log += !same_bits(w8[j], w16[j]);
    m.checked += 16;
  }
  return m;
}

bool cpu_has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
}  // namespace

TEST_CASE("libmvec: AVX2 and AVX-512 expf/logf give the same bits (portable exp/log)" *
          doctest::skip(!cpu_has_avx512())) {
  const bool exhaustive = std::getenv("GENLAB_EXHAUSTIVE") != nullptr;
  const LaneMismatches m = compare_lanes(exhaustive ? 1 : 4099);
  MESSAGE("checked " << m.checked << " float bit patterns" << (exhaustive ? " (all)" : " (every 4099th)"));
  CHECK(m.checked > 1'000'000);
  CHECK(m.exp == 0);
  CHECK(m.log == 0);
}
#endif
