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
  // Runs fn(i) for i in [0, count) on all threads; returns when all are done. A call made while
  // another runs (nested, or from another thread) runs its items inline on the calling thread.
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
  std::atomic<bool> busy_{false};  // a job is running: other run() calls go inline
};

// The process's one compute pool, shared by gemm blocks and chunked loops. Its size is set by
// blas::set_num_threads (default 1), which must not run while the pool is in use.
ThreadPool& compute_pool();
void resize_compute_pool(std::size_t threads);

// fn(begin, end) over [0, n) in chunks of `grain` elements (the last one shorter) on the compute
// pool; runs inline when there is a single chunk. fn must not throw.
void parallel_chunks(std::size_t n, std::size_t grain, const std::function<void(std::size_t, std::size_t)>& fn);

// Chunk size of elementwise loops and optimizer updates: a loop of fewer elements runs inline,
// as one dispatch costs more than it saves there.
inline constexpr std::size_t kElementwiseGrain = 16384;

}  // namespace genlab
