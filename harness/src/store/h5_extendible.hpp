// Chunked datasets that grow along their first axis: metric series (n,) and image stacks
// (n, H, W[, C]). Rows are appended, read back or cut off; the trailing dimensions never change.
// It does not know which group a dataset lives in or what its rows mean.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "store/h5.hpp"

namespace genlab::h5 {

struct ExtendibleSpec {
  hid_t file_type;                  // e.g. H5T_IEEE_F64LE, H5T_STD_I64LE, H5T_STD_U8LE
  std::vector<hsize_t> row_dims;    // trailing dimensions: {} for a series, {H, W[, C]} for images
  hsize_t chunk_rows = 1024;
  bool nan_fill = false;            // float series: rows never written read back as NaN
  int deflate = 0;                  // gzip level, 0 = none
};

// Creates dataset `name` with 0 rows (rows may be added without bound).
Id create_extendible(hid_t loc, const std::string& name, const ExtendibleSpec& spec, const std::filesystem::path& file);
// Number of rows (first dimension) and the trailing dimensions.
hsize_t row_count(hid_t dataset, const std::filesystem::path& file);
std::vector<hsize_t> row_dims(hid_t dataset, const std::filesystem::path& file);
// Grows or shrinks to `rows` rows (new rows hold the fill value).
void set_row_count(hid_t dataset, hsize_t rows, const std::filesystem::path& file);
// Writes `count` rows of memory type `mem_type` at row `offset` (grow the dataset first).
void write_rows(hid_t dataset, hsize_t offset, hsize_t count, hid_t mem_type, const void* data,
                const std::filesystem::path& file);
// Reads `count` rows from row `offset` into `out` (room for count * row size values of mem_type).
void read_rows(hid_t dataset, hsize_t offset, hsize_t count, hid_t mem_type, void* out, const std::filesystem::path& file);

// A whole 1-D dataset converted to double / int64 by HDF5.
std::vector<double> read_doubles(hid_t dataset, const std::filesystem::path& file);
std::vector<std::int64_t> read_int64s(hid_t dataset, const std::filesystem::path& file);

// Index of the first entry > step in a step column (its size if none): the rows to keep.
std::size_t rows_up_to(const std::vector<std::int64_t>& steps, std::int64_t step);

}  // namespace genlab::h5
