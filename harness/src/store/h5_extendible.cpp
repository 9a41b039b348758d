// Extendible chunked datasets for series and image stacks: create, grow/shrink, row I/O.
// It does not validate row contents; callers check shapes before writing.
#include "store/h5_extendible.hpp"

#include <limits>

namespace genlab::h5 {

Id create_extendible(hid_t loc, const std::string& name, const ExtendibleSpec& spec, const std::filesystem::path& file) {
  std::vector<hsize_t> dims{0}, max_dims{H5S_UNLIMITED}, chunk{spec.chunk_rows};
  for (const hsize_t d : spec.row_dims) {
    dims.push_back(d);
    max_dims.push_back(d);
    chunk.push_back(d == 0 ? 1 : d);
  }
  const std::string what = "dataset '" + name + "'";
  const Id space(check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.data()), file,
                          "cannot create the dataspace of " + what),
                 H5Sclose);
  const Id dcpl = new_plist(H5P_DATASET_CREATE, file);
  check(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), file, "cannot chunk " + what);
  if (spec.nan_fill) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    check(H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan), file, "cannot set the fill value of " + what);
  }
  if (spec.deflate > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
    check(H5Pset_deflate(dcpl, static_cast<unsigned>(spec.deflate)), file, "cannot compress " + what);
  }
  return Id(check_id(H5Dcreate2(loc, name.c_str(), spec.file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), file,
                     "cannot create " + what),
            H5Dclose);
}

namespace {
std::vector<hsize_t> all_dims(hid_t dataset, const std::filesystem::path& file) {
  const Id space = dataset_space(dataset, file);
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 1) fail(file, "a series or image dataset has rank " + std::to_string(rank) + " (expected >= 1)");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

// Selects rows [offset, offset + count) of `dataset`; returns (file space, memory space).
std::pair<Id, Id> select_rows(hid_t dataset, hsize_t offset, hsize_t count, const std::filesystem::path& file) {
  Id space = dataset_space(dataset, file);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  if (offset + count > dims[0]) {
    fail(file, "rows " + std::to_string(offset) + ".." + std::to_string(offset + count) + " are past the end (" +
                   std::to_string(dims[0]) + " rows)");
  }
  std::vector<hsize_t> start(dims.size(), 0), counts = dims;
  start[0] = offset;
  counts[0] = count;
  check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, counts.data(), nullptr), file,
        "cannot select rows");
  Id memory(check_id(H5Screate_simple(rank, counts.data(), nullptr), file, "cannot create a memory dataspace"),
            H5Sclose);
  return {std::move(space), std::move(memory)};
}
}  // namespace

hsize_t row_count(hid_t dataset, const std::filesystem::path& file) { return all_dims(dataset, file)[0]; }

std::vector<hsize_t> row_dims(hid_t dataset, const std::filesystem::path& file) {
  const std::vector<hsize_t> dims = all_dims(dataset, file);
  return std::vector<hsize_t>(dims.begin() + 1, dims.end());
}

void set_row_count(hid_t dataset, hsize_t rows, const std::filesystem::path& file) {
  std::vector<hsize_t> dims = all_dims(dataset, file);
  if (dims[0] == rows) return;
  dims[0] = rows;
  check(H5Dset_extent(dataset, dims.data()), file, "cannot resize a dataset to " + std::to_string(rows) + " rows");
}

void write_rows(hid_t dataset, hsize_t offset, hsize_t count, hid_t mem_type, const void* data,
                const std::filesystem::path& file) {
  if (count == 0) return;
  const auto [space, memory] = select_rows(dataset, offset, count, file);
  check(H5Dwrite(dataset, mem_type, memory, space, H5P_DEFAULT, data), file, "cannot write rows");
}

void read_rows(hid_t dataset, hsize_t offset, hsize_t count, hid_t mem_type, void* out, const std::filesystem::path& file) {
  if (count == 0) return;
  const auto [space, memory] = select_rows(dataset, offset, count, file);
  check(H5Dread(dataset, mem_type, memory, space, H5P_DEFAULT, out), file, "cannot read rows");
}

std::vector<double> read_doubles(hid_t dataset, const std::filesystem::path& file) {
  std::vector<double> out(row_count(dataset, file));
  read_rows(dataset, 0, out.size(), H5T_NATIVE_DOUBLE, out.data(), file);
  return out;
}

std::vector<std::int64_t> read_int64s(hid_t dataset, const std::filesystem::path& file) {
  std::vector<std::int64_t> out(row_count(dataset, file));
  read_rows(dataset, 0, out.size(), H5T_NATIVE_INT64, out.data(), file);
  return out;
}

std::size_t rows_up_to(const std::vector<std::int64_t>& steps, std::int64_t step) {
  std::size_t i = 0;
  while (i < steps.size() && steps[i] <= step) ++i;
  return i;
}

}  // namespace genlab::h5
