// The only translation unit that includes OpenBLAS's <cblas.h> (never with xtensor-blas).
// It does no shape checking: ops check shapes and name themselves before calling gemm.
#include "genlab/blas.hpp"

#include <cblas.h>

namespace genlab::blas {

namespace {
CBLAS_TRANSPOSE flag(bool t) { return t ? CblasTrans : CblasNoTrans; }
blasint idx(std::size_t v) { return static_cast<blasint>(v); }
}  // namespace

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
          std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, flag(trans_a), flag(trans_b), idx(m), idx(n), idx(k), alpha, a,
              idx(lda), b, idx(ldb), beta, c, idx(ldc));
}

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, double alpha,
          const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
          double* c, std::size_t ldc) {
  cblas_dgemm(CblasRowMajor, flag(trans_a), flag(trans_b), idx(m), idx(n), idx(k), alpha, a,
              idx(lda), b, idx(ldb), beta, c, idx(ldc));
}

void set_num_threads(int n) { openblas_set_num_threads(n); }
int num_threads() { return openblas_get_num_threads(); }
const char* config() { return openblas_get_config(); }

}  // namespace genlab::blas
