// data_identity(): SHA-256 over "genlab data identity v1", the set's name, then each file's name
// and SHA-256 (file sets) or the generator's description (synthetic sets). A derived set (built
// from another set's files) is its name, its parameters and its source files' lines, the same
// way. File hashes are cached per process by (path, size, mtime); it never reads the data itself.
#include <filesystem>
#include <map>
#include <mutex>
#include <tuple>

#include "data/sources.hpp"
#include "genlab/data.hpp"
#include "genlab/error.hpp"
#include "genlab/hash.hpp"

namespace genlab {

namespace fs = std::filesystem;

namespace {
// SHA-256 of one file, hashed at most once per (path, size, mtime) in this process.
std::string cached_file_hash(const fs::path& file) {
  static std::mutex mutex;
  static std::map<std::tuple<std::string, std::uintmax_t, fs::file_time_type::rep>, std::string> cache;
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(file, ec);
  const std::uintmax_t size = fs::file_size(file, ec);
  const auto mtime = fs::last_write_time(file, ec).time_since_epoch().count();
  if (ec) throw DataError(file.string() + ": cannot read it for the data identity: " + ec.message());
  const auto key = std::make_tuple((canonical.empty() ? file : canonical).string(), size, mtime);
  std::lock_guard lock(mutex);
  auto it = cache.find(key);
  if (it == cache.end()) {
    try {
      it = cache.emplace(key, sha256_file(file)).first;
    } catch (const Error& e) {
      throw DataError(std::string(e.what()) + " (hashing it for the data identity)");
    }
  }
  return it->second;
}

// "<file name> <sha256>\n" per file: the lines a file set (or a set derived from it) hashes.
std::string file_lines(const std::vector<fs::path>& files) {
  std::string out;
  for (const fs::path& f : files) out += f.filename().string() + " " + cached_file_hash(f) + "\n";
  return out;
}
}  // namespace

std::string data_identity(const std::string& name, const fs::path& path) {
  std::string text = "genlab data identity v1\n" + name + "\n";
  if (name == "fashion_mnist" || is_two_domain_set(name)) {  // the two-domain sets derive from its files
    text += file_lines(data_detail::fashion_mnist_files(path));
  } else if (name == "ring8" || name == "grid25") {
    text += data_detail::mixture_description(name) + "\n";
  } else {
    throw DataError("unknown data set '" + name + "': no data identity");
  }
  return sha256_hex(text);
}

}  // namespace genlab
