// ThreadPool: a generation counter starts a job, a pending count reports its end. Both sides
// poll for a while before sleeping on a condition variable (see kPollFor).
#include "core/thread_pool.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "core/float_mode_apply.hpp"

namespace genlab {

namespace {
// How long a thread polls before it sleeps. A training step dispatches a job every 0.1-1 ms, and
// waking a sleeping thread cost ~100 us on this project's VM (its idle vCPU halts): with 50 us
// of polling a 2-thread VAE step was slower than a 1-thread one. Polling yields the CPU after
// the first few hundred pauses, so oversubscribed runs (--jobs x run.threads > cores) lose little.
constexpr auto kPollFor = std::chrono::milliseconds(2);
constexpr int kPauses = 256;

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// Polls ready() (pause, then yield) for up to kPollFor; true if it became true.
template <class Ready>
bool poll(Ready ready) {
  for (int i = 0; i < kPauses; ++i) {
    if (ready()) return true;
    cpu_relax();
  }
  const auto until = std::chrono::steady_clock::now() + kPollFor;
  while (std::chrono::steady_clock::now() < until) {
    if (ready()) return true;
    std::this_thread::yield();
  }
  return ready();
}
}  // namespace

ThreadPool::ThreadPool(std::size_t threads) {
  for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true, std::memory_order_release);
  }
  start_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::run(std::size_t count, const std::function<void(std::size_t)>& fn) {
  bool idle = false;
  // One job at a time: a nested call (from inside a job) or a call from a second thread runs
  // inline, which gives the same results (items never depend on the thread that runs them).
  if (workers_.empty() || count <= 1 || !busy_.compare_exchange_strong(idle, true, std::memory_order_acquire)) {
    for (std::size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  job_ = &fn;
  count_ = count;
  pending_.store(workers_.size(), std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mutex_);  // a worker about to sleep sees the new generation
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_.notify_all();
  std::exception_ptr error;
  try {
    for (std::size_t i = 0; i < count; i += size()) fn(i);  // the caller is thread 0
  } catch (...) {  // the workers still use fn: wait for them before leaving
    error = std::current_exception();
  }
  const auto done = [this] { return pending_.load(std::memory_order_acquire) == 0; };
  if (!poll(done)) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, done);
  }
  job_ = nullptr;
  busy_.store(false, std::memory_order_release);
  if (error) std::rethrow_exception(error);
}

void ThreadPool::worker_loop(std::size_t index) {
  std::size_t seen = 0;
  std::uint64_t float_mode_seen = 0;  // 0: apply the process-wide float mode before the first job
  for (;;) {
    const auto started = [&] {
      return stop_.load(std::memory_order_acquire) || generation_.load(std::memory_order_acquire) != seen;
    };
    if (!poll(started)) {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, started);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    seen = generation_.load(std::memory_order_acquire);
    apply_float_mode_if_changed(float_mode_seen);  // set before this job's run() began
    const std::function<void(std::size_t)>& job = *job_;
    for (std::size_t i = index; i < count_; i += size()) job(i);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);  // the caller may be about to sleep
      done_.notify_one();
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
