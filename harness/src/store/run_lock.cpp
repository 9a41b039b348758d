// RunLock: an F_OFD_SETLK write lock on "<run file>.lock". The lock file is unlinked by its owner
// while it still holds the lock, so a taker re-checks after locking that the path still names the
// file it locked (else it locked a dead inode and retries). It does not wait for a lock: a busy
// run is skipped by its caller, never queued.
#include "genlab/run_lock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <utility>

#include "genlab/error.hpp"

namespace genlab {

namespace fs = std::filesystem;

namespace {
struct flock whole_file(short type) {
  struct flock l {};
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = 0;
  l.l_len = 0;
  return l;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

LockHolder read_holder(int fd) {
  char buf[512] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  LockHolder h;
  if (n <= 0) return h;
  std::istringstream in(std::string(buf, static_cast<std::size_t>(n)));
  in >> h.pid >> h.host;
  if (!in) h = LockHolder{};
  return h;
}

// True if `fd` and `path` still name the same file (the owner did not unlink it meanwhile).
bool still_linked(int fd, const fs::path& path) {
  struct stat a {}, b {};
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
}  // namespace

std::string LockHolder::str() const {
  if (pid == 0) return "another process (starting)";
  return "pid " + std::to_string(pid) + " on host " + (host.empty() ? "?" : host);
}

fs::path run_lock_path(const fs::path& run_file) { return fs::path(run_file.string() + ".lock"); }

std::string run_taken_message(const std::string& run_id, const LockHolder& holder) {
  return "run " + run_id + " is being written by " + holder.str();
}

std::optional<RunLock> RunLock::try_acquire(const fs::path& run_file, LockHolder* holder) {
  const fs::path path = run_lock_path(run_file);
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw StoreError(path.string() + ": cannot create the run's lock file: " + std::strerror(errno));
    struct flock l = whole_file(F_WRLCK);
    if (::fcntl(fd, F_OFD_SETLK, &l) != 0) {
      const int err = errno;
      if (err != EAGAIN && err != EACCES) {
        ::close(fd);
        throw StoreError(path.string() + ": cannot lock the run's lock file: " + std::strerror(err));
      }
      if (holder) *holder = read_holder(fd);
      ::close(fd);
      return std::nullopt;
    }
    if (!still_linked(fd, path)) {  // its owner removed it between our open and our lock
      ::close(fd);
      continue;
    }
    RunLock lock(fd, path);
    const LockHolder previous = read_holder(fd);
    if (previous.pid != 0) lock.taken_over_ = previous;  // left by a process that died
    const std::string me = std::to_string(::getpid()) + " " + host_name() + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
      throw StoreError(path.string() + ": cannot write the run's lock file: " + std::strerror(errno));
    }
    return lock;
  }
  throw StoreError(path.string() + ": the lock file keeps disappearing (100 attempts)");
}

RunLock::RunLock(RunLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), taken_over_(std::move(other.taken_over_)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    taken_over_ = std::move(other.taken_over_);
  }
  return *this;
}

RunLock::~RunLock() { release(); }

void RunLock::release() noexcept {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still holding it: see the file comment
  ::close(fd_);
  fd_ = -1;
}

std::optional<LockHolder> run_lock_holder(const fs::path& run_file) {
  const fs::path path = run_lock_path(run_file);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock l = whole_file(F_WRLCK);
  std::optional<LockHolder> holder;
  if (::fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK) holder = read_holder(fd);
  ::close(fd);
  return holder;
}

}  // namespace genlab
