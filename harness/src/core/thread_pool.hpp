// A fixed pool of worker threads for splitting one gemm into column/row blocks. Work items are
// assigned statically (item i -> thread i % size), so which thread computes a block never
// changes its result. Internal to libgenlab; it does not schedule whole runs (the executor does).
#pragma once
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
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(std::size_t)>* job_ = nullptr;
  std::size_t count_ = 0, generation_ = 0, pending_ = 0;
  bool stop_ = false;
};

}  // namespace genlab
