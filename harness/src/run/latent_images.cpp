// Interpolation and per-class grids from encode()/decode() and sample(); gradients are off
// (the evaluator's NoGradGuard). Pairs are chosen from the first test images, deterministically.
#include "run/latent_images.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "genlab/loader.hpp"
#include "run/evaluator.hpp"

namespace genlab {

namespace {
constexpr std::size_t kPairSearch = 200;  // test images searched for pairs

// Up to kInterpolationPairs pairs (a, b), a < b, each image used once; same label if asked.
std::vector<std::pair<std::size_t, std::size_t>> pick_pairs(const Dataset& split, bool same_label) {
  const std::size_t n = std::min(kPairSearch, split.x.shape()[0]);
  std::vector<bool> used(n, false);
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t a = 0; a < n && pairs.size() < kInterpolationPairs; ++a) {
    for (std::size_t b = a + 1; !used[a] && b < n; ++b) {
      if (used[b] || (same_label && split.y[a] != split.y[b])) continue;
      pairs.emplace_back(a, b);
      used[a] = used[b] = true;
    }
  }
  return pairs;
}

// Rows idx of `split` as one batch (labels too).
Batch rows_of(const Dataset& split, const std::vector<std::size_t>& idx) {
  Batch b;
  b.x = gather_rows(split.x, idx.data(), idx.size());
  if (!split.y.empty()) b.y = gather_labels(split.y, idx.data(), idx.size());
  return b;
}

void copy_row(const Tensor<float>& from, std::size_t i, Tensor<float>& to, std::size_t j) {
  const std::size_t d = from.shape()[1];
  std::copy(from.data() + i * d, from.data() + (i + 1) * d, to.data() + j * d);
}
}  // namespace

std::optional<ImageGrid> interpolation_grid(Model& model, const ModelDescription& d,
                                            const Dataset& split, const DataInfo& info) {
  const bool conditional = (d.capabilities & kConditional) && !split.y.empty();
  const auto pairs = pick_pairs(split, conditional);
  if (pairs.empty()) return std::nullopt;
  std::vector<std::size_t> first, second;
  for (const auto& [a, b] : pairs) {
    first.push_back(a);
    second.push_back(b);
  }
  const Batch xa = rows_of(split, first), xb = rows_of(split, second);
  const Tensor<float> mu_a = call_plugin(d.name, [&] { return model.encode(xa).first; });  // (P, Z)
  const Tensor<float> mu_b = call_plugin(d.name, [&] { return model.encode(xb).first; });
  const std::size_t p = pairs.size(), z_dim = mu_a.shape()[1], t_n = kInterpolationPoints;
  Tensor<float> z = Tensor<float>::from_shape({p * t_n, z_dim});  // row r * T + t
  std::vector<std::int32_t> labels;
  for (std::size_t r = 0; r < p; ++r) {
    for (std::size_t t = 0; t < t_n; ++t) {
      const float w = static_cast<float>(t) / static_cast<float>(t_n - 1);
      for (std::size_t j = 0; j < z_dim; ++j) z(r * t_n + t, j) = (1.f - w) * mu_a(r, j) + w * mu_b(r, j);
      if (conditional) labels.push_back(xa.y[r]);
    }
  }
  const Tensor<float> decoded =
      to_unit_range(call_plugin(d.name, [&] { return model.decode(z, labels); }), d.output_range);  // (P T, D)
  const std::size_t cols = t_n + 2;
  Tensor<float> grid = Tensor<float>::from_shape({p * cols, info.dim});
  for (std::size_t r = 0; r < p; ++r) {
    copy_row(xa.x, r, grid, r * cols);
    for (std::size_t t = 0; t < t_n; ++t) copy_row(decoded, r * t_n + t, grid, r * cols + 1 + t);
    copy_row(xb.x, r, grid, r * cols + cols - 1);
  }
  return make_image_grid(grid, info.sample_shape, cols);
}

ImageGrid classes_grid(Model& model, const ModelDescription& d, const DataInfo& info, std::uint64_t seed) {
  const std::size_t classes = info.num_classes, n = kClassSamples;
  Tensor<float> grid = Tensor<float>::from_shape({classes * n, info.dim});
  for (std::size_t c = 0; c < classes; ++c) {
    Rng bank(seed, "noise_bank/classes");  // restarted: the same z in every row
    const std::vector<std::int32_t> labels(n, static_cast<std::int32_t>(c));
    const Tensor<float> x =
        to_unit_range(call_plugin(d.name, [&] { return model.sample(n, labels, bank); }), d.output_range);  // (n, D)
    for (std::size_t i = 0; i < n; ++i) copy_row(x, i, grid, c * n + i);
  }
  return make_image_grid(grid, info.sample_shape, n);
}

}  // namespace genlab
