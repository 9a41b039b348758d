// read_runs_isolated and read_image_isolated (store.hpp): read_run / read_image in a forked
// worker process that sends each result back through a pipe. HDF5 cannot be made safe against
// corrupt metadata in-process (bit flips crash or hang it), so a file that kills or hangs the
// worker is reported unreadable and a new worker carries on with the next file. One fork per
// batch (and per crash), not per file. It does not retry a file, nor read checkpoints.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>

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

// The bytes a worker sends back for file i (or throws what it reports as the error).
using Work = std::function<std::string(std::size_t)>;

// One result per file: ok and the bytes of Work, or !ok and "<file>: <reason>".
struct Result {
  bool ok = false;
  std::string body;
};

[[noreturn]] void worker(const Work& work, std::size_t count, std::size_t first, int fd) {
  ::signal(SIGPIPE, SIG_DFL);
  for (std::size_t i = first; i < count; ++i) {
    std::string body;
    std::uint64_t ok = 1;
    try {
      body = work(i);
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
std::size_t run_worker(const Work& work, const std::vector<fs::path>& files, std::size_t first, double timeout_s,
                       std::vector<Result>& results) {
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
    worker(work, files.size(), first, fds[1]);
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
      results.at(index) = Result{ok != 0, body};
      next = index + 1;
      last = std::chrono::steady_clock::now();
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (next < files.size()) {
    results[next].body = files[next].string() + ": " +
                          (timed_out ? "reading it took over " + std::to_string(static_cast<int>(timeout_s)) +
                                           " s (the reader was stopped)"
                                     : how_it_ended(status)) +
                          " (corrupt HDF5 metadata?)";
  }
  return next;
}

// Work(i) for every file, each in a worker process (a new one after a crash or hang).
std::vector<Result> run_isolated(const Work& work, const std::vector<fs::path>& files, double timeout_s) {
  std::vector<Result> results(files.size());
  std::size_t next = 0;
  while (next < files.size()) next = run_worker(work, files, next, timeout_s, results) + 1;
  return results;
}

// An image grid as bytes: [u64 rank][u64 dims...][pixels].
std::string encode_image(const std::vector<std::uint8_t>& pixels, const std::vector<std::size_t>& shape) {
  std::string out(8 * (1 + shape.size()), '\0');
  const std::uint64_t rank = shape.size();
  std::memcpy(out.data(), &rank, 8);
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const std::uint64_t d = shape[i];
    std::memcpy(out.data() + 8 * (1 + i), &d, 8);
  }
  return out.append(pixels.begin(), pixels.end());
}

std::vector<std::uint8_t> decode_image(const std::string& bytes, std::vector<std::size_t>* shape) {
  std::uint64_t rank = 0;
  if (bytes.size() < 8 || (std::memcpy(&rank, bytes.data(), 8), rank > 3) || bytes.size() < 8 * (1 + rank)) {
    throw StoreError("isolated reader: malformed image message");
  }
  std::vector<std::size_t> dims(rank);
  std::size_t n = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    std::uint64_t d = 0;
    std::memcpy(&d, bytes.data() + 8 * (1 + i), 8);
    dims[i] = d;
    n *= d;
  }
  if (bytes.size() != 8 * (1 + rank) + n) throw StoreError("isolated reader: malformed image message");
  if (shape != nullptr) *shape = dims;
  return std::vector<std::uint8_t>(bytes.begin() + static_cast<std::ptrdiff_t>(8 * (1 + rank)), bytes.end());
}
}  // namespace

std::vector<IsolatedRead> read_runs_isolated(const std::vector<fs::path>& files, double timeout_s) {
  const Work work = [&](std::size_t i) { return store_detail::encode_summary(read_run(files[i])); };
  std::vector<IsolatedRead> out(files.size());
  std::vector<Result> results = run_isolated(work, files, timeout_s);
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (results[i].ok) {
      out[i].summary = store_detail::decode_summary(results[i].body);
    } else {
      out[i].error = std::move(results[i].body);
    }
  }
  return out;
}

std::vector<std::uint8_t> read_image_isolated(const fs::path& path, const std::string& name, std::size_t index,
                                              std::vector<std::size_t>* shape, double timeout_s) {
  const Work work = [&](std::size_t) {
    std::vector<std::size_t> dims;
    std::vector<std::uint8_t> pixels = read_image(path, name, index, &dims);
    return encode_image(pixels, dims);
  };
  Result r = std::move(run_isolated(work, {path}, timeout_s).at(0));
  if (!r.ok) throw StoreError(r.body);
  return decode_image(r.body, shape);
}

RunSummary read_run_isolated(const fs::path& file, double timeout_s) {
  IsolatedRead r = std::move(read_runs_isolated({file}, timeout_s).at(0));
  if (!r.summary) throw StoreError(r.error);
  return std::move(*r.summary);
}

}  // namespace genlab
