// The only translation unit that includes OpenBLAS's <cblas.h> (never with xtensor-blas).
// genlab splits each large gemm into blocks whose geometry depends only on the shape and runs
// them on its own pool with OpenBLAS single-threaded: OpenBLAS's own threading partitions the
// product by thread count, which changes which micro-kernel computes an element and so its
// rounding (measured: ~16% of a 128x784x400 product differ between 1 and 2 threads).
// It does no shape checking: ops check shapes and name themselves before calling gemm.
#include "genlab/blas.hpp"

#include <cblas.h>

#include <algorithm>
#include <mutex>

#include "core/thread_pool.hpp"

namespace genlab::blas {

namespace {
CBLAS_TRANSPOSE flag(bool t) { return t ? CblasTrans : CblasNoTrans; }
blasint idx(std::size_t v) { return static_cast<blasint>(v); }

constexpr std::size_t kBlock = 256;          // target rows/columns per block of extents up to 1024
constexpr std::size_t kWideBlock = 1024;     // ... of longer extents (conv gemms: N = B x Ho x Wo)
constexpr std::size_t kMinBlocks = 4;        // a longer extent still gives up to 4 threads work
constexpr double kSplitFlops = 4.0e6;        // below this a gemm runs as one call

// OpenBLAS single-threaded before the first gemm; genlab's pool (compute_pool) does the threading.
struct OpenblasSetup {
  std::mutex mutex;  // set_num_threads from several threads
  OpenblasSetup() { openblas_set_num_threads(1); }
};
OpenblasSetup& openblas_setup() {
  static OpenblasSetup p;
  return p;
}

// Blocks of `extent` (rows or columns): a count and an even size rounded up to 16. Extents up to
// 1024 get blocks of ~256; longer ones at least 4 blocks of up to ~1024: every block repacks the other
// operand (OpenBLAS packs A again per column block), which cost ~10 % of the DCGAN's
// 128 x 3136 x 1024 gemms at 256 (measured: 73 -> 86 GFLOP/s at one thread with 1024).
struct Blocks {
  std::size_t count, size;
};
Blocks blocks_of(std::size_t extent) {
  const std::size_t fine = (extent + kBlock - 1) / kBlock, wide = (extent + kWideBlock - 1) / kWideBlock;
  const std::size_t count = std::max<std::size_t>(1, std::max(wide, std::min(fine, kMinBlocks)));
  std::size_t size = (extent + count - 1) / count;
  size = (size + 15) / 16 * 16;
  return {(extent + size - 1) / size, size};
}

template <class T, class Call>
void blocked_gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                  const T* a, std::size_t lda, const T* b, std::size_t ldb, T* c, std::size_t ldc,
                  Call call) {
  openblas_setup();  // OpenBLAS single-threaded from the first call on
  if (2.0 * m * n * k < kSplitFlops || (m <= kBlock && n <= kBlock)) {
    call(m, n, a, b, c);
    return;
  }
  // Split the larger output dimension; the split depends on the shape only.
  const bool split_cols = n >= m;
  const Blocks blocks = blocks_of(split_cols ? n : m);
  auto block = [&](std::size_t i) {
    const std::size_t begin = i * blocks.size;
    const std::size_t len = std::min(blocks.size, (split_cols ? n : m) - begin);
    if (split_cols) {  // columns of op(B) and C
      const T* b_block = trans_b ? b + begin * ldb : b + begin;
      call(m, len, a, b_block, c + begin);
    } else {           // rows of op(A) and C
      const T* a_block = trans_a ? a + begin : a + begin * lda;
      call(len, n, a_block, b, c + begin * ldc);
    }
  };
  compute_pool().run(blocks.count, block);
}
}  // namespace

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
          const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
          std::size_t ldc) {
  blocked_gemm(trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc,
               [&](std::size_t bm, std::size_t bn, const float* ba, const float* bb, float* bc) {
                 cblas_sgemm(CblasRowMajor, flag(trans_a), flag(trans_b), idx(bm), idx(bn), idx(k), alpha,
                             ba, idx(lda), bb, idx(ldb), beta, bc, idx(ldc));
               });
}

void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, double alpha,
          const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
          double* c, std::size_t ldc) {
  blocked_gemm(trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc,
               [&](std::size_t bm, std::size_t bn, const double* ba, const double* bb, double* bc) {
                 cblas_dgemm(CblasRowMajor, flag(trans_a), flag(trans_b), idx(bm), idx(bn), idx(k), alpha,
                             ba, idx(lda), bb, idx(ldb), beta, bc, idx(ldc));
               });
}

void set_num_threads(int n) {
  OpenblasSetup& p = openblas_setup();
  std::lock_guard<std::mutex> lock(p.mutex);
  resize_compute_pool(static_cast<std::size_t>(std::max(1, n)));
}

int num_threads() { return static_cast<int>(compute_pool().size()); }

const char* config() { return openblas_get_config(); }

const char* core_name() { return openblas_get_corename(); }

void reference_sgemm(int threads, std::size_t m, std::size_t n, std::size_t k, const float* a,
                     const float* b, float* c) {
  openblas_setup();  // make sure later genlab gemms find OpenBLAS single-threaded again
  openblas_set_num_threads(threads);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, idx(m), idx(n), idx(k), 1.f, a, idx(k), b,
              idx(n), 0.f, c, idx(n));
  openblas_set_num_threads(1);
}

}  // namespace genlab::blas
