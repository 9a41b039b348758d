// The advisory lock that makes one process the only writer of a run file: an open-file-description
// lock (fcntl F_OFD_SETLK, flock's semantics, but queryable without taking it) on "<run file>.lock"
// beside the run file, holding "pid host" of its owner. The kernel drops it when its owner dies,
// so a lock file left by a killed process is simply taken over. It does not stop a writer that
// ignores it (RunWriter itself does not lock; the executor takes the lock around every run).
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace genlab {

// Who holds a run's lock, as written in the lock file ("pid 123 on host n1").
struct LockHolder {
  long pid = 0;         // 0 when the owner has not written its name yet
  std::string host;
  std::string str() const;
};

class RunLock {
 public:
  // Takes the lock of `run_file` (creating its folder and lock file), or returns nullopt with the
  // live owner in *holder. Throws StoreError if the lock file cannot be created.
  static std::optional<RunLock> try_acquire(const std::filesystem::path& run_file, LockHolder* holder = nullptr);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();  // removes the lock file, then releases the lock

  // The owner named in a lock file this lock took over (its process had died), if any.
  const std::optional<LockHolder>& taken_over() const { return taken_over_; }

 private:
  RunLock(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  void release() noexcept;
  int fd_ = -1;
  std::filesystem::path path_;
  std::optional<LockHolder> taken_over_;
};

// "<run file>.lock".
std::filesystem::path run_lock_path(const std::filesystem::path& run_file);
// The live owner of the run file's lock, or nullopt if nobody holds it. Takes no lock itself.
std::optional<LockHolder> run_lock_holder(const std::filesystem::path& run_file);
// The message for a run someone else holds: "run ID is being written by pid P on host H".
std::string run_taken_message(const std::string& run_id, const LockHolder& holder);

}  // namespace genlab
