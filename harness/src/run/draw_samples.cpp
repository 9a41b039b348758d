// draw_samples(): batches of model.sample() copied into one (n, dim) tensor. It does not
// switch the model's training mode: callers evaluate with set_training(false).
#include "run/draw_samples.hpp"

#include <algorithm>

#include "genlab/error.hpp"
#include "genlab/loader.hpp"

namespace genlab {

Tensor<float> draw_samples(Model& model, const ModelDescription& d, const DataInfo& data, std::size_t n,
                           std::size_t batch, Rng& rng, std::vector<std::int32_t>& labels) {
  NoGradGuard no_grad;
  const bool conditional = d.capabilities & kConditional;
  labels.clear();
  if (conditional) {
    for (std::size_t i = 0; i < n; ++i) labels.push_back(static_cast<std::int32_t>(i % data.num_classes));
  }
  Tensor<float> out = Tensor<float>::from_shape({n, data.dim});  // (n, dim)
  for (std::size_t begin = 0; begin < n; begin += batch) {
    const std::size_t count = std::min(n, begin + batch) - begin;
    std::vector<std::int32_t> wanted;
    if (conditional) wanted.assign(labels.begin() + begin, labels.begin() + begin + count);
    const Tensor<float> x = call_plugin(d.name, [&] { return model.sample(count, wanted, rng); });
    if (x.size() != count * data.dim) {
      throw PluginError("plugin '" + d.name + "': sample(" + std::to_string(count) + ") returned shape " +
                        shape_str(shape_of(x)) + ", expected (" + std::to_string(count) + ", " +
                        std::to_string(data.dim) + ")");
    }
    std::copy(x.data(), x.data() + x.size(), out.data() + begin * data.dim);
  }
  return out;
}

}  // namespace genlab
