// The HDF5 C API behind genlab's store: an owning identifier, error capture into StoreError, and
// opening/creating files with file locking off. Private to harness/src/store: HDF5 types never
// appear in public headers. It does not know the run-file layout (see run_layout.hpp).
#pragma once
#include <hdf5.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace genlab::h5 {

// Owns an HDF5 identifier and closes it with the matching H5?close function.
class Id {
 public:
  using Closer = herr_t (*)(hid_t);
  Id() = default;
  Id(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Id(Id&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Id& operator=(Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() { reset(); }

  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }  // NOLINT: pass straight to H5 calls
  void reset() {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = H5I_INVALID_HID;
  }
  // Closes now and returns HDF5's status (closing a file flushes it, so the status matters).
  herr_t close() {
    const herr_t status = (id_ >= 0 && closer_ != nullptr) ? closer_(id_) : 0;
    id_ = H5I_INVALID_HID;
    return status;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Turns HDF5's automatic error printing off for the calling thread (idempotent, cheap).
void quiet_errors();
// The current HDF5 error stack as one line (its most specific messages), then clears it.
std::string error_stack();
// Throws StoreError "<file>: <what> (HDF5: <stack>)".
[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what);
// Returns `id`, or fails when it is negative.
hid_t check_id(hid_t id, const std::filesystem::path& file, const std::string& what);
// Fails when `status` is negative.
void check(herr_t status, const std::filesystem::path& file, const std::string& what);

// Owning wrappers over the create/open calls most used by the store.
Id open_file(const std::filesystem::path& path, bool writable);
Id create_file(const std::filesystem::path& path);
// A new file held in memory only (HDF5's core driver, no backing store): closing it never writes
// to disk and so cannot fail on a full disk; file_image() returns its bytes. `label` names it.
Id create_memory_file(const std::filesystem::path& label);
std::vector<unsigned char> file_image(hid_t file, const std::filesystem::path& label);
Id open_group(hid_t loc, const std::string& name, const std::filesystem::path& file);
Id create_group(hid_t loc, const std::string& name, const std::filesystem::path& file);
Id open_or_create_group(hid_t loc, const std::string& name, const std::filesystem::path& file);
Id open_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file);
Id dataset_space(hid_t dataset, const std::filesystem::path& file);
Id dataset_type(hid_t dataset, const std::filesystem::path& file);
Id new_plist(hid_t cls, const std::filesystem::path& file);
// Whether link `name` (a plain child name or a path) exists below `loc`.
bool exists(hid_t loc, const std::string& name);
// Names of the direct children of a group, in name order.
std::vector<std::string> children(hid_t group, const std::filesystem::path& file);

}  // namespace genlab::h5
