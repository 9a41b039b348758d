// Image grids that look into a model's latent space, for every plugin of the capability:
// "interpolation" (encoders: decode points on the line between two test images' means) and
// "classes" (conditional samplers: one row per class, the same noise in every row).
// It does not write files or decide when to run: the evaluator calls it, the runner stores.
#pragma once
#include <cstdint>
#include <optional>

#include "genlab/data.hpp"
#include "genlab/image.hpp"
#include "genlab/model.hpp"

namespace genlab {

inline constexpr std::size_t kInterpolationPairs = 4;   // rows of the interpolation grid
inline constexpr std::size_t kInterpolationPoints = 10; // decoded points per row, ends included
inline constexpr std::size_t kClassSamples = 10;        // columns of the classes grid

// Rows [x_a, decode(mu_a + t (mu_b - mu_a)) for t = 0, 1/9, ..., 1, x_b]: kInterpolationPoints + 2
// columns, one row per pair of test images (consecutive unused images; for conditional models
// the next image of the same class, decoded with that class). nullopt without two such images.
std::optional<ImageGrid> interpolation_grid(Model& model, const ModelDescription& description,
                                            const Dataset& split, const DataInfo& info);

// Row c = kClassSamples samples of class c, all rows from the same noise: stream
// (seed, "noise_bank/classes") restarted for every row, so rows differ only by the label.
ImageGrid classes_grid(Model& model, const ModelDescription& description, const DataInfo& info,
                       std::uint64_t seed);

}  // namespace genlab
