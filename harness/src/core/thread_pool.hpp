// A fixed pool of worker threads for splitting one gemm into column/row blocks, or an
// elementwise loop into fixed chunks. Work items are assigned statically (item i -> thread
// i % size), and item boundaries never depend on the thread count, so which thread computes an
// item never changes its result. Internal to libgenlab; it does not schedule whole runs (the
// executor does).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace genlab {

class ThreadPool {
 public:
  explicit ThreadPool(std::size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const { return workers_.size() + 1; }  // the caller works too
  // Runs fn(i) for i in [0, count) on all threads; returns when all are done. Not reentrant.
  void run(std::size_t count, const std::function<void(std::size_t)>& fn);

 private:
  void worker_loop(std::size_t index);
  std::vector<std::thread> workers_;
  std::mutex mutex_;  // only for sleeping: generation_ and stop_ change under it
  std::condition_variable start_, done_;
  const std::function<void(std::size_t)>* job_ = nullptr;  // published by generation_ (release)
  std::size_t count_ = 0;
  std::atomic<std::size_t> generation_{0}, pending_{0};
  std::atomic<bool> stop_{false};
};

// The process's one compute pool, shared by gemm blocks and chunked loops. Its size is set by
// blas::set_num_threads (default 1). Not for concurrent use from several threads.
ThreadPool& compute_pool();
void resize_compute_pool(std::size_t threads);

// fn(begin, end) over [0, n) in chunks of `grain` elements (the last one shorter) on the compute
// pool; runs inline when there is a single chunk. fn must not throw.
void parallel_chunks(std::size_t n, std::size_t grain, const std::function<void(std::size_t, std::size_t)>& fn);

// Loops shorter than this many elements are not worth waking the pool for (~10 us per wake).
inline constexpr std::size_t kElementwiseGrain = 16384;

}  // namespace genlab
