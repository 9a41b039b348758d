// What a RunWriter holds between commits: columnar train/eval rows, image grids, root and metric
// attributes, the latest checkpoint and a pending truncation. Plain memory, no HDF5: appends are
// cheap and commit() publishes them in one go. It does not validate against the file's contents.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "genlab/store.hpp"

namespace genlab::store_detail {

// Rows of /train or /eval, one vector per column; every column is as long as `steps` (NaN where a
// row did not report the metric).
struct Rows {
  std::vector<std::int64_t> steps;
  std::map<std::string, std::vector<double>, std::less<>> columns;

  void add(std::int64_t step, std::initializer_list<std::pair<std::string_view, double>> fixed,
           const std::map<std::string, double>& metrics);
  void drop_after(std::int64_t step);  // forget rows with step > `step`
  bool empty() const { return steps.empty(); }
};

// Grids of one image name: all of shape `shape`, pixels concatenated.
struct ImageRows {
  std::vector<std::size_t> shape;
  std::vector<std::int64_t> steps;
  std::vector<std::uint8_t> pixels;
  void drop_after(std::int64_t step);
};

// Config text and grid of a file not written yet (set by RunWriter::create).
struct Skeleton {
  std::string config_text;
  std::map<std::string, std::string> grid;
};

struct PendingCheckpoint {
  std::int64_t step = 0;
  Checkpoint tensors;
};

// Throws StoreError unless `name` is usable as one HDF5 link name (non-empty, no '/', not "."/"..").
void check_name(const std::filesystem::path& file, const std::string& kind, const std::string& name);
// Same for a checkpoint tensor path "a/b/c": every component must be a valid name.
void check_tensor_path(const std::filesystem::path& file, const std::string& name);
// Number of elements of `shape` (1 for a scalar shape {}).
std::size_t element_count(const std::vector<std::size_t>& shape);
// Number of values a checkpoint tensor holds, whatever its type.
std::size_t value_count(const CheckpointTensor& tensor);

}  // namespace genlab::store_detail

namespace genlab {

struct RunWriter::Pending {
  std::optional<store_detail::Skeleton> skeleton;  // the file does not exist yet
  AttrMap root_attrs;
  store_detail::Rows train, eval;
  std::map<std::string, AttrMap> eval_attrs;
  std::map<std::string, AttrMap> train_attrs;
  std::map<std::string, store_detail::ImageRows> images;
  std::optional<store_detail::PendingCheckpoint> checkpoint;
  std::optional<std::int64_t> truncate_after;

  bool empty() const {
    return !skeleton && root_attrs.empty() && train.empty() && eval.empty() && eval_attrs.empty() && train_attrs.empty() && images.empty() &&
           !checkpoint && !truncate_after;
  }
};

}  // namespace genlab
