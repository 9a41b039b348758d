// iwae_bound: images in chunks, each chunk's k samples in blocks, so every plugin call decodes
// up to rows_per_call rows; per image a running log-sum-exp in double. No autograd here.
#include "genlab/iwae.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "genlab/error.hpp"
#include "genlab/loader.hpp"

namespace genlab {

namespace {
// log(sum exp(v)) over the values seen so far, without overflow: max and scaled sum.
struct RunningLse {
  double max = -std::numeric_limits<double>::infinity();
  double scaled = 0;  // sum exp(v - max)
  void add(double v) {
    if (std::isnan(v)) {
      max = scaled = v;
    } else if (v > max) {
      scaled = scaled * std::exp(max - v) + 1.0;
      max = v;
    } else if (v > -std::numeric_limits<double>::infinity()) {
      scaled += std::exp(v - max);
    }
  }
  double value() const { return max + std::log(scaled); }
};
}  // namespace

IwaeGeometry iwae_geometry(std::size_t images, std::size_t k, std::size_t rows_per_call) {
  IwaeGeometry g{};
  if (images == 0 || k == 0) return g;
  g.images_per_call = std::clamp<std::size_t>(rows_per_call / k, 1, images);
  // samples per call: at most rows_per_call / images_per_call, in equal blocks (k = 5000: 20 x 250)
  const std::size_t most = std::max<std::size_t>(1, rows_per_call / g.images_per_call);
  const std::size_t per_chunk = (k + most - 1) / most;
  g.samples_per_call = (k + per_chunk - 1) / per_chunk;
  g.calls = (images + g.images_per_call - 1) / g.images_per_call * per_chunk;
  return g;
}

IwaeResult iwae_bound(Model& model, const std::string& plugin, const Dataset& data,
                      std::size_t images, std::size_t k, Rng& rng, std::size_t rows_per_call,
                      const IwaeProgress& progress) {
  IwaeResult r;
  r.images = std::min(images, data.x.shape()[0]);
  r.k = k;
  if (r.images == 0 || k == 0) throw ConfigError("iwae_bound: needs at least one image and k >= 1");
  const IwaeGeometry g = iwae_geometry(r.images, k, rows_per_call);
  const std::size_t chunk = g.images_per_call, block = g.samples_per_call;
  double sum_iwae = 0, sum_log_w = 0;
  for (std::size_t begin = 0; begin < r.images; begin += chunk) {
    const std::size_t end = std::min(r.images, begin + chunk), n = end - begin;
    const Batch batch = batch_of(data, begin, end);
    std::vector<RunningLse> lse(n);
    for (std::size_t done = 0; done < k; done += block) {
      const std::size_t kb = std::min(block, k - done);
      const Tensor<float> log_w = call_plugin(plugin, [&] { return model.log_importance_weights(batch, kb, rng); });
      if (log_w.dimension() != 2 || log_w.shape()[0] != kb || log_w.shape()[1] != n) {
        throw PluginError("plugin '" + plugin + "': log_importance_weights(batch of " + std::to_string(n) +
                          ", k = " + std::to_string(kb) + ") returned shape " + shape_str(shape_of(log_w)) +
                          ", expected (" + std::to_string(kb) + ", " + std::to_string(n) + ")");
      }
      const float* w = log_w.data();  // (kb, n) row-major
      for (std::size_t s = 0; s < kb; ++s) {
        for (std::size_t i = 0; i < n; ++i) {
          lse[i].add(w[s * n + i]);
          sum_log_w += w[s * n + i];
        }
      }
    }
    for (const RunningLse& l : lse) sum_iwae += l.value() - std::log(static_cast<double>(k));
    if (progress) progress(end, r.images);
  }
  r.neg_iwae = -sum_iwae / static_cast<double>(r.images);
  r.neg_elbo = -sum_log_w / (static_cast<double>(r.images) * static_cast<double>(k));
  return r;
}

}  // namespace genlab
