// The adversarial family's shared metrics wired to models: discriminator accuracy on a held-out
// split and as many fresh samples, mode coverage (+ the scatter picture) on 2-D mixtures, and the
// Parzen-window log-likelihood with its training-set baseline. Each metric carries a card
// (attributes definition, unit, better, paper, split, n). The maths is in gan_metrics.hpp; this
// file only draws samples (streams (seed, "eval/<step>/<metric>")) and scores them.
#pragma once
#include "genlab/data.hpp"
#include "run/evaluator.hpp"

namespace genlab {

// kDiscriminates + kSamples: d_acc_real, d_acc_fake, d_acc, d_score_real, d_score_fake on
// `split` and split-size fresh samples.
void add_discriminator_metrics(Model& model, const ModelDescription& d, const Dataset& split, const DataInfo& info,
                               const EvalSettings& s, EvalOutput& out);

// kSamples on ring8 / grid25: modes, high_quality, reverse_kl from 2,500 samples, and the
// "scatter" image of the same samples when s.samples > 0. Nothing for other data sets.
void add_mode_metrics(Model& model, const ModelDescription& d, const DataInfo& info, const EvalSettings& s,
                      EvalOutput& out);

// kSamples with a validation split: parzen_ll (test points under a Parzen window on 10,000
// samples), parzen_sigma, and the same with the first 10,000 training examples as the centres
// (parzen_ll_train, parzen_sigma_train), sigma chosen on the validation split each time.
void add_parzen_metrics(Model& model, const ModelDescription& d, const DataSplits& data, const DataInfo& info,
                        std::uint64_t seed, std::int64_t step, EvalOutput& out);

}  // namespace genlab
