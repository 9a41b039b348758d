// The floating-point mode: flush-to-zero + denormals-are-zero is on by default in every thread
// that computes (the main thread and each compute-pool worker, whether the pool was made before
// or after the mode was set), and "ieee" keeps subnormals. Training determinism under the mode
// is tested in test_determinism.cpp; the run file's record of it in integration/.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "genlab/blas.hpp"
#include "genlab/float_mode.hpp"
#include "genlab/ops.hpp"

using namespace genlab;

namespace {
constexpr float kSubnormal = 1e-40f;  // below FLT_MIN (1.18e-38)
static_assert(kSubnormal < std::numeric_limits<float>::min() && kSubnormal > 0.f);

// Elements of y = x * s over 6 chunks of the pool's fixed grain: with 3 threads, chunk i runs on
// thread i % 3, so every thread computes two chunks. Counts elements that are exactly zero.
std::size_t zeros_of_pool_product(float x, float s) {
  const std::size_t n = 6 * 16384;
  const Variable<float> v(full<float>({n}, x));
  const Variable<float> product = mul_scalar(v, s);
  const Tensor<float>& y = product.value();
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < n; ++i) zeros += y.data()[i] == 0.f;
  return zeros;
}

struct Threads {
  int previous = blas::num_threads();
  explicit Threads(int n) { blas::set_num_threads(n); }
  ~Threads() { blas::set_num_threads(previous); }
};

float times(float a, float b) {
  volatile float va = a, vb = b;  // keeps the compiler from folding the product
  return va * vb;
}
}  // namespace

TEST_CASE("float mode: ftz_daz is the default of a process that links libgenlab") {
  CHECK(float_mode() == FloatMode::FlushDenormals);
  CHECK(thread_float_mode() == FloatMode::FlushDenormals);
  CHECK(times(kSubnormal, 1.f) == 0.f);   // DAZ: a subnormal input reads as zero
  CHECK(times(1e-30f, 1e-10f) == 0.f);    // FTZ: a subnormal result is flushed
}

TEST_CASE("float mode: ieee keeps subnormals on the calling thread, and the scope restores ftz_daz") {
  {
    FloatModeScope ieee(FloatMode::Ieee);
    CHECK(thread_float_mode() == FloatMode::Ieee);
    CHECK(times(kSubnormal, 1.f) == kSubnormal);
    CHECK(std::fpclassify(times(1e-30f, 1e-10f)) == FP_SUBNORMAL);
  }
  CHECK(thread_float_mode() == FloatMode::FlushDenormals);
  CHECK(times(kSubnormal, 1.f) == 0.f);
}

TEST_CASE("float mode: every pool worker flushes, whether made before or after the mode was set") {
  const std::size_t n = 6 * 16384;
  {
    Threads three(3);  // workers made under ftz_daz
    CHECK(zeros_of_pool_product(kSubnormal, 1.f) == n);
    CHECK(zeros_of_pool_product(1e-30f, 1e-10f) == n);
    FloatModeScope ieee(FloatMode::Ieee);  // switched while the workers exist
    CHECK(zeros_of_pool_product(kSubnormal, 1.f) == 0);
    CHECK(zeros_of_pool_product(1e-30f, 1e-10f) == 0);
  }
  FloatModeScope ieee(FloatMode::Ieee);
  Threads three(3);  // workers made under ieee, then switched back to ftz_daz
  CHECK(zeros_of_pool_product(kSubnormal, 1.f) == 0);
  set_float_mode(FloatMode::FlushDenormals);
  CHECK(zeros_of_pool_product(kSubnormal, 1.f) == n);
  CHECK(zeros_of_pool_product(1e-30f, 1e-10f) == n);
}

TEST_CASE("float mode: names round-trip and a bad name is refused") {
  CHECK(parse_float_mode(float_mode_name(FloatMode::FlushDenormals)) == FloatMode::FlushDenormals);
  CHECK(parse_float_mode("ieee") == FloatMode::Ieee);
  CHECK_THROWS_WITH_AS(parse_float_mode("fast"), doctest::Contains("\"ftz_daz\" or \"ieee\""), std::invalid_argument);
}

// Skipped (reported by doctest) on a CPU without AVX2 + FMA: there is nothing to choose there.
TEST_CASE("blas kernel: on a CPU with AVX2 and FMA, OpenBLAS runs an AVX2 or AVX-512 kernel set" *
          doctest::skip(!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")))) {
  // OpenBLAS 0.3.21 falls back to its SSE3 "Prescott" kernels on CPUs newer than itself; the test
  // binaries, like the CLI, re-execute with OPENBLAS_CORETYPE set (blas::reexec_for_preferred_core).
  const std::string core = blas::core_name();
  INFO("OpenBLAS core " << core << ", OPENBLAS_CORETYPE " << (std::getenv("OPENBLAS_CORETYPE") ? std::getenv("OPENBLAS_CORETYPE") : "(unset)"));
  CHECK(blas::preferred_core() == "");  // nothing left to choose in this process
  const bool modern = core == "Haswell" || core == "Zen" || core == "SkylakeX" || core == "Cooperlake" ||
                      core == "SapphireRapids";
  CHECK(modern);
}
