// Read-only access to run files for analyze, show and resume: the summary (attrs, config, grid,
// series, metric attrs, image index), the checkpoint tensors and single image grids. Files are
// opened without locking, so reading never blocks a writer. It does not cache anything.
#include <algorithm>
#include <charconv>

#include "genlab/error.hpp"
#include "store/h5_attrs.hpp"
#include "store/h5_extendible.hpp"
#include "store/run_layout.hpp"

namespace genlab {

namespace fs = std::filesystem;
using namespace store_detail;

std::string checkpoint_shape_str(const std::vector<std::size_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + ")";
}

std::string attr_to_string(const Attr& attr) {
  if (const auto* text = std::get_if<std::string>(&attr)) return *text;
  if (const auto* integer = std::get_if<std::int64_t>(&attr)) return std::to_string(*integer);
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, std::get<double>(attr));  // shortest round trip
  return std::string(buffer, result.ptr);
}

namespace {
h5::Id open_run(const fs::path& path) {
  h5::Id file = h5::open_file(path, false);
  check_layout(file, path);
  return file;
}

std::int64_t checkpoint_step_of(hid_t group, const fs::path& path) {
  const AttrMap attrs = h5::read_attrs(group, path);
  const auto it = attrs.find("step");
  if (it == attrs.end() || !std::holds_alternative<std::int64_t>(it->second)) {
    throw StoreError(path.string() + ": /checkpoint has no integer attribute 'step'");
  }
  return std::get<std::int64_t>(it->second);
}
}  // namespace

RunSummary read_run(const fs::path& path) {
  const h5::Id file = open_run(path);
  RunSummary summary;
  summary.attrs = h5::read_attrs(file, path);
  summary.config_text = h5::read_string_dataset(file, "config", path);
  for (const auto& [key, value] : h5::read_attrs(h5::open_group(file, "grid", path), path)) {
    summary.grid[key] = attr_to_string(value);
  }
  const h5::Id train = h5::open_group(file, train_group, path);
  const h5::Id eval = h5::open_group(file, eval_group, path);
  summary.train = read_series(train, path);
  summary.eval = read_series(eval, path);
  verify_blocks(file, train_group, summary.train, path);  // a bad block is reported, never used
  verify_blocks(file, eval_group, summary.eval, path);
  summary.eval_attrs = read_series_attrs(eval, path);
  summary.train_attrs = read_series_attrs(train, path);
  const h5::Id images = h5::open_group(file, images_group, path);
  summary.image_names = image_names(images, path);
  for (const std::string& name : summary.image_names) {
    summary.image_steps[name] = h5::read_int64s(h5::open_dataset(images, name + image_step_suffix, path), path);
  }
  summary.has_checkpoint = h5::exists(file, checkpoint_group);
  if (summary.has_checkpoint) summary.checkpoint_step = checkpoint_step_of(h5::open_group(file, checkpoint_group, path), path);
  return summary;
}

Checkpoint read_checkpoint(const fs::path& path, std::int64_t* step) {
  const h5::Id file = open_run(path);
  if (!h5::exists(file, checkpoint_group)) throw StoreError(path.string() + ": the run file has no checkpoint");
  const h5::Id group = h5::open_group(file, checkpoint_group, path);
  const std::int64_t stored_step = checkpoint_step_of(group, path);
  Checkpoint checkpoint = read_checkpoint_tensors(group, path);
  const AttrMap attrs = h5::read_attrs(group, path);
  const auto digest = attrs.find("sha256");  // absent in files written before checksums
  if (digest != attrs.end() && attr_to_string(digest->second) != checkpoint_digest(stored_step, checkpoint)) {
    throw StoreError(path.string() + ": /checkpoint does not match its sha256 checksum (a tensor or the step was " +
                     "changed or corrupted since it was written)");
  }
  if (step != nullptr) *step = stored_step;
  return checkpoint;
}

std::vector<std::uint8_t> read_image(const fs::path& path, const std::string& name, std::size_t index,
                                     std::vector<std::size_t>* shape) {
  const h5::Id file = open_run(path);
  const h5::Id images = h5::open_group(file, images_group, path);
  const std::vector<std::string> names = image_names(images, path);
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    std::string known;
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    throw StoreError(path.string() + ": no image '" + name + "' (stored: " + (known.empty() ? "none" : known) + ")");
  }
  const h5::Id pixels = h5::open_dataset(images, name, path);
  const hsize_t count = h5::row_count(pixels, path);
  if (index >= count) {
    throw StoreError(path.string() + ": image '" + name + "' index " + std::to_string(index) + " is out of range (" +
                     std::to_string(count) + " stored)");
  }
  const std::vector<hsize_t> dims = h5::row_dims(pixels, path);
  const std::vector<std::size_t> grid_shape(dims.begin(), dims.end());
  std::vector<std::uint8_t> out(element_count(grid_shape));
  h5::read_rows(pixels, index, 1, H5T_NATIVE_UINT8, out.data(), path);
  if (shape != nullptr) *shape = grid_shape;
  return out;
}

}  // namespace genlab
