// The floating-point mode of every thread that computes: flush-to-zero + denormals-are-zero
// (the default, as TensorFlow/XLA on CPU and PyTorch's torch.set_flush_denormal(True)) or plain
// IEEE subnormals. It does not change rounding, and it does not touch threads genlab did not
// create (OpenBLAS's own threads only run the benchmark's reference sgemm).
#pragma once
#include <string>
#include <string_view>

namespace genlab {

enum class FloatMode {
  FlushDenormals,  // "ftz_daz": subnormal results become 0 (FTZ), subnormal inputs read as 0 (DAZ)
  Ieee,            // "ieee": gradual underflow; ~2x slower once values underflow (PERFORMANCE.md)
};

const char* float_mode_name(FloatMode mode);  // "ftz_daz" | "ieee"
FloatMode parse_float_mode(std::string_view name);  // throws std::invalid_argument

// Sets the process-wide mode: applied to the calling thread now and to every compute-pool worker
// before it runs its next item (workers created later apply it at start). libgenlab sets
// FlushDenormals on the loading thread when it is loaded, so every process that links it starts
// in that mode; the runner then applies the run's [run] float_mode.
void set_float_mode(FloatMode mode);
FloatMode float_mode();  // the process-wide setting

// What the calling thread's control register says (tests; a thread genlab did not create may
// differ from float_mode()).
FloatMode thread_float_mode();

// Restores the previous process-wide mode when it goes out of scope (tests, benchmarks).
class FloatModeScope {
 public:
  explicit FloatModeScope(FloatMode mode) : previous_(float_mode()) { set_float_mode(mode); }
  ~FloatModeScope() { set_float_mode(previous_); }
  FloatModeScope(const FloatModeScope&) = delete;
  FloatModeScope& operator=(const FloatModeScope&) = delete;

 private:
  FloatMode previous_;
};

}  // namespace genlab
