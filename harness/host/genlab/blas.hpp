// genlab's gemm over OpenBLAS, split into shape-determined blocks on genlab's own threads.
// Only blas.cpp includes <cblas.h>; nothing here includes xtensor-blas (their cblas.h headers
// conflict).
#pragma once
#include <cstddef>

namespace genlab::blas {

// C (M x N, row-major, leading dim ldc) = alpha * op(A) * op(B) + beta * C
// op(A): M x K (A stored K x M when trans_a), op(B): K x N (B stored N x K when trans_b).
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
          std::size_t ldc);
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, double alpha,
          const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
          double* c, std::size_t ldc);

// Threads genlab's gemm uses (its own pool; OpenBLAS itself always runs single-threaded so that
// results do not depend on the thread count). Default 1.
void set_num_threads(int n);
int num_threads();
// OpenBLAS's own sgemm at `threads` threads (C = A B, row-major, no transposes): the benchmark's
// reference rate. Not used for training: its results depend on the thread count.
void reference_sgemm(int threads, std::size_t m, std::size_t n, std::size_t k, const float* a,
                     const float* b, float* c);
// e.g. "OpenBLAS 0.3.21 ... (Haswell, pthread)"
const char* config();

}  // namespace genlab::blas
