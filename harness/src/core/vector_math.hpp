// exp and log over float arrays through glibc's libmvec, in the widest lanes the CPU has:
// 16 (AVX-512, _ZGVeN16v_*), 8 (AVX2 + FMA, _ZGVdN8v_*) or 4 (SSE, _ZGVbN4v_*), chosen once.
// The AVX2 and AVX-512 variants give the same bits for every one of the 2^32 float inputs
// (checked exhaustively, docs/PERFORMANCE.md); the 4-lane SSE one differs for ~0.8 %
// of exp's and ~23 % of log's inputs, so bits depend only on "AVX2 + FMA or not". Every element
// goes through the vector function, the tail padded, so a value never depends on its position
// or on how an array is cut into chunks. Without x86-64 glibc, and for double, std::exp / std::log.
#pragma once
#include <cstddef>

namespace genlab::detail {

void exp_array(const float* x, float* y, std::size_t n);  // y[i] = exp(x[i]); x == y allowed
void log_array(const float* x, float* y, std::size_t n);  // y[i] = log(x[i]); x == y allowed
void exp_array(const double* x, double* y, std::size_t n);
void log_array(const double* x, double* y, std::size_t n);

// "avx512", "avx2" (same bits as avx512), "sse" (4 lanes; glibc picks SSE4.1 or SSE2 code) or
// "scalar": the variant exp_array/log_array use.
const char* vector_math_isa();

}  // namespace genlab::detail
