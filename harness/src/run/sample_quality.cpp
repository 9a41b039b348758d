// FID, precision/recall and conditional accuracy of a model's samples, measured with the run's
// reference classifier against the test images (whose features are computed once per run).
// It draws only from stream (seed, "eval/<step>/fid"), so it never changes training.
#include "run/sample_quality.hpp"

#include <algorithm>

#include "genlab/error.hpp"
#include "genlab/image.hpp"
#include "genlab/loader.hpp"
#include "run/draw_samples.hpp"

namespace fs = std::filesystem;

namespace genlab {

namespace {

ReferenceClassifier load_checked(const EvalSpec& eval, const DataInfo& run_data, const fs::path& data_path) {
  require_classifier_file(eval.classifier);
  ReferenceClassifier c = ReferenceClassifier::load(eval.classifier, data_path);
  c.check_compatible(run_data);
  return c;
}

}  // namespace

SampleQuality::SampleQuality(const EvalSpec& eval, const DataInfo& run_data, const fs::path& data_path)
    : eval_(eval), classifier_(load_checked(eval, run_data, data_path)), data_(run_data) {
  if (eval_.fid_samples <= eval_.pr_k) {
    throw ConfigError("eval.fid_samples (" + std::to_string(eval_.fid_samples) + ") must be larger than eval.pr_k (" +
                      std::to_string(eval_.pr_k) + ")");
  }
}

void SampleQuality::prepare_reference(const Dataset& test) {
  const Tensor<float> f = classifier_.features(test.x, eval_.batch_size);  // (N_test, F)
  test_stats_ = feature_stats(f);
  test_manifold_ = knn_manifold(f, eval_.pr_k);
  test_n_ = test.x.shape()[0];
}

void SampleQuality::add(Model& model, const ModelDescription& d, const Dataset& test, std::uint64_t seed,
                        std::int64_t step, Metrics& metrics, std::map<std::string, AttrMap>& attrs) {
  if (!(d.capabilities & kSamples)) return;
  if (!test_stats_) prepare_reference(test);
  std::vector<std::int32_t> labels;
  Tensor<float> samples;
  {
    NoGradGuard no_grad;
    model.set_training(false);
    Rng rng(seed, "eval/" + std::to_string(step) + "/fid");
    // the classifier reads images in [0, 1], whatever range the generator emits
    samples = to_unit_range(draw_samples(model, d, data_, eval_.fid_samples, eval_.batch_size, rng, labels), d.output_range);
    model.set_training(true);
  }
  const Tensor<float> f = classifier_.features(samples, eval_.batch_size);  // (n, F)
  const PrecisionRecall pr = precision_recall(*test_manifold_, knn_manifold(f, eval_.pr_k));
  metrics["fid"] = frechet_distance(feature_stats(f), *test_stats_);
  metrics["precision"] = pr.precision;
  metrics["recall"] = pr.recall;

  const auto n = static_cast<std::int64_t>(eval_.fid_samples);
  const AttrMap common{{"n", n},
                       {"split", std::string("test")},
                       {"reference", std::string("test")},
                       {"reference_n", static_cast<std::int64_t>(test_n_)},
                       {"classifier", classifier_.file().string()},
                       {"classifier_sha256", classifier_.sha256()},
                       {"classifier_id", classifier_.id()}};
  auto with = [&](std::string definition, std::int64_t k) {
    AttrMap a = common;
    a["definition"] = std::move(definition);
    if (k > 0) a["k"] = k;
    return a;
  };
  const auto k = static_cast<std::int64_t>(eval_.pr_k);
  attrs["fid"] = with("Frechet distance between Gaussians fitted to the reference classifier's penultimate "
                      "features of n samples and of the reference images", 0);
  attrs["precision"] = with("fraction of n samples inside the k-NN manifold of the reference images' classifier "
                            "features (Kynkaanniemi et al. 2019)", k);
  attrs["recall"] = with("fraction of the reference images inside the k-NN manifold of the n samples' classifier "
                         "features (Kynkaanniemi et al. 2019)", k);
  if (d.capabilities & kConditional) {
    const std::vector<std::int32_t> predicted = classifier_.predict(samples, eval_.batch_size);
    std::size_t correct = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == labels[i] ? 1 : 0;
    metrics["conditional_accuracy"] = static_cast<double>(correct) / static_cast<double>(predicted.size());
    attrs["conditional_accuracy"] = with("fraction of n samples generated for label i % classes that the reference "
                                         "classifier assigns to that label", 0);
  }
}

}  // namespace genlab
