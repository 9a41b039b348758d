// Evaluation over a split with gradients off, metrics weighted by batch size, shared metrics
// and image grids. It never writes files: the runner stores what it returns.
#include "run/evaluator.hpp"

#include <cmath>

#include "genlab/loader.hpp"

namespace genlab {

Batch batch_of(const Dataset& data, std::size_t begin, std::size_t end) {
  const std::size_t dim = data.x.shape()[1];
  Batch b;
  b.x = Tensor<float>::from_shape({end - begin, dim});
  std::copy(data.x.data() + begin * dim, data.x.data() + end * dim, b.x.data());
  if (!data.y.empty()) b.y.assign(data.y.begin() + begin, data.y.begin() + end);
  return b;
}

namespace {
// Number of latent dimensions whose encoder mean varies over the split by more than 0.01
// (Burda et al. 2016). sums: (Z) of mu, squares: (Z) of mu^2, accumulated in double.
double active_units(const std::vector<double>& sums, const std::vector<double>& squares, std::size_t n) {
  double active = 0;
  for (std::size_t j = 0; j < sums.size(); ++j) {
    const double mean = sums[j] / n;
    if (squares[j] / n - mean * mean > 0.01) active += 1;
  }
  return active;
}

void add_images(Model& model, const ModelDescription& d, const Dataset& split, const DataInfo& info,
                const EvalSettings& s, EvalOutput& out) {
  if (info.sample_shape.size() != 3) return;  // 2-D point sets have no pictures
  if (d.capabilities & kReconstructs) {
    const std::size_t n = std::min<std::size_t>(8, split.x.shape()[0]);
    const Batch b = batch_of(split, 0, n);
    const Tensor<float> recon = model.reconstruct(b);
    Tensor<float> both = Tensor<float>::from_shape({2 * n, info.dim});
    std::copy(b.x.data(), b.x.data() + n * info.dim, both.data());
    std::copy(recon.data(), recon.data() + n * info.dim, both.data() + n * info.dim);
    out.images.emplace_back("reconstructions", make_image_grid(both, info.sample_shape, n));
  }
  if ((d.capabilities & kSamples) && s.samples > 0) {
    // The same noise for every evaluation and every run with this seed: grids line up.
    Rng bank(s.seed, "noise_bank");
    std::vector<std::int32_t> labels;
    if (d.capabilities & kConditional) {
      for (std::size_t i = 0; i < s.samples; ++i) labels.push_back(static_cast<std::int32_t>(i % std::max<std::size_t>(1, info.num_classes)));
    }
    const Tensor<float> x = model.sample(s.samples, labels, bank);
    const auto cols = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(s.samples))));
    out.images.emplace_back("samples", make_image_grid(x, info.sample_shape, cols));
  }
}
}  // namespace

EvalOutput evaluate_model(Model& model, const ModelDescription& d, const Dataset& split,
                          const DataInfo& info, const EvalSettings& s) {
  NoGradGuard no_grad;
  model.set_training(false);
  Rng eval_rng(s.seed, "eval/" + std::to_string(s.step));
  const std::size_t n = split.x.shape()[0];
  std::map<std::string, double> sums;
  std::vector<double> mu_sum, mu_sq;
  for (std::size_t begin = 0; begin < n; begin += s.batch_size) {
    const std::size_t end = std::min(n, begin + s.batch_size);
    const Batch b = batch_of(split, begin, end);
    const Metrics m = call_plugin(d.name, [&] { return model.evaluate(b, eval_rng); });
    for (const auto& [k, v] : m) sums[k] += v * static_cast<double>(end - begin);
    if (d.capabilities & kEncodes) {
      const auto [mu, logvar] = call_plugin(d.name, [&] { return model.encode(b); });
      const std::size_t z = mu.shape()[1];
      mu_sum.resize(z, 0.0);
      mu_sq.resize(z, 0.0);
      for (std::size_t i = 0; i < mu.shape()[0]; ++i) {
        for (std::size_t j = 0; j < z; ++j) {
          const double v = mu(i, j);
          mu_sum[j] += v;
          mu_sq[j] += v * v;
        }
      }
    }
  }
  EvalOutput out;
  const auto count = static_cast<std::int64_t>(n);
  for (const auto& [k, v] : sums) {
    out.metrics[k] = v / static_cast<double>(n);
    out.attrs[k] = {{"split", s.split_name}, {"n", count}, {"definition", "plugin metric " + k + ", mean per example"}};
  }
  if (d.capabilities & kEncodes) {
    out.metrics["active_units"] = active_units(mu_sum, mu_sq, n);
    out.attrs["active_units"] = {{"split", s.split_name}, {"n", count},
                                 {"definition", "latent dimensions with Var_x[E q(z|x)] > 0.01"}};
  }
  add_images(model, d, split, info, s, out);
  model.set_training(true);
  return out;
}

}  // namespace genlab
