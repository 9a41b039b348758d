// set_float_mode: the process-wide mode lives in one atomic with a generation counter; threads
// apply it to their control register (MXCSR on x86-64, FPCR on AArch64). Compute-pool workers
// check the generation before each job (core/thread_pool.cpp), so no worker computes under a
// stale mode whatever the order in which threads and settings were created.
#include "genlab/float_mode.hpp"

#include <atomic>
#include <cstdint>
#include <stdexcept>

#include "core/float_mode_apply.hpp"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace genlab {

namespace {
std::atomic<int> g_mode{static_cast<int>(FloatMode::FlushDenormals)};
std::atomic<std::uint64_t> g_generation{1};

#if defined(__x86_64__) || defined(__i386__)
constexpr unsigned kFtz = 0x8000;  // MXCSR bit 15: flush-to-zero
constexpr unsigned kDaz = 0x0040;  // MXCSR bit 6: denormals-are-zero
void write_mode(FloatMode mode) {
  const unsigned csr = _mm_getcsr();
  _mm_setcsr(mode == FloatMode::FlushDenormals ? (csr | kFtz | kDaz) : (csr & ~(kFtz | kDaz)));
}
FloatMode read_mode() {
  return (_mm_getcsr() & (kFtz | kDaz)) == (kFtz | kDaz) ? FloatMode::FlushDenormals : FloatMode::Ieee;
}
#elif defined(__aarch64__)
constexpr std::uint64_t kFz = 1ull << 24;  // FPCR.FZ flushes both inputs and outputs
void write_mode(FloatMode mode) {
  std::uint64_t fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  fpcr = mode == FloatMode::FlushDenormals ? (fpcr | kFz) : (fpcr & ~kFz);
  __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
}
FloatMode read_mode() {
  std::uint64_t fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  return (fpcr & kFz) ? FloatMode::FlushDenormals : FloatMode::Ieee;
}
#else
#error "genlab sets flush-to-zero on x86-64 and AArch64 only"
#endif

// The default for the thread that loads libgenlab (the main thread of the CLI, tests, bench).
[[maybe_unused]] const bool g_loaded = [] {
  write_mode(FloatMode::FlushDenormals);
  return true;
}();
}  // namespace

const char* float_mode_name(FloatMode mode) {
  return mode == FloatMode::FlushDenormals ? "ftz_daz" : "ieee";
}

FloatMode parse_float_mode(std::string_view name) {
  if (name == "ftz_daz") return FloatMode::FlushDenormals;
  if (name == "ieee") return FloatMode::Ieee;
  throw std::invalid_argument("float_mode must be \"ftz_daz\" or \"ieee\" (got \"" + std::string(name) + "\")");
}

void set_float_mode(FloatMode mode) {
  g_mode.store(static_cast<int>(mode), std::memory_order_relaxed);
  g_generation.fetch_add(1, std::memory_order_release);
  write_mode(mode);
}

FloatMode float_mode() { return static_cast<FloatMode>(g_mode.load(std::memory_order_relaxed)); }

FloatMode thread_float_mode() { return read_mode(); }

void apply_float_mode_if_changed(std::uint64_t& applied_generation) {
  const std::uint64_t now = g_generation.load(std::memory_order_acquire);
  if (now == applied_generation) return;
  write_mode(float_mode());
  applied_generation = now;
}

}  // namespace genlab
