// Thin wrapper over OpenBLAS gemm and its thread count. Only blas.cpp includes <cblas.h>;
// nothing here includes xtensor-blas (their cblas.h headers conflict).
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

void set_num_threads(int n);
int num_threads();
// e.g. "OpenBLAS 0.3.21 ... (Haswell, pthread)"
const char* config();

}  // namespace genlab::blas
