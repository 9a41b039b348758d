// n samples of a model in batches through its sample() capability, with the shape checked, for
// the harness's sample-based metrics (FID, D accuracy, mode coverage, Parzen). Conditional
// models get labels i % classes. Internal to libgenlab; it turns gradients off itself.
#pragma once
#include <cstdint>
#include <vector>

#include "genlab/model.hpp"

namespace genlab {

// -> (n, data.dim); `labels` receives the labels asked for (empty for unconditional models).
// Throws PluginError naming the plugin if sample() returns another shape.
Tensor<float> draw_samples(Model& model, const ModelDescription& d, const DataInfo& data, std::size_t n,
                           std::size_t batch, Rng& rng, std::vector<std::int32_t>& labels);

}  // namespace genlab
