// The data sources behind load_data(): each returns its full train and test sets (capped at
// `limit` samples each when limit > 0). Splitting off validation happens in load_data.cpp.
// It does not shuffle: sample order is the file's or the generator's.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "genlab/data.hpp"

namespace genlab::data_detail {

// Fashion-MNIST from the gzip IDX files of Debian's dataset-fashion-mnist in `folder`.
std::pair<Dataset, Dataset> load_fashion_mnist(const std::filesystem::path& folder, std::size_t limit);

// Synthetic 2-D Gaussian mixtures from Rng(seed, "data/synthetic"): "ring8" or "grid25".
std::pair<Dataset, Dataset> make_mixture(const std::string& name, std::uint64_t seed, std::size_t limit);

// The four Fashion-MNIST files in `folder` (.gz or uncompressed), in a fixed order; DataError
// when the folder or one file is missing.
std::vector<std::filesystem::path> fashion_mnist_files(const std::filesystem::path& folder);

// Everything that determines a synthetic set besides the run's seed, as text (its identity).
std::string mixture_description(const std::string& name);

// The two-domain set options.name from Fashion-MNIST's (train, test) (two_domain.cpp): A and B
// from disjoint halves of the training set (permutation from (seed, "data/domains")); test
// pairs (a, T(a)), or the two classes' test images. DataError for bad flip / classes.
std::pair<Dataset, Dataset> make_two_domain(const DataOptions& options, const std::pair<Dataset, Dataset>& fashion,
                                            std::uint64_t seed);

// The first min(limit, n) of n (all when limit is 0).
inline std::size_t capped(std::size_t n, std::size_t limit) { return limit > 0 && limit < n ? limit : n; }

}  // namespace genlab::data_detail
