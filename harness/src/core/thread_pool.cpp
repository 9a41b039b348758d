// ThreadPool: one generation counter wakes the workers, a pending count reports completion.
#include "core/thread_pool.hpp"

#include <algorithm>
#include <memory>

namespace genlab {

ThreadPool::ThreadPool(std::size_t threads) {
  for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  start_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::run(std::size_t count, const std::function<void(std::size_t)>& fn) {
  if (workers_.empty() || count <= 1) {
    for (std::size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    count_ = count;
    pending_ = workers_.size();
    ++generation_;
  }
  start_.notify_all();
  for (std::size_t i = 0; i < count; i += size()) fn(i);  // the caller is thread 0
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return pending_ == 0; });
  job_ = nullptr;
}

void ThreadPool::worker_loop(std::size_t index) {
  std::size_t seen = 0;
  for (;;) {
    const std::function<void(std::size_t)>* job = nullptr;
    std::size_t count = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      count = count_;
    }
    for (std::size_t i = index; i < count; i += size()) (*job)(i);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

namespace {
std::unique_ptr<ThreadPool>& compute_pool_slot() {
  static std::unique_ptr<ThreadPool> pool = std::make_unique<ThreadPool>(1);
  return pool;
}
}  // namespace

ThreadPool& compute_pool() { return *compute_pool_slot(); }

void resize_compute_pool(std::size_t threads) {
  threads = std::max<std::size_t>(1, threads);
  if (compute_pool().size() != threads) compute_pool_slot() = std::make_unique<ThreadPool>(threads);
}

void parallel_chunks(std::size_t n, std::size_t grain, const std::function<void(std::size_t, std::size_t)>& fn) {
  if (n == 0) return;
  grain = std::max<std::size_t>(1, grain);
  const std::size_t count = (n + grain - 1) / grain;
  if (count == 1) {
    fn(0, n);
    return;
  }
  const auto chunk = [&](std::size_t i) { fn(i * grain, std::min(n, (i + 1) * grain)); };
  compute_pool().run(count, [f = &chunk](std::size_t i) { (*f)(i); });  // fits std::function's buffer
}

}  // namespace genlab
