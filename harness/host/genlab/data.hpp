// Data sets for genlab runs: Fashion-MNIST (Debian's dataset-fashion-mnist, gzip IDX files) and
// the synthetic 2-D Gaussian mixtures ring8 / grid25, split into train / validation / test, plus
// the seeded data order (epoch_order) and batch gathering the runner uses; the runner's cursor
// is the step itself (batch = rows step % steps_per_epoch of epoch_order(seed, epoch)), so no
// cursor object or state is kept.
// Two-domain (unpaired) sets carry domain B beside A (Dataset::x_b) and get B's batches from
// their own order stream (add_domain_b); the two-domain sets built from Fashion-MNIST
// (fashion_invert, fashion_flip, fashion_edges, fashion_classes) are made in two_domain.cpp.
// It does not augment or normalise beyond [0, 1] pixels.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "genlab/model.hpp"
#include "genlab/tensor.hpp"

namespace genlab {

// Which rows of a split pair up with a known ground truth: none (unpaired training halves, the
// class-to-class set), A->B only (x_b row i = T(x row i), T not invertible: fashion_edges) or
// both ways (T invertible: B->A's truth of x_b row i is x row i). Only test splits are paired.
enum class GroundTruth { None, AToB, Both };

struct Dataset {
  std::string name;               // "fashion_mnist", "ring8", "grid25"
  Tensor<float> x;                // (N, D) row-major; images flattened, pixel values in [0, 1]
  std::vector<std::int32_t> y;    // (N,) class label, or mixture component for synthetic sets
  Shape sample_shape;             // shape of one sample: {1, 28, 28} or {2}; D = product
  std::size_t num_classes = 0;    // 10, 8 or 25
  // Unpaired two-domain sets only, else empty: domain B, (N_b, D) and (N_b,); x, y are domain A.
  Tensor<float> x_b = {};
  std::vector<std::int32_t> y_b = {};
  GroundTruth ground_truth = GroundTruth::None;
  // The class a translation into each domain should show, for label metrics (fashion_classes:
  // its two classes; -1 = the input's own class, as for the transform sets).
  std::int32_t class_a = -1, class_b = -1;

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
  std::string flip = "mirror";  // fashion_flip: "mirror" (left-right) or "rot90" (clockwise)
  std::vector<std::int64_t> classes = {7, 9};  // fashion_classes: class of A, class of B (sneaker, ankle boot)
  // Transform sets: a paired training set for the supervised baseline: B's training rows are
  // T(A's rows) (A's half only) and batches keep them paired (add_paired_b).
  bool paired = false;
};

// The data set names that are unpaired two-domain sets built from Fashion-MNIST.
bool is_two_domain_set(const std::string& name);

// The ground-truth map of a two-domain set, x: (N, 784) 28x28 images in [0, 1] -> T(x): (N, 784).
// kind: "invert" 1 - x; "mirror" x[r][27 - c]; "rot90" clockwise, out[r][c] = x[27 - c][r];
// "edges" the Sobel gradient magnitude with zero padding, divided by 4 (a unit step edge gives 1)
// and clipped to [0, 1]. DataError for another kind or a row that is not 784 wide.
Tensor<float> domain_map(const std::string& kind, const Tensor<float>& x);

// The data set names load_data() knows ("fashion_mnist", "ring8", "grid25", the two-domain sets).
const std::vector<std::string>& dataset_names();
// The same names as one line, "fashion_mnist, ring8, ..." (error messages and --help).
std::string dataset_names_text();

// Loads (Fashion-MNIST: reads and caches in-process; synthetic: generates from
// Rng(seed, "data/synthetic")) and splits. Throws DataError naming the file/option and the problem;
// a missing Fashion-MNIST folder or file says how to install it.
DataSplits load_data(const DataOptions& options, std::uint64_t seed);

// The content identity of data set `name` read from `path`, part of every run id (data.identity):
// 64 hex digits of SHA-256 over the name and, for file sets, each file's name and SHA-256 (the
// folder's path is not part of it), for generated sets their generator's parameters. Files are
// hashed once per process (cached by path, size and modification time). Throws DataError like
// load_data when the files are missing. Rules, and those for derived sets: docs/ARCHITECTURE.md.
std::string data_identity(const std::string& name, const std::filesystem::path& path);

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

// Paired training sets (data.paired, ground_truth != None): batch.x_b, y_b = B's rows idx[0..count),
// the same rows as batch.x, so x_b row i = T(x row i). No-op for one-domain sets.
void add_paired_b(Batch& batch, const Dataset& data, const std::size_t* idx, std::size_t count);

// A batch of rows [begin, end) of a data set, in order (two-domain sets: B's rows begin.. too,
// wrapping around N_b). For evaluations and metrics, which see a split in order.
Batch batch_of(const Dataset& data, std::size_t begin, std::size_t end);


}  // namespace genlab
