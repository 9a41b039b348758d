// RunWriter: validates and buffers appends in memory, and commits them copy-on-write: build the next
// version in memory (objects of the published file + pending state), write it to <file>.tmp,
// fsync, rename over the published file, fsync the folder. The published file is never open for writing, so readers
// and kill -9 only ever see a complete file. It does not serialise two writers of one file.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "genlab/error.hpp"
#include "store/h5_attrs.hpp"
#include "store/run_layout.hpp"

namespace genlab {

namespace fs = std::filesystem;
using store_detail::Rows;

namespace {
fs::path tmp_path(const fs::path& path) { return fs::path(path.string() + ".tmp"); }

fs::path folder_of(const fs::path& path) { return path.has_parent_path() ? path.parent_path() : fs::path("."); }

// Flushes a file or folder to the disk (so a power cut after rename keeps the new content).
void sync_path(const fs::path& path, bool folder) {
  const int fd = ::open(path.c_str(), folder ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0) throw StoreError(path.string() + ": cannot open for fsync: " + std::strerror(errno));
  const int status = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (status != 0) throw StoreError(path.string() + ": fsync failed: " + std::strerror(saved));
}

void remove_stale_tmp(const fs::path& path) {
  std::error_code ignored;
  fs::remove(tmp_path(path), ignored);
}

void check_reserved(const fs::path& path, const std::string& kind, const std::string& name,
                    std::initializer_list<const char*> reserved) {
  store_detail::check_name(path, kind, name);
  for (const char* r : reserved) {
    if (name == r) throw StoreError(path.string() + ": " + kind + " name '" + name + "' is reserved");
  }
}

// Writes everything pending into the open (temporary) file.
void apply(hid_t file, const RunWriter::Pending& pending, const fs::path& path) {
  using namespace store_detail;
  if (pending.skeleton) write_skeleton(file, *pending.skeleton, path);
  const h5::Id train = h5::open_group(file, train_group, path);
  const h5::Id eval = h5::open_group(file, eval_group, path);
  const h5::Id images = h5::open_group(file, images_group, path);
  if (pending.truncate_after) {
    truncate_series(train, *pending.truncate_after, path);
    truncate_series(eval, *pending.truncate_after, path);
    truncate_images(images, *pending.truncate_after, path);
    cut_blocks(file, train_group, path);  // else a cut re-filled to the same length would keep its old checksums
    cut_blocks(file, eval_group, path);
  }
  h5::write_attrs(file, pending.root_attrs, path);
  append_series(train, pending.train, 1024, path);
  append_series(eval, pending.eval, 64, path);
  write_metric_attrs(eval, pending.eval_attrs, path);
  write_metric_attrs(train, pending.train_attrs, path);
  seal_blocks(file, train_group, path);
  seal_blocks(file, eval_group, path);
  for (const auto& [name, rows] : pending.images) append_images(images, name, rows, path);
  if (pending.checkpoint) write_checkpoint(file, *pending.checkpoint, path);
}

// Copies everything of the published file into the new version `to`, except /checkpoint when a
// new checkpoint replaces it. Copying object by object (rather than byte by byte) leaves behind
// the space HDF5 cannot reclaim (rewritten string attributes, replaced datasets), so files do not
// grow per commit.
void copy_published(const fs::path& path, hid_t to, bool skip_checkpoint) {
  const h5::Id from = h5::open_file(path, false);
  h5::write_attrs(to, h5::read_attrs(from, path), path);
  for (const std::string& name : h5::children(from, path)) {
    if (skip_checkpoint && name == store_detail::checkpoint_group) continue;
    h5::check(H5Ocopy(from, name.c_str(), to, name.c_str(), H5P_DEFAULT, H5P_DEFAULT), path,
              "cannot copy '/" + name + "' into the new version");
  }
}

// Writes `bytes` to a new file `file` and fsyncs it; a full disk is a StoreError naming the file.
void write_durably(const fs::path& file, const std::vector<unsigned char>& bytes) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw StoreError(file.string() + ": cannot create: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = n < 0 ? errno : ENOSPC;
      ::close(fd);
      throw StoreError(file.string() + ": cannot write " + std::to_string(bytes.size()) + " bytes: " + std::strerror(saved));
    }
    done += static_cast<std::size_t>(n);
  }
  const int synced = ::fsync(fd), sync_errno = errno;
  const int closed = ::close(fd), close_errno = errno;
  if (synced != 0 || closed != 0) {
    throw StoreError(file.string() + ": cannot flush to disk: " + std::strerror(synced != 0 ? sync_errno : close_errno));
  }
}

// Builds the next version of `path` in memory, writes it to `tmp` and renames it over `path`.
// HDF5 never writes to disk itself, so a full disk or I/O error leaves no HDF5 file open (an
// HDF5 file whose close failed stays open and crashes HDF5's exit handler).
void publish(const fs::path& path, const fs::path& tmp, const RunWriter::Pending& pending) {
  std::vector<unsigned char> image;
  {
    h5::Id file = h5::create_memory_file(tmp);
    if (!pending.skeleton) copy_published(path, file, pending.checkpoint.has_value());
    apply(file, pending, path);
    image = h5::file_image(file, tmp);
  }
  write_durably(tmp, image);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw StoreError(path.string() + ": cannot rename " + tmp.string() + " over it: " + ec.message());
  sync_path(folder_of(path), true);
}
}  // namespace

RunWriter::RunWriter(fs::path path) : path_(std::move(path)), pending_(std::make_unique<Pending>()) {}
RunWriter::RunWriter(RunWriter&&) noexcept = default;
RunWriter& RunWriter::operator=(RunWriter&&) noexcept = default;
RunWriter::~RunWriter() = default;

RunWriter RunWriter::create(const fs::path& path, const AttrMap& root_attrs, const std::string& config_text,
                            const std::map<std::string, std::string>& grid) {
  const fs::path folder = folder_of(path);
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw StoreError("cannot create the results folder " + folder.string() + ": " + ec.message());
  if (fs::exists(path, ec)) {
    throw StoreError(path.string() + ": a run file already exists (is another genlab writing this run?); run again to resume it, or delete it");
  }
  remove_stale_tmp(path);
  RunWriter writer(path);
  writer.pending_->skeleton = store_detail::Skeleton{config_text, grid};
  writer.pending_->root_attrs = root_attrs;
  try {
    writer.commit();
  } catch (const StoreError& e) {
    throw StoreError("cannot write a run file in folder " + folder.string() + ": " + e.what());
  }
  return writer;
}

RunWriter RunWriter::open_existing(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw StoreError(path.string() + ": run file does not exist (nothing to resume)");
  remove_stale_tmp(path);  // left by a crash during commit: the published file is the valid one
  const h5::Id file = h5::open_file(path, false);
  store_detail::check_layout(file, path);
  return RunWriter(path);
}

void RunWriter::set_attrs(const AttrMap& attrs) {
  for (const auto& [name, value] : attrs) pending_->root_attrs.insert_or_assign(name, value);
}

void RunWriter::append_train(std::int64_t step, double epoch, double samples_per_s,
                             const std::map<std::string, double>& metrics,
                             const std::map<std::string, AttrMap>& metric_attrs) {
  for (const auto& [name, value] : metrics) check_reserved(path_, "train metric", name, {"step", "epoch", "samples_per_s"});
  for (const auto& [name, attrs] : metric_attrs) check_reserved(path_, "train metric", name, {"step", "epoch", "samples_per_s"});
  pending_->train.add(step, {{"epoch", epoch}, {"samples_per_s", samples_per_s}}, metrics);
  for (const auto& [name, attrs] : metric_attrs) {
    for (const auto& [key, value] : attrs) pending_->train_attrs[name].insert_or_assign(key, value);
  }
}

void RunWriter::append_eval(std::int64_t step, double epoch, const std::map<std::string, double>& metrics,
                            const std::map<std::string, AttrMap>& metric_attrs) {
  for (const auto& [name, value] : metrics) check_reserved(path_, "eval metric", name, {"step", "epoch"});
  for (const auto& [name, attrs] : metric_attrs) check_reserved(path_, "eval metric", name, {"step", "epoch"});
  pending_->eval.add(step, {{"epoch", epoch}}, metrics);
  for (const auto& [name, attrs] : metric_attrs) {
    for (const auto& [key, value] : attrs) pending_->eval_attrs[name].insert_or_assign(key, value);
  }
}

void RunWriter::append_image(const std::string& name, std::int64_t step, const std::vector<std::size_t>& shape,
                             const std::vector<std::uint8_t>& pixels) {
  store_detail::check_name(path_, "image", name);
  const std::string suffix = store_detail::image_step_suffix;
  if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
    throw StoreError(path_.string() + ": image name '" + name + "' must not end in '" + suffix + "'");
  }
  if ((shape.size() != 2 && shape.size() != 3) || std::count(shape.begin(), shape.end(), std::size_t{0}) > 0) {
    throw StoreError(path_.string() + ": image '" + name + "' has shape " + checkpoint_shape_str(shape) +
                     " (expected (H, W) or (H, W, C), none zero)");
  }
  if (pixels.size() != store_detail::element_count(shape)) {
    throw StoreError(path_.string() + ": image '" + name + "' of shape " + checkpoint_shape_str(shape) + " needs " +
                     std::to_string(store_detail::element_count(shape)) + " pixels, got " + std::to_string(pixels.size()));
  }
  store_detail::ImageRows& rows = pending_->images[name];
  if (rows.steps.empty()) rows.shape = shape;
  if (rows.shape != shape) {
    throw StoreError(path_.string() + ": image '" + name + "' has grids of shape " + checkpoint_shape_str(rows.shape) +
                     "; cannot append one of shape " + checkpoint_shape_str(shape));
  }
  rows.steps.push_back(step);
  rows.pixels.insert(rows.pixels.end(), pixels.begin(), pixels.end());
}

void RunWriter::set_checkpoint(std::int64_t step, Checkpoint checkpoint) {
  for (const auto& [name, tensor] : checkpoint) {
    store_detail::check_tensor_path(path_, name);
    const std::size_t expected = store_detail::element_count(tensor.shape);
    if (store_detail::value_count(tensor) != expected) {
      throw StoreError(path_.string() + ": checkpoint tensor '" + name + "' of shape " +
                       checkpoint_shape_str(tensor.shape) + " needs " + std::to_string(expected) + " values, got " +
                       std::to_string(store_detail::value_count(tensor)));
    }
  }
  pending_->checkpoint = store_detail::PendingCheckpoint{step, std::move(checkpoint)};
}

void RunWriter::truncate_after(std::int64_t step) {
  Pending& p = *pending_;
  p.truncate_after = p.truncate_after ? std::min(*p.truncate_after, step) : step;
  p.train.drop_after(step);
  p.eval.drop_after(step);
  for (auto& [name, rows] : p.images) rows.drop_after(step);
  if (p.checkpoint && p.checkpoint->step > step) p.checkpoint.reset();
}

bool RunWriter::has_pending() const { return !pending_->empty(); }

void RunWriter::discard_pending() { *pending_ = Pending{}; }

void RunWriter::commit() {
  h5::quiet_errors();
  if (pending_->empty()) return;
  const fs::path tmp = tmp_path(path_);
  try {
    publish(path_, tmp, *pending_);
  } catch (...) {
    remove_stale_tmp(path_);  // the published file is untouched; keep pending for a retry
    throw;
  }
  *pending_ = Pending{};
}

}  // namespace genlab
