// The run file: one HDF5 file per run holding provenance, config, grid coordinates, metric series,
// image grids and the latest checkpoint. Writes are copy-on-write commits (build the next version
// in memory from the published one plus the pending data, write it to <file>.tmp, fsync, rename
// over the published one), so a kill -9 at any moment leaves the old or the new complete file, never a torn one.
// It does not know what the metrics mean, nor how a model maps to tensors; HDF5 types stay in
// harness/src/store (this header is HDF5-free).
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace genlab {

// An HDF5 attribute value: UTF-8 string, int64 or float64.
using Attr = std::variant<std::string, std::int64_t, double>;
using AttrMap = std::map<std::string, Attr>;

// One tensor of a checkpoint, row-major; shape {} is a scalar. Stored bit for bit.
struct CheckpointTensor {
  std::vector<std::size_t> shape;
  std::variant<std::vector<float>, std::vector<double>, std::vector<std::int64_t>, std::vector<std::uint64_t>> data;
  bool operator==(const CheckpointTensor&) const = default;
};
// Named tensors ("params/encoder/fc1/W", "optim/model/m/encoder/fc1/W", "rng/noise", "cursor").
using Checkpoint = std::map<std::string, CheckpointTensor>;

// "(2, 3)": a readable shape for messages.
std::string checkpoint_shape_str(const std::vector<std::size_t>& shape);

// Writes one run file. Appends are kept in memory until commit(), which publishes them atomically.
// One writer per run file; readers (read_run, h5py, h5dump) may read the file at any time.
class RunWriter {
 public:
  // Starts a new run file (parent folders are created) and commits it at once. Throws StoreError
  // naming the folder if it cannot be created/written, or the file if it already exists.
  static RunWriter create(const std::filesystem::path& path, const AttrMap& root_attrs,
                          const std::string& config_text, const std::map<std::string, std::string>& grid);
  // Reopens an existing run file for appending (resume). A stale "<file>.tmp" left by a crash is
  // deleted. Throws StoreError if the file is missing or not a genlab run file. Read the state to
  // resume from with read_run()/read_checkpoint().
  static RunWriter open_existing(const std::filesystem::path& path);

  RunWriter(RunWriter&&) noexcept;
  RunWriter& operator=(RunWriter&&) noexcept;
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;
  ~RunWriter();  // pending, uncommitted data is dropped (commit explicitly)

  const std::filesystem::path& path() const { return path_; }

  // Root attributes (status, updated_at, ...) to add or replace at the next commit.
  void set_attrs(const AttrMap& attrs);
  // One row of /train: metrics missing in this row (or new metrics missing in earlier rows) are NaN.
  // Names "step", "epoch", "samples_per_s" are reserved. metric_attrs[name] describe metric `name`
  // (a plugin's metric card: definition, unit, better), added to or replacing earlier ones.
  void append_train(std::int64_t step, double epoch, double samples_per_s, const std::map<std::string, double>& metrics,
                    const std::map<std::string, AttrMap>& metric_attrs = {});
  // One evaluation: a row of /eval (missing metrics are NaN); metric_attrs[name] describe metric
  // `name` (definition, split, n, k, classifier_sha256, ...), added to or replacing earlier ones.
  void append_eval(std::int64_t step, double epoch, const std::map<std::string, double>& metrics,
                   const std::map<std::string, AttrMap>& metric_attrs = {});
  // One image grid of /images/<name>: shape (H, W) or (H, W, C), uint8 pixels row-major; every
  // grid of one name must have the same shape.
  void append_image(const std::string& name, std::int64_t step, const std::vector<std::size_t>& shape,
                    const std::vector<std::uint8_t>& pixels);
  // Replaces the stored checkpoint at the next commit (tensors absent from `checkpoint` are removed).
  void set_checkpoint(std::int64_t step, Checkpoint checkpoint);
  // Drops, at the next commit and before the new rows are added, every train/eval row and image
  // logged after `step` (rows with step > `step`): used on resume from a checkpoint of that step.
  void truncate_after(std::int64_t step);

  // Publishes everything pending atomically: the published file's objects are copied into an
  // in-memory file (all but /checkpoint when a new one is pending), the pending data is added, its
  // bytes are written to <file>.tmp, then fsync and rename. Cost grows with the file size
  // (~30-50 ms for 9 MB). On failure nothing pending is lost and the published file is
  // unchanged; throws StoreError.
  void commit();
  bool has_pending() const;
  // Drops everything pending (after a failed commit, to record only a status that fits on disk).
  void discard_pending();

  struct Pending;  // the uncommitted rows, images, attrs and checkpoint (defined in src/store)

 private:
  explicit RunWriter(std::filesystem::path path);
  std::filesystem::path path_;
  std::unique_ptr<Pending> pending_;
};

// What analyze/show/resume need from a run file (everything but checkpoint tensors and pixels).
struct RunSummary {
  AttrMap attrs;                                     // root attributes
  std::string config_text;                           // /config
  std::map<std::string, std::string> grid;           // /grid attributes
  std::map<std::string, std::vector<double>> train;  // /train/* incl. step, epoch, samples_per_s
  std::map<std::string, std::vector<double>> eval;   // /eval/* incl. step, epoch
  std::map<std::string, AttrMap> eval_attrs;         // attributes of each /eval metric
  std::map<std::string, AttrMap> train_attrs;        // attributes of each /train metric
  std::vector<std::string> image_names;              // /images/<name> (without the _step companions)
  std::map<std::string, std::vector<std::int64_t>> image_steps;  // step of every stored grid
  bool has_checkpoint = false;
  std::int64_t checkpoint_step = -1;
};

// Reads a run file (read-only, without file locking). Throws StoreError naming the file.
// In-process: a file with corrupt HDF5 metadata can crash or hang HDF5 (see read_runs_isolated).
RunSummary read_run(const std::filesystem::path& path);

// read_run in a forked reader process, for files that may be corrupt (analyze, show, the
// executor): a file that crashes the reader, or takes longer than `timeout_s`, is reported as
// unreadable with the reason and the next file is read by a new reader. Call it while no other
// thread uses HDF5 (fork copies one thread).
struct IsolatedRead {
  std::optional<RunSummary> summary;
  std::string error;  // when !summary: "<file>: <reason>"
};
std::vector<IsolatedRead> read_runs_isolated(const std::vector<std::filesystem::path>& files, double timeout_s = 20);
// One file; throws StoreError with the reason when it is unreadable.
RunSummary read_run_isolated(const std::filesystem::path& file, double timeout_s = 20);
// The stored checkpoint and its step; throws StoreError if the file has none.
Checkpoint read_checkpoint(const std::filesystem::path& path, std::int64_t* step = nullptr);
// Grid `index` of /images/<name>; `shape` receives (H, W) or (H, W, C).
std::vector<std::uint8_t> read_image(const std::filesystem::path& path, const std::string& name, std::size_t index,
                                     std::vector<std::size_t>* shape = nullptr);
// The same in an isolated reader process (as read_run_isolated): a file that crashes or hangs
// HDF5 is a StoreError "<file>: <reason>", never a crash of the caller.
std::vector<std::uint8_t> read_image_isolated(const std::filesystem::path& path, const std::string& name, std::size_t index,
                                              std::vector<std::size_t>* shape = nullptr, double timeout_s = 20);

// "" when two run files hold bitwise-identical metrics (train series except samples_per_s, eval
// series) and checkpoints; otherwise what differs first ("eval/loss differs").
std::string compare_run_files(const std::filesystem::path& a, const std::filesystem::path& b);

// An attribute as text ("2.5", "7", "finished") for tables and messages.
std::string attr_to_string(const Attr& attr);

}  // namespace genlab
