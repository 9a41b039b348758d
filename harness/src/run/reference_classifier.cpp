// A reference classifier: a finished run file rebuilt by load_model_from_run (the runner's own
// construction and checkpoint restore), then its features and predictions in batches. It refuses
// unfinished runs and plugins that cannot classify; it does not check the classifier's accuracy.
#include "genlab/reference_classifier.hpp"

#include <algorithm>

#include "genlab/error.hpp"
#include "genlab/hash.hpp"
#include "genlab/loader.hpp"
#include "genlab/store.hpp"
#include "run/checkpoint_io.hpp"
#include "run/model_from_run.hpp"

namespace fs = std::filesystem;

namespace genlab {

struct ReferenceClassifier::State {
  std::unique_ptr<ModelFromRun> run;  // the rebuilt classifier run; its optimizers are never stepped
};

namespace {

// Rows [begin, end) of x: (N, dim) as a batch without labels.
Batch rows_of(const Tensor<float>& x, std::size_t begin, std::size_t end) {
  const std::size_t dim = x.shape()[1];
  Batch b;
  b.x = Tensor<float>::from_shape({end - begin, dim});
  std::copy(x.data() + begin * dim, x.data() + end * dim, b.x.data());
  return b;
}

}  // namespace

std::string classifier_identity(const std::string& config_text, const Checkpoint& checkpoint) {
  std::string bytes = "genlab classifier identity v1\n" + config_text;
  for (const auto& [name, t] : checkpoint) {  // sorted by name
    if (!name.starts_with("params/") && !name.starts_with("buffers/")) continue;
    bytes += '\0' + name + '\0' + checkpoint_shape_str(t.shape) + '\0';
    std::visit(
        [&](const auto& values) {
          bytes += std::to_string(sizeof(values[0])) + '\0';
          bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(values[0]));
        },
        t.data);
  }
  return sha256_hex(bytes);
}

void require_classifier_file(const fs::path& path, const std::string& where) {
  if (fs::is_regular_file(path)) return;
  throw ConfigError(where + "eval.classifier: no such file '" + path.string() +
                    "' (relative to the working folder); train one with: "
                    "genlab run experiments/reference/fashion_classifier.toml");
}

ReferenceClassifier ReferenceClassifier::load(const fs::path& file, const fs::path& data_path) {
  const RunSummary summary = read_run(file);
  const auto status_it = summary.attrs.find("status");
  const std::string status = status_it == summary.attrs.end() ? "" : attr_to_string(status_it->second);
  if (status != "finished") {
    throw ConfigError("reference classifier " + file.string() + " is a run with status '" + status +
                      "', not 'finished'; finish training it (genlab run) before using it");
  }
  ReferenceClassifier rc;
  rc.file_ = file;
  rc.sha256_ = sha256_file(file);
  rc.state_ = std::make_shared<State>();
  const std::string origin = "reference classifier " + file.string();
  rc.state_->run = load_model_from_run(file, summary, data_path, origin, [&](const ModelDescription& d) {
    if (d.capabilities & kClassifies) return;
    throw ConfigError(origin + " is a run of plugin '" + d.name + "', which cannot classify (capabilities: " +
                      capabilities_str(d.capabilities) +
                      "); use a finished run of a plugin with 'classifies', e.g. experiments/reference/fashion_classifier.toml");
  });
  const ModelFromRun& run = *rc.state_->run;
  rc.plugin_ = run.plugin->info().description.name;
  rc.data_ = run.data;
  rc.id_ = classifier_identity(summary.config_text, run.checkpoint);
  return rc;
}

void ReferenceClassifier::check_compatible(const DataInfo& data, const std::string& key) const {
  if (data.name == data_.name && data.sample_shape == data_.sample_shape && data.num_classes == data_.num_classes) return;
  throw ConfigError(key + ": reference classifier " + file_.string() + " was trained on data set '" + data_.name +
                    "' (sample shape " + shape_str(data_.sample_shape) + ", " + std::to_string(data_.num_classes) +
                    " classes), but this run uses '" + data.name + "' (sample shape " + shape_str(data.sample_shape) +
                    ", " + std::to_string(data.num_classes) + " classes); use a classifier trained on the run's data set");
}

Tensor<float> ReferenceClassifier::features(const Tensor<float>& x, std::size_t batch_size) const {
  NoGradGuard no_grad;
  const std::size_t n = x.shape()[0];
  Tensor<float> out;
  for (std::size_t begin = 0; begin < n; begin += batch_size) {
    const std::size_t end = std::min(n, begin + batch_size);
    const Batch b = rows_of(x, begin, end);
    const Tensor<float> f = call_plugin(plugin_, [&] { return state_->run->built.model->features(b); });  // (b, F)
    const std::size_t width = f.shape()[1];
    if (begin == 0) out = Tensor<float>::from_shape({n, width});
    std::copy(f.data(), f.data() + f.size(), out.data() + begin * width);
  }
  return out;
}

std::vector<std::int32_t> ReferenceClassifier::predict(const Tensor<float>& x, std::size_t batch_size) const {
  NoGradGuard no_grad;
  const std::size_t n = x.shape()[0];
  std::vector<std::int32_t> out;
  out.reserve(n);
  for (std::size_t begin = 0; begin < n; begin += batch_size) {
    const Batch b = rows_of(x, begin, std::min(n, begin + batch_size));
    const Tensor<float> logits = call_plugin(plugin_, [&] { return state_->run->built.model->classify(b); });  // (b, C)
    const std::size_t c = logits.shape()[1];
    for (std::size_t i = 0; i < logits.shape()[0]; ++i) {
      const float* row = logits.data() + i * c;
      out.push_back(static_cast<std::int32_t>(std::max_element(row, row + c) - row));
    }
  }
  return out;
}

}  // namespace genlab
