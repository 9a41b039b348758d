// HDF5 identifiers, error capture and file opening for the store. Every HDF5 failure becomes a
// genlab::StoreError that names the file and the step that failed; nothing is printed to stderr.
// It does not retry or repair anything.
#include "store/h5.hpp"

#include <vector>

#include "genlab/error.hpp"

namespace genlab::h5 {

void quiet_errors() {
  thread_local bool done = false;  // HDF5's error settings are per thread in thread-safe builds
  if (done) return;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  done = true;
}

namespace {
herr_t collect_message(unsigned /*n*/, const H5E_error2_t* err, void* data) {
  auto* messages = static_cast<std::vector<std::string>*>(data);
  if (err->desc != nullptr && err->desc[0] != '\0') messages->emplace_back(err->desc);
  return 0;
}
}  // namespace

std::string error_stack() {
  std::vector<std::string> messages;  // outermost (API call) first
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_message, &messages);
  H5Eclear2(H5E_DEFAULT);
  // The innermost two messages are the specific ones ("file signature not found").
  std::string out;
  const std::size_t first = messages.size() > 2 ? messages.size() - 2 : 0;
  for (std::size_t i = first; i < messages.size(); ++i) out += (out.empty() ? "" : "; ") + messages[i];
  return out;
}

void fail(const std::filesystem::path& file, const std::string& what) {
  const std::string stack = error_stack();
  throw StoreError(file.string() + ": " + what + (stack.empty() ? "" : " (HDF5: " + stack + ")"));
}

hid_t check_id(hid_t id, const std::filesystem::path& file, const std::string& what) {
  if (id < 0) fail(file, what);
  return id;
}

void check(herr_t status, const std::filesystem::path& file, const std::string& what) {
  if (status < 0) fail(file, what);
}

namespace {
// File access without locking, so h5py holding the file open never blocks a commit (and vice versa).
Id access_plist(const std::filesystem::path& file) {
  Id fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), file, "cannot create a file access list"), H5Pclose);
  check(H5Pset_file_locking(fapl, false, true), file, "cannot disable file locking");
  return fapl;
}
}  // namespace

Id open_file(const std::filesystem::path& path, bool writable) {
  quiet_errors();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw StoreError(path.string() + ": no such run file");
  const Id fapl = access_plist(path);
  const hid_t id = H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl);
  if (id < 0) fail(path, "cannot open the run file (missing, not HDF5, or corrupt)");
  return Id(id, H5Fclose);
}

Id create_file(const std::filesystem::path& path) {
  quiet_errors();
  const Id fapl = access_plist(path);
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (id < 0) fail(path, "cannot create the file (is its folder writable?)");
  return Id(id, H5Fclose);
}

Id create_memory_file(const std::filesystem::path& label) {
  quiet_errors();
  const Id fapl = access_plist(label);
  check(H5Pset_fapl_core(fapl, 1 << 20, false), label, "cannot select the in-memory file driver");
  const hid_t id = H5Fcreate(label.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (id < 0) fail(label, "cannot create the new version in memory");
  return Id(id, H5Fclose);
}

std::vector<unsigned char> file_image(hid_t file, const std::filesystem::path& label) {
  check(H5Fflush(file, H5F_SCOPE_GLOBAL), label, "cannot flush the new version in memory");
  const ssize_t size = H5Fget_file_image(file, nullptr, 0);
  if (size < 0) fail(label, "cannot size the new version's file image");
  std::vector<unsigned char> image(static_cast<std::size_t>(size));
  if (H5Fget_file_image(file, image.data(), image.size()) != size) fail(label, "cannot copy the new version's file image");
  return image;
}

Id open_group(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  return Id(check_id(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), file, "cannot open group '" + name + "'"), H5Gclose);
}

Id create_group(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  return Id(check_id(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), file,
                     "cannot create group '" + name + "'"),
            H5Gclose);
}

Id open_or_create_group(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  return exists(loc, name) ? open_group(loc, name, file) : create_group(loc, name, file);
}

Id open_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  return Id(check_id(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), file, "cannot open dataset '" + name + "'"), H5Dclose);
}

Id dataset_space(hid_t dataset, const std::filesystem::path& file) {
  return Id(check_id(H5Dget_space(dataset), file, "cannot get a dataspace"), H5Sclose);
}

Id dataset_type(hid_t dataset, const std::filesystem::path& file) {
  return Id(check_id(H5Dget_type(dataset), file, "cannot get a datatype"), H5Tclose);
}

Id new_plist(hid_t cls, const std::filesystem::path& file) {
  return Id(check_id(H5Pcreate(cls), file, "cannot create a property list"), H5Pclose);
}

bool exists(hid_t loc, const std::string& name) {
  // H5Lexists on "a/b" needs "a" to exist: walk the path one component at a time.
  std::string prefix;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t slash = name.find('/', start);
    const std::size_t end = slash == std::string::npos ? name.size() : slash;
    prefix += (prefix.empty() ? "" : "/") + name.substr(start, end - start);
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

namespace {
herr_t collect_name(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<std::string> children(hid_t group, const std::filesystem::path& file) {
  std::vector<std::string> names;
  hsize_t index = 0;
  check(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, collect_name, &names), file, "cannot list a group");
  return names;
}

}  // namespace genlab::h5
