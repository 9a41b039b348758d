// A scatter picture of 2-D samples over a mixture's true modes, rasterised by our own code into
// an RGB ImageGrid (so it goes into the run file's /images like every grid and into a PNG):
// white background, each true mean a red ring of radius 3 standard deviations (the high-quality
// boundary) or at least 3 pixels, each sample a dark-blue pixel. No axes or labels.
#pragma once
#include "genlab/image.hpp"
#include "genlab/mixtures.hpp"
#include "genlab/tensor.hpp"

namespace genlab {

// The square [-h, h]^2 shown, h = 1.25 max |mean coordinate| + 10 std (ring8 1.35, grid25 5.5).
double scatter_half_width(const Mixture2d& mixture);
// points: (N, 2) -> (size, size, 3); x grows to the right, y upwards; points outside are left out.
ImageGrid scatter_image(const Tensor<float>& points, const Mixture2d& mixture, std::size_t size = 400);

}  // namespace genlab
