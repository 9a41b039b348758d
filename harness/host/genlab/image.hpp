// Image grids (many samples tiled into one picture) and PNG files through libpng.
// It does not plot curves: analysis/ does that with gnuplot.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

#include "genlab/model.hpp"
#include "genlab/tensor.hpp"

namespace genlab {

struct ImageGrid {
  std::size_t height = 0, width = 0, channels = 1;
  std::vector<std::uint8_t> pixels;  // (height, width, channels) row-major
  Shape shape() const {
    return channels == 1 ? Shape{height, width} : Shape{height, width, channels};
  }
};

// images: (N, C*H*W) with values in [0, 1] (clamped), sample_shape = {C, H, W} with C = 1 or 3
// -> a grid of ceil(N / cols) rows and `cols` columns, `pad` pixels of gray between tiles.
ImageGrid make_image_grid(const Tensor<float>& images, const Shape& sample_shape, std::size_t cols,
                          std::size_t pad = 2);
// A generator's output (decode, sample, reconstruct) mapped to the data's [0, 1]: unit as is,
// symmetric [-1, 1] by (x + 1) / 2, unbounded clipped to [0, 1]. x: (N, D) -> (N, D).
Tensor<float> to_unit_range(Tensor<float> x, OutputRange range);
// Writes an 8-bit grayscale or RGB PNG; throws genlab::Error naming the file on failure.
void write_png(const std::filesystem::path& file, const ImageGrid& image);
// Reads a PNG written by write_png (8-bit gray or RGB); throws genlab::Error naming the file.
ImageGrid read_png(const std::filesystem::path& file);

}  // namespace genlab
