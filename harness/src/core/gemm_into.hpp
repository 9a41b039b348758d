// Internal to libgenlab: genlab::blas::gemm made safe for empty operands, and the beta that
// writes an op's gradient straight into a parent's buffer (0 when fresh, 1 to accumulate).
// It does not check shapes: the calling op has done that and named itself.
#pragma once
#include <cstddef>

#include "genlab/autograd.hpp"
#include "genlab/blas.hpp"

namespace genlab::detail {

// C (m x n, ld ldc) = op(A) op(B) + beta * C; m, n or k may be zero (BLAS rejects ld = 0).
template <class T>
void gemm_into(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
               const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c,
               std::size_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (beta == T(0)) {
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = T(0);
      }
    }
    return;
  }
  blas::gemm(trans_a, trans_b, m, n, k, T(1), a, lda, b, ldb, beta, c, ldc);
}

// Claims n's gradient buffer: 0 if it held nothing yet (overwrite), 1 if it must accumulate.
template <class T>
T grad_beta(Node<T>& n) {
  return n.grad_slot() ? T(0) : T(1);
}

}  // namespace genlab::detail
