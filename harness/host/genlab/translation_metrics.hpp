// Translation metrics of a model that translates (kTranslates) on a two-domain test split, the
// same code for every plugin: cycle-consistency L1 each way, and where the split pairs its rows
// with a ground truth (Dataset::ground_truth) the MSE and L1 of the translation to T(a) (A->B) and
// to a = T^-1(b) (B->A), with the identity map's errors as the baseline in the same result.
// Images are compared in [0, 1] pixels (translations mapped by the plugin's output range). It
// does not compute classifier metrics, D accuracy or images (run/translation_eval.cpp does).
#pragma once
#include <cstddef>
#include <string>

#include "genlab/data.hpp"
#include "genlab/model.hpp"

namespace genlab {

// Mean absolute / squared difference per pixel between two (N, D) sets, in double.
double mean_l1(const Tensor<float>& a, const Tensor<float>& b);
double mean_squared(const Tensor<float>& a, const Tensor<float>& b);

struct TranslationScores {
  std::size_t n_a = 0, n_b = 0;  // test images of A and of B
  Tensor<float> ab, ba;          // G(a): (N_a, D), F(b): (N_b, D), in [0, 1]
  Tensor<float> aba, bab;        // F(G(a)), G(F(b)): the cycle reconstructions, in [0, 1]
  double cycle_l1_ab = 0;        // mean |F(G(a)) - a| per pixel
  double cycle_l1_ba = 0;        // mean |G(F(b)) - b| per pixel
  bool truth_ab = false, truth_ba = false;  // which directions have a ground truth
  // A->B: G(a) vs T(a) = x_b row i; identity baseline: a vs T(a). NaN without a ground truth.
  double gt_mse_ab = 0, gt_l1_ab = 0, identity_mse_ab = 0, identity_l1_ab = 0;
  // B->A: F(b) vs T^-1(b) = x row i; identity baseline: b vs a.
  double gt_mse_ba = 0, gt_l1_ba = 0, identity_mse_ba = 0, identity_l1_ba = 0;
};

// Translates every test image both ways and back (batches of `batch_size`, gradients off; the
// caller sets evaluation mode). Throws DataError unless `test` is two-domain, PluginError naming
// the plugin when translate() returns another shape.
TranslationScores translation_scores(Model& model, const ModelDescription& description, const Dataset& test,
                                     std::size_t batch_size);

}  // namespace genlab
