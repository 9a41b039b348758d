// The importance-weighted bound IWAE-k (Burda et al. 2016) of any plugin that provides
// log_importance_weights(), formed by the harness with one definition for every model:
// IWAE-k = mean over images of (logsumexp_k log w_k - log k), accumulated in double.
// It does not draw samples itself (the plugin does, from the stream it is given) and it does
// not decide when to run (the evaluator does).
#pragma once
#include <cstddef>
#include <functional>
#include <string>

#include "genlab/data.hpp"
#include "genlab/model.hpp"

namespace genlab {

struct IwaeResult {
  double neg_iwae = 0;  // -IWAE-k: an upper bound on -log p(x), nats per image (lower is better)
  double neg_elbo = 0;  // mean over images and the k samples of -log w: the negative ELBO
                        // estimated on the same images with the same draws
  std::size_t images = 0, k = 0;
};

// Rows per log_importance_weights call (images in the call x samples per image). Measured on
// the quickstart MLP and the (32, 64) conv decoder: 128-256 rows are 1.5-3x faster than 1024-4096
// (the per-call tensors stay in cache and below malloc's mmap threshold, so no page faults).
inline constexpr std::size_t kIwaeRowsPerCall = 256;

// How iwae_bound splits its work: images per call and samples per call (the last call of an
// image chunk may draw fewer), and the number of log_importance_weights calls in all.
struct IwaeGeometry {
  std::size_t images_per_call, samples_per_call, calls;
};
IwaeGeometry iwae_geometry(std::size_t images, std::size_t k, std::size_t rows_per_call = kIwaeRowsPerCall);

// Called after each chunk of images with (images done, images in all): progress output only.
using IwaeProgress = std::function<void(std::size_t, std::size_t)>;

// The first `images` rows of `data` (fewer if it is smaller), k samples each, drawn from `rng`
// in a fixed order of calls (so the result depends only on the model, the data and the stream).
// Throws PluginError naming the plugin if log w has the wrong shape. Call with gradients off.
IwaeResult iwae_bound(Model& model, const std::string& plugin, const Dataset& data,
                      std::size_t images, std::size_t k, Rng& rng,
                      std::size_t rows_per_call = kIwaeRowsPerCall, const IwaeProgress& progress = {});

}  // namespace genlab
