// exp and log over float arrays, four lanes at a time through glibc's libmvec (_ZGVbN4v_expf /
// _ZGVbN4v_logf: SSE calling convention, glibc picks its SSE4.1 or SSE2 code at load time),
// within glibc's stated 1-4 ulp of libm. Every element goes through the vector function, the
// tail padded, so a value never depends on its position or on how an array is cut into chunks.
// Without x86-64 glibc, and for double, it is std::exp / std::log per element.
#pragma once
#include <cstddef>

namespace genlab::detail {

void exp_array(const float* x, float* y, std::size_t n);  // y[i] = exp(x[i]); x == y allowed
void log_array(const float* x, float* y, std::size_t n);  // y[i] = log(x[i]); x == y allowed
void exp_array(const double* x, double* y, std::size_t n);
void log_array(const double* x, double* y, std::size_t n);

}  // namespace genlab::detail
