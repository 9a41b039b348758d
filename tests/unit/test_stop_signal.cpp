// The graceful-stop flag (run/stop_signal.cpp) when the signal lands on a compute pool worker:
// the training thread must see it, and under ThreadSanitizer (genlab_tsan_tests) without a data
// race; and a repeat within a second counts as the same stop, also across a second's boundary.
// Each case runs in a forked child, as the handlers and the flag are process-wide and cannot be
// reset. It does not test the runner's checkpoint on stop (integration/signals does).
#include <doctest/doctest.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <time.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "core/thread_pool.hpp"
#include "genlab/runner.hpp"

using namespace genlab;

namespace {
// Runs body() in a forked child; returns its wait status (0: it exited 0).
template <class Body>
int in_child(Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) std::exit(body());  // exit, not _exit: a sanitizer reports (and sets the code) at exit
  int status = -1;
  ::waitpid(pid, &status, 0);
  return status;
}

// Worker 1 of a 3-thread pool sends itself SIGTERM while the caller (item 0) polls
// stop_requested(): the handler's write and the caller's reads are on two threads at once.
int signal_on_a_worker() {
  install_stop_handlers();
  ThreadPool pool(3);
  bool seen = false;
  pool.run(3, [&](std::size_t i) {
    if (i == 1) ::pthread_kill(::pthread_self(), SIGTERM);
    if (i != 0) return;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!seen && std::chrono::steady_clock::now() < until) seen = stop_requested() == SIGTERM;
  });
  return seen ? 0 : 3;
}

// Two SIGTERMs 0.2 s apart, the first 0.9 s into a CLOCK_MONOTONIC second: the same stop (the
// process lives on, asked to stop), though the second lands in the next whole second.
int repeat_across_a_second_boundary() {
  install_stop_handlers();
  timespec t{};
  do {
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while (t.tv_nsec < 900'000'000 || t.tv_nsec > 950'000'000);
  ::raise(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::raise(SIGTERM);  // a second stop would end the process here, by SIGTERM
  return stop_requested() == SIGTERM ? 0 : 3;
}
}  // namespace

TEST_CASE("stop signal: a repeat 0.2 s later is the same stop, also across a second's boundary") {
  const int status = in_child(repeat_across_a_second_boundary);
  INFO("child wait status " << status << " (signal 15: the repeat was taken as a second stop)");
  CHECK(status == 0);
}

TEST_CASE("stop signal: a SIGTERM handled on a pool worker is seen by the training thread while the pool runs") {
  const int status = in_child(signal_on_a_worker);
  INFO("child wait status " << status << " (exit 3: the stop was never seen; 66: a ThreadSanitizer report)");
  CHECK(status == 0);
}
