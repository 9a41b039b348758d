// Block checksums of the /train and /eval series: every commit that adds rows to a series group
// closes one block (its rows since the previous block), and /series_sha256 keeps, per group, the
// end row of each block and, per column, the SHA-256 of that column's values in each block.
// Readers verify every block before using a value. Files written before block checksums (no
// /series_sha256) are read unchecked and stay so when resumed. It does not cover /images.
#include "genlab/error.hpp"
#include "genlab/hash.hpp"
#include "store/h5_extendible.hpp"
#include "store/run_layout.hpp"

#include <algorithm>
#include <cstring>

namespace genlab::store_detail {

namespace {
constexpr const char* sums_group = "series_sha256";  // /series_sha256/<group>/<column>, /series_sha256/<group>_rows
constexpr hsize_t digest_chars = 64;                 // a digest row: the hex SHA-256, as uint8

std::string ends_name(const std::string& group) { return std::string(sums_group) + "/" + group + "_rows"; }
std::string column_sums(const std::string& group) { return std::string(sums_group) + "/" + group; }

// The digest of rows [begin, end) of column `column` of series `group` (values as doubles).
std::string block_digest(const std::string& group, const std::string& column, std::int64_t begin, std::int64_t end,
                         const double* values) {
  std::string bytes = "genlab series block v1\n" + group + '/' + column + '\0' + std::to_string(begin) + ".." +
                      std::to_string(end) + '\0';
  bytes.append(reinterpret_cast<const char*>(values), static_cast<std::size_t>(end - begin) * sizeof(double));
  return sha256_hex(bytes);
}

std::vector<double> read_block(hid_t dataset, std::int64_t begin, std::int64_t end, const std::filesystem::path& path) {
  std::vector<double> out(static_cast<std::size_t>(end - begin));
  h5::read_rows(dataset, static_cast<hsize_t>(begin), out.size(), H5T_NATIVE_DOUBLE, out.data(), path);
  return out;
}

// Sets the digests of blocks [first, ends.size()) of one column (its digest dataset grown to fit).
void write_digests(hid_t file, const std::string& group, const std::string& column, const std::vector<std::int64_t>& ends,
                   std::size_t first, const std::filesystem::path& path) {
  const h5::Id series = h5::open_dataset(h5::open_group(file, group, path), column, path);
  const h5::Id sums = h5::open_group(file, column_sums(group), path);
  h5::Id digests = h5::exists(sums, column)
                       ? h5::open_dataset(sums, column, path)
                       : h5::create_extendible(sums, column, {H5T_STD_U8LE, {digest_chars}, 64, false, 0}, path);
  h5::set_row_count(digests, ends.size(), path);
  for (std::size_t b = first; b < ends.size(); ++b) {
    const std::int64_t begin = b == 0 ? 0 : ends[b - 1];
    const std::string hex = block_digest(group, column, begin, ends[b], read_block(series, begin, ends[b], path).data());
    h5::write_rows(digests, b, 1, H5T_NATIVE_UINT8, hex.data(), path);
  }
}

std::vector<std::int64_t> read_ends(hid_t file, const std::string& group, const std::filesystem::path& path) {
  return h5::read_int64s(h5::open_dataset(file, ends_name(group), path), path);
}

void write_ends(hid_t file, const std::string& group, const std::vector<std::int64_t>& ends, const std::filesystem::path& path) {
  const h5::Id dataset = h5::open_dataset(file, ends_name(group), path);
  h5::set_row_count(dataset, ends.size(), path);
  h5::write_rows(dataset, 0, ends.size(), H5T_NATIVE_INT64, ends.data(), path);
}

[[noreturn]] void bad_index(const std::filesystem::path& path, const std::string& group, const std::string& why) {
  throw StoreError(path.string() + ": series /" + group + " block checksums are inconsistent (" + why +
                   "): the file was changed or corrupted since it was written");
}
}  // namespace

void create_block_sums(hid_t file, const std::filesystem::path& path) {
  h5::create_group(file, sums_group, path);
  for (const std::string group : {train_group, eval_group}) {
    h5::create_group(file, column_sums(group), path);
    h5::create_extendible(file, ends_name(group), {H5T_STD_I64LE, {}, 64, false, 0}, path);
  }
}

bool has_block_sums(hid_t file) { return h5::exists(file, sums_group); }

void cut_blocks(hid_t file, const std::string& group, const std::filesystem::path& path) {
  if (!has_block_sums(file)) return;
  const h5::Id series = h5::open_group(file, group, path);
  const auto rows = static_cast<std::int64_t>(h5::row_count(h5::open_dataset(series, step_column, path), path));
  std::vector<std::int64_t> ends = read_ends(file, group, path);
  while (!ends.empty() && ends.back() > rows) ends.pop_back();  // a cut block's rest joins the next block
  write_ends(file, group, ends, path);
}

void seal_blocks(hid_t file, const std::string& group, const std::filesystem::path& path) {
  if (!has_block_sums(file)) return;  // a file from before block checksums stays unchecked
  const h5::Id series = h5::open_group(file, group, path);
  const auto rows = static_cast<std::int64_t>(h5::row_count(h5::open_dataset(series, step_column, path), path));
  std::vector<std::int64_t> ends = read_ends(file, group, path);
  while (!ends.empty() && ends.back() > rows) ends.pop_back();
  const std::size_t kept = ends.size();  // blocks sealed before (cut_blocks dropped those a truncation cut)
  if ((ends.empty() ? 0 : ends.back()) < rows) ends.push_back(rows);  // the rows since: one new block
  write_ends(file, group, ends, path);
  const h5::Id sums = h5::open_group(file, column_sums(group), path);
  for (const std::string& column : h5::children(series, path)) {  // a new column gets every block
    const hsize_t stored = h5::exists(sums, column) ? h5::row_count(h5::open_dataset(sums, column, path), path) : 0;
    write_digests(file, group, column, ends, std::min<std::size_t>(stored, kept), path);
  }
}

void verify_blocks(hid_t file, const std::string& group, const std::map<std::string, std::vector<double>>& series,
                   const std::filesystem::path& path) {
  if (!has_block_sums(file)) return;
  if (!h5::exists(file, ends_name(group)) || !h5::exists(file, column_sums(group))) bad_index(path, group, "index missing");
  const std::vector<std::int64_t> ends = read_ends(file, group, path);
  const auto steps = series.find(step_column);
  const std::int64_t rows = steps == series.end() ? 0 : static_cast<std::int64_t>(steps->second.size());
  for (std::size_t b = 0; b < ends.size(); ++b) {
    if (ends[b] <= (b == 0 ? 0 : ends[b - 1])) bad_index(path, group, "block ends not increasing");
  }
  if ((ends.empty() ? 0 : ends.back()) != rows) {
    bad_index(path, group, "blocks cover " + std::to_string(ends.empty() ? 0 : ends.back()) + " rows, the series has " +
                               std::to_string(rows));
  }
  const h5::Id sums = h5::open_group(file, column_sums(group), path);
  for (const std::string& column : h5::children(sums, path)) {
    if (series.count(column) == 0) bad_index(path, group, "checksums of a column '" + column + "' that is missing");
  }
  for (const auto& [column, values] : series) {
    if (!h5::exists(sums, column)) bad_index(path, group, "column '" + column + "' has no checksums");
    const h5::Id digests = h5::open_dataset(sums, column, path);
    if (h5::row_count(digests, path) != ends.size() || h5::row_dims(digests, path) != std::vector<hsize_t>{digest_chars}) {
      bad_index(path, group, "column '" + column + "' has checksums of another shape");
    }
    if (values.size() != static_cast<std::size_t>(rows)) bad_index(path, group, "column '" + column + "' has another length");
    std::vector<char> stored(ends.size() * digest_chars);
    h5::read_rows(digests, 0, ends.size(), H5T_NATIVE_UINT8, stored.data(), path);
    for (std::size_t b = 0; b < ends.size(); ++b) {
      const std::int64_t begin = b == 0 ? 0 : ends[b - 1];
      const std::string hex = block_digest(group, column, begin, ends[b], values.data() + begin);
      if (std::memcmp(hex.data(), stored.data() + b * digest_chars, digest_chars) != 0) {
        throw StoreError(path.string() + ": series /" + group + "/" + column + " block " + std::to_string(b) +
                         " checksum mismatch (rows " + std::to_string(begin) + ".." + std::to_string(ends[b] - 1) +
                         " were changed or corrupted since they were written)");
      }
    }
  }
}

}  // namespace genlab::store_detail
