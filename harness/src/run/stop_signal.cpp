// Graceful stop on SIGINT/SIGTERM (runner.hpp): the handler only records the signal, and the
// runner and executor poll stop_requested() at step and cell boundaries. A repeat of the signal
// within a second is taken as the same stop delivered twice (a terminal's Ctrl-C reaches the
// parent and its children, then the parent forwards it; Slurm signals every process of a job);
// a later one ends the process at once. It does not checkpoint or write anything itself.
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "genlab/runner.hpp"

namespace genlab {

namespace {
volatile std::sig_atomic_t g_stop_signal = 0;
volatile std::sig_atomic_t g_first_second = 0;  // CLOCK_MONOTONIC seconds of the first signal

long monotonic_seconds() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);  // async-signal-safe
  return static_cast<long>(t.tv_sec);
}

void write_stderr(const char* text) {
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

void on_stop_signal(int sig) {
  if (g_stop_signal == 0) {
    g_stop_signal = sig;
    g_first_second = static_cast<std::sig_atomic_t>(monotonic_seconds());
    write_stderr("\ngenlab: stopping after the current step (checkpoint, status 'interrupted'); "
                 "signal again to stop at once\n");
    return;
  }
  if (monotonic_seconds() - g_first_second < 1) return;  // the same stop, delivered twice
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

int stop_requested() { return static_cast<int>(g_stop_signal); }

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  const char* description = strsignal(sig);
  std::string out = abbrev != nullptr ? "SIG" + std::string(abbrev) : "signal " + std::to_string(sig);
  if (description != nullptr) out += " (" + std::string(description) + ")";
  return out;
}

}  // namespace genlab
