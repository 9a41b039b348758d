// Fashion-MNIST (60k train / 10k test, 28x28 grey, 10 classes) from Debian's dataset-fashion-mnist:
// checks the folder and files, image/label counts and label range, scales pixels to [0, 1].
// It does not download anything: a missing file says which Debian package provides it.
#include <array>
#include <string>

#include "data/idx_file.hpp"
#include "data/sources.hpp"
#include "genlab/error.hpp"

namespace genlab::data_detail {

namespace fs = std::filesystem;

namespace {
constexpr std::uint32_t images_magic = 2051, labels_magic = 2049;
constexpr std::size_t side = 28, classes = 10;
const char* const install_hint = "install it with: sudo apt-get install dataset-fashion-mnist";

// "<folder>/<stem>.gz", or the uncompressed "<folder>/<stem>" if only that exists.
fs::path find_file(const fs::path& folder, const std::string& stem) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw DataError("Fashion-MNIST folder " + folder.string() + " does not exist; " + install_hint +
                    " (or set data.path)");
  }
  const fs::path gz = folder / (stem + ".gz");
  if (fs::exists(gz, ec)) return gz;
  if (fs::exists(folder / stem, ec)) return folder / stem;
  throw DataError("Fashion-MNIST file " + gz.string() + " is missing; " + install_hint);
}

// One split: "train" or "t10k".
Dataset load_split(const fs::path& folder, const std::string& prefix, std::size_t limit) {
  const fs::path images_file = find_file(folder, prefix + "-images-idx3-ubyte");
  const fs::path labels_file = find_file(folder, prefix + "-labels-idx1-ubyte");
  const auto images = read_idx(images_file, images_magic);
  const auto labels = read_idx(labels_file, labels_magic);
  if (images->dims[1] != side || images->dims[2] != side) {
    throw DataError(images_file.string() + ": images are " + std::to_string(images->dims[1]) + "x" +
                    std::to_string(images->dims[2]) + ", expected 28x28");
  }
  if (images->dims[0] != labels->dims[0]) {
    throw DataError(images_file.string() + " has " + std::to_string(images->dims[0]) + " images but " +
                    labels_file.string() + " has " + std::to_string(labels->dims[0]) + " labels");
  }
  const std::size_t n = capped(images->dims[0], limit), d = side * side;
  Dataset out{"fashion_mnist", Tensor<float>::from_shape({n, d}), std::vector<std::int32_t>(n), {1, side, side}, classes};
  std::array<float, 256> scale;  // pixel / 255 by table: the conversion dominates a cached load
  for (std::size_t v = 0; v < 256; ++v) scale[v] = static_cast<float>(v) / 255.0f;
  const std::uint8_t* pixels = images->bytes.data();
  float* x = out.x.data();
  for (std::size_t i = 0; i < n * d; ++i) x[i] = scale[pixels[i]];
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t label = labels->bytes[i];
    if (label >= classes) {
      throw DataError(labels_file.string() + ": label " + std::to_string(label) + " of sample " + std::to_string(i) +
                      " is out of range 0..9");
    }
    out.y[i] = label;
  }
  return out;
}
}  // namespace

std::vector<fs::path> fashion_mnist_files(const fs::path& folder) {
  std::vector<fs::path> out;
  for (const char* stem : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                           "t10k-labels-idx1-ubyte"}) {
    out.push_back(find_file(folder, stem));
  }
  return out;
}

std::pair<Dataset, Dataset> load_fashion_mnist(const fs::path& folder, std::size_t limit) {
  return {load_split(folder, "train", limit), load_split(folder, "t10k", limit)};
}

}  // namespace genlab::data_detail
