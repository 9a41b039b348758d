// Tiling of sample images into one grid, and PNG encode/decode with libpng's simplified API.
// It does not resize or colour-map images.
#include "genlab/image.hpp"

#include <png.h>

#include <algorithm>
#include <cstring>

#include "genlab/error.hpp"

namespace genlab {

Tensor<float> to_unit_range(Tensor<float> x, OutputRange range) {
  float* v = x.data();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float u = range == OutputRange::Symmetric ? (v[i] + 1.f) * 0.5f : v[i];
    v[i] = range == OutputRange::Unit ? u : std::clamp(u, 0.f, 1.f);
  }
  return x;
}

ImageGrid make_image_grid(const Tensor<float>& images, const Shape& sample_shape, std::size_t cols,
                          std::size_t pad) {
  if (sample_shape.size() != 3 || (sample_shape[0] != 1 && sample_shape[0] != 3)) {
    throw ShapeError("make_image_grid: sample shape must be (1|3, H, W), got " + shape_str(sample_shape));
  }
  const std::size_t c = sample_shape[0], h = sample_shape[1], w = sample_shape[2];
  const std::size_t n = images.shape()[0];
  if (images.dimension() != 2 || images.shape()[1] != c * h * w) {
    throw ShapeError("make_image_grid: images of shape " + shape_str(shape_of(images)) +
                     " do not hold samples of shape " + shape_str(sample_shape));
  }
  cols = std::max<std::size_t>(1, std::min(cols, n));
  const std::size_t rows = (n + cols - 1) / cols;
  ImageGrid grid;
  grid.channels = c;
  grid.height = rows * h + (rows + 1) * pad;
  grid.width = cols * w + (cols + 1) * pad;
  grid.pixels.assign(grid.height * grid.width * c, 128);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t top = pad + (i / cols) * (h + pad), left = pad + (i % cols) * (w + pad);
    const float* src = images.data() + i * c * h * w;
    for (std::size_t y = 0; y < h; ++y) {
      for (std::size_t x = 0; x < w; ++x) {
        for (std::size_t ch = 0; ch < c; ++ch) {
          const float v = std::clamp(src[ch * h * w + y * w + x], 0.f, 1.f);
          grid.pixels[((top + y) * grid.width + left + x) * c + ch] =
              static_cast<std::uint8_t>(v * 255.f + 0.5f);
        }
      }
    }
  }
  return grid;
}

void write_png(const std::filesystem::path& file, const ImageGrid& image) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  if (!png_image_write_to_file(&png, file.c_str(), 0, image.pixels.data(), 0, nullptr)) {
    throw Error("cannot write PNG " + file.string() + ": " + png.message);
  }
}

ImageGrid read_png(const std::filesystem::path& file) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, file.c_str())) {
    throw Error("cannot read PNG " + file.string() + ": " + png.message);
  }
  ImageGrid image;
  image.channels = (png.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
  png.format = image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  image.width = png.width;
  image.height = png.height;
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, image.pixels.data(), 0, nullptr)) {
    throw Error("cannot decode PNG " + file.string() + ": " + png.message);
  }
  return image;
}

}  // namespace genlab
