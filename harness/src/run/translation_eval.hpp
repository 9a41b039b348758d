// The translation metrics wired to models that translate (kTranslates), on two-domain test
// splits, each with a metric card (definition, unit, better, paper, split, n): cycle L1 and
// ground-truth MSE/L1 each way beside the identity baseline, discriminator accuracy per domain
// (kDiscriminates), the "translations" image grids, and with the reference classifier (heavy
// evaluations) label preservation beside the classifier's accuracy on real images and the FID
// of translations into the domain the classifier was trained on. The maths is
// translation_metrics.hpp, gan_metrics.hpp and feature_metrics.hpp; nothing here trains.
#pragma once
#include <optional>

#include "genlab/data.hpp"
#include "genlab/feature_metrics.hpp"
#include "genlab/reference_classifier.hpp"
#include "genlab/spec.hpp"
#include "genlab/translation_metrics.hpp"
#include "run/evaluator.hpp"

namespace genlab {

// cycle_l1_ab/ba, gt_mse/gt_l1/identity_mse/identity_l1 _ab/_ba (where the split has a ground
// truth), d_acc_a/_b (+ real/fake parts) and the grids translations_ab / translations_ba
// (rows: input, translation, cycle reconstruction, ground truth when there is one).
// Nothing for one-domain splits or models that do not translate.
void add_translation_metrics(Model& model, const ModelDescription& d, const Dataset& split, const DataInfo& info,
                             const EvalSettings& s, EvalOutput& out);

// The reference classifier's metrics of translations (eval.classifier on a two-domain set built
// from Fashion-MNIST, whose images of either domain it applies to only when they are
// Fashion-MNIST images: domain A of the transform sets, both domains of fashion_classes).
class TranslationQuality {
 public:
  // Loads eval.classifier and checks that it was trained on Fashion-MNIST (ConfigError otherwise).
  TranslationQuality(const EvalSpec& eval, const std::filesystem::path& data_path);

  // label_acc_ba (F(b) classified as b's class, or as class A for fashion_classes) beside
  // label_acc_real_a (real A images), fid_ba (F(b) against the real A test images); for
  // fashion_classes also label_acc_ab, label_acc_real_b and fid_ab.
  void add(Model& model, const ModelDescription& d, const Dataset& test, Metrics& metrics,
           std::map<std::string, AttrMap>& attrs);

 private:
  EvalSpec eval_;
  ReferenceClassifier classifier_;
};

}  // namespace genlab
