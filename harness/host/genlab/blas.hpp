// genlab's gemm over OpenBLAS, split into shape-determined blocks on genlab's own threads.
// Only blas.cpp includes <cblas.h>; nothing here includes xtensor-blas (their cblas.h headers
// conflict).
#pragma once
#include <cstddef>
#include <string>

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
// The kernel set OpenBLAS picked at load time ("SkylakeX", "Haswell", "Zen", "Prescott", ...).
const char* core_name();

// The kernel set genlab asks OpenBLAS for through OPENBLAS_CORETYPE, or "" to keep OpenBLAS's
// own pick: OpenBLAS 0.3.21 falls back to a generic SSE3 kernel ("Prescott", ~4x slower sgemm)
// on CPUs newer than itself. Returns "SkylakeX" (AVX-512 F/BW/VL/DQ/CD) or "Haswell" (AVX2 +
// FMA) when the CPU has those and OpenBLAS picked a kernel without them; "" when
// OPENBLAS_CORETYPE is already set (the user's or the machine's choice is kept).
std::string preferred_core();
// Called first in main(): when preferred_core() is not "", sets OPENBLAS_CORETYPE and re-executes
// this program with the same arguments (OpenBLAS reads the variable only when it is loaded).
// Returns normally when nothing is to be done or the re-exec failed (then OpenBLAS's pick stays).
void reexec_for_preferred_core(char** argv);
// The argv reexec_for_preferred_core was given (nullptr before): portable mode re-executes with it.
char** saved_argv();

}  // namespace genlab::blas
