// Sample-quality metrics of a run against its reference classifier (eval.classifier): FID and
// precision/recall of eval.fid_samples generated samples vs the test images, and for
// conditional models the classifier's accuracy on samples generated for requested labels.
// Internal to the runner, which decides when an evaluation is due; models that cannot sample
// get no such metrics. It does not train or store anything.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "genlab/data.hpp"
#include "genlab/feature_metrics.hpp"
#include "genlab/model.hpp"
#include "genlab/reference_classifier.hpp"
#include "genlab/spec.hpp"
#include "genlab/store.hpp"

namespace genlab {

class SampleQuality {
 public:
  // Loads eval.classifier and checks it against the run's data set: ConfigError naming both
  // (or the unfinished / non-classifier run file) otherwise.
  SampleQuality(const EvalSpec& eval, const DataInfo& run_data, const std::filesystem::path& data_path);

  // Whether an evaluation computes these metrics: every one, or only the final one (default).

  // Adds "fid", "precision", "recall" (and "conditional_accuracy" for conditional models) with
  // their attributes. Samples come from stream (seed, "eval/<step>/fid"); the test images'
  // features are computed at the first call and reused.
  void add(Model& model, const ModelDescription& description, const Dataset& test, std::uint64_t seed,
           std::int64_t step, Metrics& metrics, std::map<std::string, AttrMap>& attrs);

 private:
  void prepare_reference(const Dataset& test);

  EvalSpec eval_;
  ReferenceClassifier classifier_;
  DataInfo data_;
  std::optional<FeatureStats> test_stats_;       // of the test images' features
  std::optional<KnnManifold> test_manifold_;
  std::size_t test_n_ = 0;
};

}  // namespace genlab
