// /train and /eval: the skeleton of a new run file and the metric series (append, truncate, read).
// Every dataset of a series group has as many rows as its "step" column. It does not decide when
// rows are logged; the runner does.
#include "genlab/error.hpp"
#include "store/h5_attrs.hpp"
#include "store/h5_extendible.hpp"
#include "store/run_layout.hpp"

namespace genlab::store_detail {

namespace {
h5::ExtendibleSpec float_series(hsize_t chunk_rows) { return {H5T_IEEE_F64LE, {}, chunk_rows, true, 0}; }
h5::ExtendibleSpec step_series(hsize_t chunk_rows) { return {H5T_STD_I64LE, {}, chunk_rows, false, 0}; }

void create_series_group(hid_t file, const char* name, std::initializer_list<const char*> float_columns,
                         hsize_t chunk_rows, const std::filesystem::path& path) {
  const h5::Id group = h5::create_group(file, name, path);
  h5::create_extendible(group, step_column, step_series(chunk_rows), path);
  for (const char* column : float_columns) h5::create_extendible(group, column, float_series(chunk_rows), path);
}

// Opens column `name`, creating it as a NaN-filled float series of `rows` rows if it is missing.
h5::Id open_or_create_column(hid_t group, const std::string& name, hsize_t rows, hsize_t chunk_rows,
                             const std::filesystem::path& path) {
  if (h5::exists(group, name)) return h5::open_dataset(group, name, path);
  h5::Id dataset = h5::create_extendible(group, name, float_series(chunk_rows), path);
  h5::set_row_count(dataset, rows, path);
  return dataset;
}

bool is_series(hid_t dataset) {
  const hid_t space = H5Dget_space(dataset);
  const int rank = H5Sget_simple_extent_ndims(space);
  H5Sclose(space);
  return rank == 1;
}
}  // namespace

void write_skeleton(hid_t file, const Skeleton& skeleton, const std::filesystem::path& path) {
  h5::write_string_dataset(file, "config", skeleton.config_text, path);
  const h5::Id grid = h5::create_group(file, "grid", path);
  for (const auto& [key, value] : skeleton.grid) h5::write_attr(grid, key, value, path);
  create_series_group(file, train_group, {"epoch", "samples_per_s"}, 1024, path);
  create_series_group(file, eval_group, {"epoch"}, 64, path);
  h5::create_group(file, images_group, path);
  create_block_sums(file, path);
}

void check_layout(hid_t file, const std::filesystem::path& path) {
  for (const std::string name : {"config", "grid", "train/step", "eval/step", "images"}) {
    if (!h5::exists(file, name)) {
      throw StoreError(path.string() + ": not a genlab run file ('/" + name + "' is missing)");
    }
  }
}

void truncate_series(hid_t group, std::int64_t step, const std::filesystem::path& path) {
  const h5::Id steps = h5::open_dataset(group, step_column, path);
  const hsize_t keep = h5::rows_up_to(h5::read_int64s(steps, path), step);
  for (const std::string& name : h5::children(group, path)) {
    const h5::Id dataset = h5::open_dataset(group, name, path);
    if (h5::row_count(dataset, path) > keep) h5::set_row_count(dataset, keep, path);
  }
}

void append_series(hid_t group, const Rows& rows, hsize_t chunk_rows, const std::filesystem::path& path) {
  if (rows.empty()) return;
  const h5::Id steps = h5::open_dataset(group, step_column, path);
  const hsize_t old_rows = h5::row_count(steps, path);
  const hsize_t new_rows = rows.steps.size();
  h5::set_row_count(steps, old_rows + new_rows, path);
  h5::write_rows(steps, old_rows, new_rows, H5T_NATIVE_INT64, rows.steps.data(), path);
  for (const auto& [name, column] : rows.columns) {
    const h5::Id dataset = open_or_create_column(group, name, old_rows, chunk_rows, path);
    h5::set_row_count(dataset, old_rows + new_rows, path);
    h5::write_rows(dataset, old_rows, new_rows, H5T_NATIVE_DOUBLE, column.data(), path);
  }
  for (const std::string& name : h5::children(group, path)) {  // columns not reported: NaN rows
    if (name == step_column || rows.columns.count(name) > 0) continue;
    const h5::Id dataset = h5::open_dataset(group, name, path);
    h5::set_row_count(dataset, old_rows + new_rows, path);
  }
}

void write_metric_attrs(hid_t group, const std::map<std::string, AttrMap>& attrs, const std::filesystem::path& path) {
  if (attrs.empty()) return;
  const hsize_t rows = h5::row_count(h5::open_dataset(group, step_column, path), path);
  for (const auto& [name, metric_attrs] : attrs) {
    const h5::Id dataset = open_or_create_column(group, name, rows, 64, path);
    h5::write_attrs(dataset, metric_attrs, path);
  }
}

std::map<std::string, std::vector<double>> read_series(hid_t group, const std::filesystem::path& path) {
  std::map<std::string, std::vector<double>> out;
  for (const std::string& name : h5::children(group, path)) {
    const h5::Id dataset = h5::open_dataset(group, name, path);
    if (is_series(dataset)) out[name] = h5::read_doubles(dataset, path);
  }
  return out;
}

std::map<std::string, AttrMap> read_series_attrs(hid_t group, const std::filesystem::path& path) {
  std::map<std::string, AttrMap> out;
  for (const std::string& name : h5::children(group, path)) {
    const h5::Id dataset = h5::open_dataset(group, name, path);
    AttrMap attrs = h5::read_attrs(dataset, path);
    if (!attrs.empty()) out[name] = std::move(attrs);
  }
  return out;
}

}  // namespace genlab::store_detail
