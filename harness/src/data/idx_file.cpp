// IDX reading with zlib (gzopen reads plain files too) and an in-process cache of decoded arrays.
// Every problem is a DataError that names the file. It does not convert bytes to floats.
#include "data/idx_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>

#include "genlab/error.hpp"

namespace genlab::data_detail {

namespace fs = std::filesystem;

namespace {
[[noreturn]] void fail(const fs::path& file, const std::string& problem) {
  throw DataError(file.string() + ": " + problem);
}

// Closes the gzFile on scope exit.
struct GzFile {
  gzFile handle = nullptr;
  ~GzFile() {
    if (handle != nullptr) gzclose(handle);
  }
  std::string error() const {
    int code = Z_OK;
    const char* message = gzerror(handle, &code);
    return code == Z_OK || message == nullptr ? std::string() : std::string(message);
  }
};

// Reads up to n bytes (fewer only at the end of the data); throws on corrupt compressed data.
std::size_t read_bytes(const GzFile& in, std::uint8_t* out, std::size_t n, const fs::path& file) {
  std::size_t done = 0;
  while (done < n) {
    const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, std::size_t{1} << 30));
    const int got = gzread(in.handle, out + done, chunk);
    if (got < 0) fail(file, "corrupt gzip data (" + in.error() + ")");
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

std::uint32_t big_endian(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

// Reads exactly n bytes of what `part` describes, or fails with "truncated".
void read_exactly(const GzFile& in, std::uint8_t* out, std::size_t n, const std::string& part, const fs::path& file) {
  const std::size_t got = read_bytes(in, out, n, file);
  if (got < n) {
    const std::string why = in.error();
    fail(file, "truncated: expected " + std::to_string(n) + " bytes of " + part + ", got " + std::to_string(got) +
                   (why.empty() ? "" : " (" + why + ")"));
  }
}

// The most bytes `file` can decode to: its size when stored plainly, deflate's maximum ratio
// (1032:1) times its size when gzipped. A header claiming more is corrupt; checked before
// allocating, so a 33-byte file cannot make us allocate gigabytes.
std::uintmax_t max_decoded_bytes(const GzFile& in, std::uintmax_t file_size) {
  return gzdirect(in.handle) ? file_size : file_size * 1032 + 1024;
}

std::shared_ptr<const IdxArray> decode(const fs::path& file, std::uint32_t magic, std::uintmax_t file_size) {
  GzFile in{gzopen(file.c_str(), "rb")};
  if (in.handle == nullptr) fail(file, "cannot open for reading");
  gzbuffer(in.handle, 1u << 18);
  std::uint8_t header[4];
  read_exactly(in, header, 4, "header", file);
  const std::uint32_t found = big_endian(header);
  if (found != magic) {
    fail(file, "bad magic number " + std::to_string(found) + " (expected " + std::to_string(magic) +
                   ": an IDX file of unsigned bytes with " + std::to_string(magic & 0xffu) + " dimension(s))");
  }
  auto array = std::make_shared<IdxArray>();
  const std::size_t rank = magic & 0xffu;
  std::vector<std::uint8_t> dims(4 * rank);
  read_exactly(in, dims.data(), dims.size(), "dimensions", file);
  std::size_t total = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t d = big_endian(&dims[4 * i]);
    if (d == 0 || d > (std::size_t{1} << 28) || total * d > (std::size_t{1} << 34)) {
      fail(file, "implausible dimension " + std::to_string(d) + " at position " + std::to_string(i));
    }
    array->dims.push_back(d);
    total *= d;
  }
  if (total > max_decoded_bytes(in, file_size)) {
    fail(file, "truncated or corrupt: the header claims " + std::to_string(total) + " bytes of data, more than a file of " +
                   std::to_string(file_size) + " bytes can hold");
  }
  array->bytes.resize(total);
  read_exactly(in, array->bytes.data(), total, "data", file);
  std::uint8_t extra = 0;
  if (read_bytes(in, &extra, 1, file) != 0) fail(file, "longer than its header says (corrupt or not an IDX file)");
  return array;
}

struct CacheEntry {
  std::uintmax_t size;
  fs::file_time_type modified;
  std::shared_ptr<const IdxArray> array;
};
}  // namespace

std::shared_ptr<const IdxArray> read_idx(const fs::path& file, std::uint32_t magic) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::uint32_t>, CacheEntry> cache;
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) fail(file, "cannot read (" + ec.message() + ")");
  const fs::file_time_type modified = fs::last_write_time(file, ec);
  const std::lock_guard<std::mutex> lock(mutex);  // one decoder at a time; later callers hit the cache
  const auto key = std::make_pair(fs::absolute(file).lexically_normal().string(), magic);
  const auto it = cache.find(key);
  if (it != cache.end() && it->second.size == size && it->second.modified == modified) return it->second.array;
  if (!fs::is_regular_file(file, ec)) fail(file, "not a regular file");
  std::shared_ptr<const IdxArray> array = decode(file, magic, size);
  cache[key] = CacheEntry{size, modified, array};
  return array;
}

}  // namespace genlab::data_detail
