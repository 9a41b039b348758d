// The run-file layout (/config, /grid, /train, /eval, /images, /checkpoint) on an open HDF5 file:
// the writing half applies a RunWriter's pending state, the reading half serves read_run & co.
// It does not open, copy or rename files (run_writer.cpp and run_reader.cpp do).
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "store/h5.hpp"
#include "store/pending.hpp"

namespace genlab::store_detail {

// Group names and the fixed columns every run file has.
inline constexpr const char* train_group = "train";
inline constexpr const char* eval_group = "eval";
inline constexpr const char* images_group = "images";
inline constexpr const char* checkpoint_group = "checkpoint";
inline constexpr const char* step_column = "step";
inline constexpr const char* image_step_suffix = "_step";

// /config, /grid and empty /train (step, epoch, samples_per_s), /eval (step, epoch), /images.
void write_skeleton(hid_t file, const Skeleton& skeleton, const std::filesystem::path& path);
// Throws StoreError unless `file` has the groups and step columns of a run file.
void check_layout(hid_t file, const std::filesystem::path& path);

// Series groups (/train, /eval): cut rows with step > `step`; append columnar rows (columns
// absent from `rows` get NaN, new columns are created NaN-filled for the earlier rows).
void truncate_series(hid_t group, std::int64_t step, const std::filesystem::path& path);
void append_series(hid_t group, const Rows& rows, hsize_t chunk_rows, const std::filesystem::path& path);
// Replaces the attributes of each metric dataset (created NaN-filled if it does not exist yet).
void write_metric_attrs(hid_t group, const std::map<std::string, AttrMap>& attrs, const std::filesystem::path& path);
// Every 1-D dataset of a series group, as doubles; and the attributes of each.
std::map<std::string, std::vector<double>> read_series(hid_t group, const std::filesystem::path& path);
std::map<std::string, AttrMap> read_series_attrs(hid_t group, const std::filesystem::path& path);

// Block checksums of the series groups (series_checksums.cpp): /series_sha256 of a new file;
// whether a file has them (files written before them do not, and are read unchecked); closing
// the rows added (or cut) since the last commit into a block; checking every block of `series`
// (the group as read_series returns it), a StoreError naming the file, column and block if not.
void create_block_sums(hid_t file, const std::filesystem::path& path);
bool has_block_sums(hid_t file);
void cut_blocks(hid_t file, const std::string& group, const std::filesystem::path& path);  // after a truncation
void seal_blocks(hid_t file, const std::string& group, const std::filesystem::path& path);
void verify_blocks(hid_t file, const std::string& group, const std::map<std::string, std::vector<double>>& series,
                   const std::filesystem::path& path);

// /images/<name> (n, H, W[, C]) uint8 and /images/<name>_step (n,) int64.
void truncate_images(hid_t group, std::int64_t step, const std::filesystem::path& path);
void append_images(hid_t group, const std::string& name, const ImageRows& rows, const std::filesystem::path& path);
std::vector<std::string> image_names(hid_t group, const std::filesystem::path& path);

// /checkpoint: replaced by exactly the tensors of `checkpoint` and attribute "step".
void write_checkpoint(hid_t file, const PendingCheckpoint& checkpoint, const std::filesystem::path& path);
Checkpoint read_checkpoint_tensors(hid_t group, const std::filesystem::path& path);
// SHA-256 (hex) of a checkpoint's step and tensors: /checkpoint's "sha256" attribute.
std::string checkpoint_digest(std::int64_t step, const Checkpoint& checkpoint);
// Every dataset below `group`, as relative paths "a/b/c", in name order.
std::vector<std::string> dataset_paths(hid_t group, const std::filesystem::path& path);

}  // namespace genlab::store_detail
