// Graceful stop on SIGINT/SIGTERM (runner.hpp): the handler only records the signal, and the
// runner and executor poll stop_requested() at step and cell boundaries. A repeat of the signal
// within a second is taken as the same stop delivered twice (a terminal's Ctrl-C reaches the
// parent and its children, then the parent forwards it; Slurm signals every process of a job);
// a later one ends the process at once. It does not checkpoint or write anything itself.
// The handler may run on any thread (a compute pool worker too), so its state is lock-free
// atomics, not volatile sig_atomic_t: a volatile written on a worker and read by the training
// thread is a data race (ThreadSanitizer reported it; tests/unit/test_stop_signal.cpp).
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

#include "genlab/runner.hpp"

namespace genlab {

namespace {
std::atomic<int> g_stop_signal{0};
std::atomic<long> g_first_ms{0};  // CLOCK_MONOTONIC milliseconds of the first signal
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<long>::is_always_lock_free,
              "a signal handler may only touch lock-free atomics");

// Milliseconds, not whole seconds: with seconds, two signals 0.2 s apart across a second's
// boundary were taken as two stops (tests/unit/test_stop_signal.cpp).
long monotonic_ms() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);  // async-signal-safe
  return static_cast<long>(t.tv_sec) * 1000 + static_cast<long>(t.tv_nsec / 1000000);
}

void write_stderr(const char* text) {
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

void on_stop_signal(int sig) {
  int none = 0;
  if (g_stop_signal.compare_exchange_strong(none, sig)) {
    g_first_ms.store(monotonic_ms());
    write_stderr("\ngenlab: stopping after the current step (checkpoint, status 'interrupted'); "
                 "signal again to stop at once\n");
    return;
  }
  if (monotonic_ms() - g_first_ms.load() < 1000) return;  // the same stop, delivered twice
  write_stderr("\ngenlab: second signal: stopping at once (steps since the last checkpoint are lost)\n");
  std::signal(sig, SIG_DFL);
  ::raise(sig);
}
}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // file and pipe I/O carry on; the executor polls its children
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // `genlab run ... | head`: a closed stdout must not end a run
}

int stop_requested() { return g_stop_signal.load(); }

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  const char* description = strsignal(sig);
  std::string out = abbrev != nullptr ? "SIG" + std::string(abbrev) : "signal " + std::to_string(sig);
  if (description != nullptr) out += " (" + std::string(description) + ")";
  return out;
}

}  // namespace genlab
