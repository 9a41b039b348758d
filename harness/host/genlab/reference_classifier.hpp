// A reference classifier: a finished genlab run of a plugin with kClassifies, restored from its
// run file (config, plugin, checkpoint) for computing features and class predictions, with the
// file's SHA-256 and its identity (config + weights) for provenance. Plus the calibration of
// the sample-quality scores it yields
// (train vs test, noisy test vs test). It does not train anything and never writes the file.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "genlab/data.hpp"
#include "genlab/model.hpp"
#include "genlab/store.hpp"

namespace genlab {

// ConfigError "<where>eval.classifier: no such file '<path>' ..." with the command that trains
// one, unless `path` is an existing file. Checked before a grid starts and again at run start.
void require_classifier_file(const std::filesystem::path& path, const std::string& where = "");

// The classifier's identity: SHA-256 (hex) of its canonical /config text and of every params/ and
// buffers/ tensor of its checkpoint (name, shape, element size, raw bytes, in name order), so two
// trainings of one config that end with the same weights get the same id, whatever their file
// names, folders and timestamps. Optimizer state and RNG positions are not part of it.
std::string classifier_identity(const std::string& config_text, const Checkpoint& checkpoint);

class ReferenceClassifier {
 public:
  // Restores the classifier of run file `file` (parameters and buffers from its checkpoint,
  // evaluation mode). Its data set is read from `data_path` when it is Fashion-MNIST. Throws
  // ConfigError naming the file if the run is not "finished" or its plugin lacks kClassifies,
  // StoreError if the file is unreadable.
  static ReferenceClassifier load(const std::filesystem::path& file,
                                  const std::filesystem::path& data_path = DataOptions{}.path);

  // ConfigError naming both data sets (name and sample shape) unless this classifier was
  // trained on `data`'s data set. `key` prefixes the message ("eval.classifier").
  void check_compatible(const DataInfo& data, const std::string& key = "eval.classifier") const;

  // x: (N, dim) -> penultimate features (N, F), in batches of `batch_size`, gradients off
  Tensor<float> features(const Tensor<float>& x, std::size_t batch_size = 500) const;
  // x: (N, dim) -> predicted class (N)
  std::vector<std::int32_t> predict(const Tensor<float>& x, std::size_t batch_size = 500) const;

  const std::filesystem::path& file() const { return file_; }
  const std::string& sha256() const { return sha256_; }  // of the whole file (timestamps included)
  const std::string& id() const { return id_; }          // classifier_identity(): config + weights
  const DataInfo& data() const { return data_; }  // the data set it was trained on
  const std::string& plugin() const { return plugin_; }

 private:
  struct State;  // the model and what it needs to stay valid (plugin, spec, optimizers)
  std::shared_ptr<State> state_;
  std::filesystem::path file_;
  std::string sha256_, id_;
  std::string plugin_;
  DataInfo data_;
};

// One row of the calibration table: a reference set scored against the test images.
struct CalibrationRow {
  std::string name;  // "train (floor)", "test + N(0, 0.05^2)"
  std::size_t n = 0;
  double fid = 0, precision = 0, recall = 0;
};

// Scores, against the classifier data set's test images: `n` train images (the floor of what a
// perfect model reaches), then the test images with Gaussian noise of each sigma (clamped to
// [0, 1], noise from stream (seed, "calibrate/noise/<sigma>")). k is the P/R neighbourhood.
std::vector<CalibrationRow> calibrate(const ReferenceClassifier& classifier, std::size_t n,
                                      const std::vector<double>& sigmas, std::size_t k,
                                      std::uint64_t seed = 0,
                                      const std::filesystem::path& data_path = DataOptions{}.path);

}  // namespace genlab
