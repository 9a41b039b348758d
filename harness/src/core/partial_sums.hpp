// Internal to libgenlab: a fixed-order sum in double with four interleaved partial sums, so that
// per-channel reductions (batch norm, bias gradients) are not bound by one add's latency.
// The order depends only on the count, never on threads or data; it is not Kahan-compensated.
#pragma once
#include <cstddef>

namespace genlab::detail {

// sum of f(i) for i < count, as ((s0 + s1) + (s2 + s3)) with s_j over i = j (mod 4) + tail in s0.
template <class F>
double sum4(std::size_t count, F&& f) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    s0 += f(i);
    s1 += f(i + 1);
    s2 += f(i + 2);
    s3 += f(i + 3);
  }
  for (; i < count; ++i) s0 += f(i);
  return (s0 + s1) + (s2 + s3);
}

}  // namespace genlab::detail
