// read_runs_isolated (store.hpp): read_run in a forked worker process that sends each summary
// back through a pipe. HDF5 cannot be made safe against corrupt metadata in-process (bit flips
// crash or hang it), so a file that kills or hangs the worker is reported unreadable and a new
// worker carries on with the next file. One fork per batch (and per crash), not per file.
// It does not retry a file, nor read checkpoints or images.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "genlab/error.hpp"
#include "genlab/runner.hpp"
#include "store/summary_codec.hpp"

namespace genlab {

namespace fs = std::filesystem;

namespace {
// One message: [u64 index][u64 ok][u64 length][length bytes: summary or error text].
void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(3);  // the parent is gone
    done += static_cast<std::size_t>(n);
  }
}

std::string header(std::uint64_t index, std::uint64_t ok, std::uint64_t length) {
  std::string h(24, '\0');
  std::memcpy(h.data(), &index, 8);
  std::memcpy(h.data() + 8, &ok, 8);
  std::memcpy(h.data() + 16, &length, 8);
  return h;
}

[[noreturn]] void worker(const std::vector<fs::path>& files, std::size_t first, int fd) {
  ::signal(SIGPIPE, SIG_DFL);
  for (std::size_t i = first; i < files.size(); ++i) {
    std::string body;
    std::uint64_t ok = 1;
    try {
      body = store_detail::encode_summary(read_run(files[i]));
    } catch (const std::exception& e) {
      body = e.what();
      ok = 0;
    }
    write_all(fd, header(i, ok, body.size()) + body);
  }
  ::_exit(0);  // no exit handlers: HDF5's would run in a copy of the parent's state
}

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status)) return "reading it crashed the reader (" + signal_name(WTERMSIG(status)) + ")";
  return "the reader exited with code " + std::to_string(WEXITSTATUS(status)) + " while reading it";
}

// Runs one worker from file `first` on; fills results until the worker ends. Returns the index
// of the file it died on (files.size() when it finished them all).
std::size_t run_worker(const std::vector<fs::path>& files, std::size_t first, double timeout_s,
                       std::vector<IsolatedRead>& results) {
  int fds[2];
  if (::pipe(fds) != 0) throw StoreError(std::string("cannot create a pipe for the isolated reader: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw StoreError(std::string("cannot fork the isolated reader: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    worker(files, first, fds[1]);
  }
  ::close(fds[1]);
  std::string buffer;
  std::size_t next = first;
  bool timed_out = false;
  char chunk[65536];
  auto last = std::chrono::steady_clock::now();
  while (next < files.size()) {
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, 200);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - last).count() > timeout_s) {
        timed_out = true;
        ::kill(pid, SIGKILL);
        break;
      }
      continue;
    }
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the worker ended
    buffer.append(chunk, static_cast<std::size_t>(n));
    while (buffer.size() >= 24) {  // every complete message
      std::uint64_t index = 0, ok = 0, length = 0;
      std::memcpy(&index, buffer.data(), 8);
      std::memcpy(&ok, buffer.data() + 8, 8);
      std::memcpy(&length, buffer.data() + 16, 8);
      if (buffer.size() - 24 < length) break;
      const std::string body = buffer.substr(24, length);
      buffer.erase(0, 24 + length);
      IsolatedRead& r = results.at(index);
      if (ok != 0) {
        r.summary = store_detail::decode_summary(body);
      } else {
        r.error = body;
      }
      next = index + 1;
      last = std::chrono::steady_clock::now();
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (next < files.size()) {
    results[next].error = files[next].string() + ": " +
                          (timed_out ? "reading it took over " + std::to_string(static_cast<int>(timeout_s)) +
                                           " s (the reader was stopped)"
                                     : how_it_ended(status)) +
                          " (corrupt HDF5 metadata?)";
  }
  return next;
}
}  // namespace

std::vector<IsolatedRead> read_runs_isolated(const std::vector<fs::path>& files, double timeout_s) {
  std::vector<IsolatedRead> results(files.size());
  std::size_t next = 0;
  while (next < files.size()) next = run_worker(files, next, timeout_s, results) + 1;
  return results;
}

RunSummary read_run_isolated(const fs::path& file, double timeout_s) {
  IsolatedRead r = std::move(read_runs_isolated({file}, timeout_s).at(0));
  if (!r.summary) throw StoreError(r.error);
  return std::move(*r.summary);
}

}  // namespace genlab
