// Data sets for genlab runs: Fashion-MNIST (Debian's dataset-fashion-mnist, gzip IDX files) and
// the synthetic 2-D Gaussian mixtures ring8 / grid25, split into train / validation / test, plus
// the seeded data order (epoch_order) and batch gathering the runner uses; the runner's cursor
// is the step itself (batch = rows step % steps_per_epoch of epoch_order(seed, epoch)), so no
// cursor object or state is kept.
// Two-domain (unpaired) sets carry domain B beside A (Dataset::x_b) and get B's batches from
// their own order stream (add_domain_b). It does not augment, normalise beyond [0, 1] pixels,
// or build CycleGAN's two-domain sets themselves (no loader fills x_b yet).
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "genlab/model.hpp"
#include "genlab/tensor.hpp"

namespace genlab {

struct Dataset {
  std::string name;               // "fashion_mnist", "ring8", "grid25"
  Tensor<float> x;                // (N, D) row-major; images flattened, pixel values in [0, 1]
  std::vector<std::int32_t> y;    // (N,) class label, or mixture component for synthetic sets
  Shape sample_shape;             // shape of one sample: {1, 28, 28} or {2}; D = product
  std::size_t num_classes = 0;    // 10, 8 or 25
  // Unpaired two-domain sets only, else empty: domain B, (N_b, D) and (N_b,); x, y are domain A.
  Tensor<float> x_b = {};
  std::vector<std::int32_t> y_b = {};

  std::size_t size() const { return y.size(); }
  bool two_domain() const { return x_b.dimension() == 2; }  // (a default Tensor is 0-D, size 1)
  std::size_t dim() const { return shape_size(sample_shape); }
};

struct DataSplits {
  Dataset train, validation, test;
};

struct DataOptions {
  std::string name;  // one of dataset_names()
  std::filesystem::path path = "/usr/share/datasets/fashion-mnist";  // folder of the IDX files
  std::size_t limit = 0;       // > 0: keep only the first `limit` train and the first `limit` test samples
  std::size_t validation = 0;  // the last `validation` train samples (after limit) become the validation set
};

// The data set names load_data() knows ("fashion_mnist", "ring8", "grid25").
const std::vector<std::string>& dataset_names();

// Loads (Fashion-MNIST: reads and caches in-process; synthetic: generates from
// Rng(seed, "data/synthetic")) and splits. Throws DataError naming the file/option and the problem;
// a missing Fashion-MNIST folder or file says how to install it.
DataSplits load_data(const DataOptions& options, std::uint64_t seed);

// The order of samples in epoch `epoch`: a permutation of 0..n-1 drawn from stream (seed, "data")
// and the epoch alone, so resuming needs no state but the epoch and the position within it.
std::vector<std::size_t> epoch_order(std::size_t n, std::uint64_t seed, std::int64_t epoch);

// Rows idx[0..count) of x: (N, ...) -> (count, ...). Throws ShapeError on an index >= N.
Tensor<float> gather_rows(const Tensor<float>& x, const std::size_t* idx, std::size_t count);
std::vector<std::int32_t> gather_labels(const std::vector<std::int32_t>& y, const std::size_t* idx, std::size_t count);

// Fills batch.x_b, batch.y_b with batch.size() rows of domain B for global step `step` of a run
// whose domain-A batches have `batch_size` rows: B's own epochs over its N_b rows, each in the
// order (seed, "data/b") -> "epoch <e>", rows step * batch_size + i. Like domain A's order it is
// a function of the step alone, so resuming needs no cursor state. No-op for one-domain sets.
void add_domain_b(Batch& batch, const Dataset& data, std::uint64_t seed, std::int64_t step, std::size_t batch_size);

// A batch of rows [begin, end) of a data set, in order (two-domain sets: B's rows begin.. too,
// wrapping around N_b). For evaluations and metrics, which see a split in order.
Batch batch_of(const Dataset& data, std::size_t begin, std::size_t end);


}  // namespace genlab
