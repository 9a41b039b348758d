// Network builders from configuration values, so plugins stay short: an MLP from a list of
// layer sizes and an activation name. They do not choose sizes: the plugin's schema does.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "genlab/nn.hpp"

namespace genlab {

// sizes = {in, h1, ..., out}: Linear layers "fc1", "fc2", ... with `activation` between them
// (none after the last). x: (B, sizes.front()) -> (B, sizes.back())
template <class T>
std::unique_ptr<Sequential<T>> make_mlp(const std::vector<std::size_t>& sizes,
                                        const std::string& activation, Rng& rng,
                                        InitSpec init = {});

// {a, b..., z}: convenience for building `sizes` from an int list parameter.
std::vector<std::size_t> layer_sizes(std::size_t in, const std::vector<std::int64_t>& hidden,
                                     std::size_t out);

}  // namespace genlab
