// /images: stacks of uint8 image grids (n, H, W[, C]), one grid per evaluation, gzip-compressed
// one grid per chunk, with the step of each grid in /images/<name>_step. It does not render or
// encode images (analysis writes PNGs).
#include <set>

#include "genlab/error.hpp"
#include "store/h5_extendible.hpp"
#include "store/run_layout.hpp"

namespace genlab::store_detail {

namespace {
std::string dims_str(const std::vector<hsize_t>& dims) {
  std::vector<std::size_t> shape(dims.begin(), dims.end());
  return checkpoint_shape_str(shape);
}

// Opens (or creates) the pixel stack and the step column of image `name`; checks the grid shape.
std::pair<h5::Id, h5::Id> open_image_stack(hid_t group, const std::string& name, const std::vector<std::size_t>& shape,
                                           const std::filesystem::path& path) {
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  const std::string step_name = name + image_step_suffix;
  if (!h5::exists(group, name)) {
    return {h5::create_extendible(group, name, {H5T_STD_U8LE, dims, 1, false, 4}, path),
            h5::create_extendible(group, step_name, {H5T_STD_I64LE, {}, 64, false, 0}, path)};
  }
  h5::Id pixels = h5::open_dataset(group, name, path);
  const std::vector<hsize_t> stored = h5::row_dims(pixels, path);
  if (stored != dims) {
    throw StoreError(path.string() + ": image '" + name + "' has grids of shape " + dims_str(stored) +
                     "; cannot append one of shape " + dims_str(dims));
  }
  return {std::move(pixels), h5::open_dataset(group, step_name, path)};
}
}  // namespace

void truncate_images(hid_t group, std::int64_t step, const std::filesystem::path& path) {
  for (const std::string& name : image_names(group, path)) {
    const h5::Id steps = h5::open_dataset(group, name + image_step_suffix, path);
    const hsize_t keep = h5::rows_up_to(h5::read_int64s(steps, path), step);
    h5::set_row_count(steps, keep, path);
    const h5::Id pixels = h5::open_dataset(group, name, path);
    if (h5::row_count(pixels, path) > keep) h5::set_row_count(pixels, keep, path);
  }
}

void append_images(hid_t group, const std::string& name, const ImageRows& rows, const std::filesystem::path& path) {
  if (rows.steps.empty()) return;
  const auto [pixels, steps] = open_image_stack(group, name, rows.shape, path);
  const hsize_t old_rows = h5::row_count(steps, path);
  const hsize_t new_rows = rows.steps.size();
  h5::set_row_count(steps, old_rows + new_rows, path);
  h5::write_rows(steps, old_rows, new_rows, H5T_NATIVE_INT64, rows.steps.data(), path);
  h5::set_row_count(pixels, old_rows + new_rows, path);
  h5::write_rows(pixels, old_rows, new_rows, H5T_NATIVE_UINT8, rows.pixels.data(), path);
}

std::vector<std::string> image_names(hid_t group, const std::filesystem::path& path) {
  const std::vector<std::string> children = h5::children(group, path);
  const std::set<std::string> all(children.begin(), children.end());
  std::vector<std::string> names;
  for (const std::string& name : children) {
    if (all.count(name + image_step_suffix) > 0) names.push_back(name);
  }
  return names;
}

}  // namespace genlab::store_detail
