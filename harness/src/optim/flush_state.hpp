// Internal to the optimizers: a running average of a gradient that has become exactly zero (the
// weights of a dead ReLU unit) decays geometrically into subnormal floats and, under IEEE
// rounding, stays there (0.9 x the smallest subnormal rounds back to it), so every later update
// of those weights runs at subnormal speed. Optimizer state is flushed to zero below the
// smallest normal number instead. Under flush-to-zero (genlab/float_mode.hpp) this never fires.
#pragma once
#include <cmath>
#include <limits>

namespace genlab::optim_detail {

// x, or a zero of x's sign when |x| is below the smallest normal number: the same as a
// flush-to-zero CPU does, so under ftz_daz (where x is then already a signed zero) it is the
// identity bit for bit.
template <class T>
inline T flush_subnormal(T x) {
  return std::abs(x) < std::numeric_limits<T>::min() ? std::copysign(T(0), x) : x;
}

}  // namespace genlab::optim_detail
