// make_mlp: a Sequential of Linear layers and activations, named fc1, act1, fc2, ...
// It does not add dropout or normalisation; plugins that want them build their own Sequential.
#include "genlab/builders.hpp"

#include "core/instantiate.hpp"
#include "genlab/error.hpp"

namespace genlab {

template <class T>
std::unique_ptr<Sequential<T>> make_mlp(const std::vector<std::size_t>& sizes,
                                        const std::string& activation, Rng& rng, InitSpec init) {
  if (sizes.size() < 2) throw ConfigError("make_mlp: needs at least an input and an output size");
  auto net = std::make_unique<Sequential<T>>();
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    net->add("fc" + n, std::make_unique<Linear<T>>(sizes[i], sizes[i + 1], rng, init));
    if (i + 2 < sizes.size()) net->add("act" + n, make_activation<T>(activation));
  }
  return net;
}

std::vector<std::size_t> layer_sizes(std::size_t in, const std::vector<std::int64_t>& hidden,
                                     std::size_t out) {
  std::vector<std::size_t> sizes{in};
  for (auto h : hidden) {
    if (h <= 0) throw ConfigError("layer sizes must be positive (got " + std::to_string(h) + ")");
    sizes.push_back(static_cast<std::size_t>(h));
  }
  sizes.push_back(out);
  return sizes;
}

#define GENLAB_INSTANTIATE_MLP(T)                                                            \
  template std::unique_ptr<Sequential<T>> make_mlp<T>(const std::vector<std::size_t>&,      \
                                                      const std::string&, Rng&, InitSpec);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_MLP)

}  // namespace genlab
