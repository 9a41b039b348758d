// The seeded data order of a run and batch gathering: epoch_order() is a pure function of
// (seed, epoch), so a run's data position is its step alone. It does not load data.
#include <algorithm>
#include <cstring>

#include "genlab/data.hpp"
#include "genlab/error.hpp"
#include "genlab/rng.hpp"

namespace genlab {

std::vector<std::size_t> epoch_order(std::size_t n, std::uint64_t seed, std::int64_t epoch) {
  return Rng(seed, "data").derive("epoch " + std::to_string(epoch)).permutation(n);
}

Batch batch_of(const Dataset& data, std::size_t begin, std::size_t end) {
  const std::size_t dim = data.x.shape()[1];
  Batch b;
  b.x = Tensor<float>::from_shape({end - begin, dim});
  std::copy(data.x.data() + begin * dim, data.x.data() + end * dim, b.x.data());
  if (!data.y.empty()) b.y.assign(data.y.begin() + begin, data.y.begin() + end);
  if (data.two_domain()) {  // domain B's rows begin.. in stored order, wrapping around N_b
    std::vector<std::size_t> rows(end - begin);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = (begin + i) % data.x_b.shape()[0];
    b.x_b = gather_rows(data.x_b, rows.data(), rows.size());
    if (!data.y_b.empty()) b.y_b = gather_labels(data.y_b, rows.data(), rows.size());
  }
  return b;
}

void add_domain_b(Batch& batch, const Dataset& data, std::uint64_t seed, std::int64_t step, std::size_t batch_size) {
  if (!data.two_domain()) return;
  const std::size_t n_b = data.x_b.shape()[0], count = batch.size();
  std::vector<std::size_t> rows(count), order;
  std::int64_t order_epoch = -1;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t global = static_cast<std::size_t>(step) * batch_size + i;
    const auto epoch = static_cast<std::int64_t>(global / n_b);
    if (epoch != order_epoch) {
      order = Rng(seed, "data/b").derive("epoch " + std::to_string(epoch)).permutation(n_b);
      order_epoch = epoch;
    }
    rows[i] = order[global % n_b];
  }
  batch.x_b = gather_rows(data.x_b, rows.data(), count);
  if (!data.y_b.empty()) batch.y_b = gather_labels(data.y_b, rows.data(), count);
}

void add_paired_b(Batch& batch, const Dataset& data, const std::size_t* idx, std::size_t count) {
  if (!data.two_domain()) return;
  batch.x_b = gather_rows(data.x_b, idx, count);
  if (!data.y_b.empty()) batch.y_b = gather_labels(data.y_b, idx, count);
}

Tensor<float> gather_rows(const Tensor<float>& x, const std::size_t* idx, std::size_t count) {
  // x: (N, ...) -> out: (count, ...)
  if (x.dimension() == 0) throw ShapeError("gather_rows: x must have at least one dimension, got a scalar");
  const std::size_t rows = x.shape()[0];
  const std::size_t row_size = rows == 0 ? 0 : x.size() / rows;
  Shape shape = shape_of(x);
  shape[0] = count;
  Tensor<float> out = Tensor<float>::from_shape(shape);
  for (std::size_t i = 0; i < count; ++i) {
    if (idx[i] >= rows) {
      throw ShapeError("gather_rows: index " + std::to_string(idx[i]) + " is out of range for x " +
                       shape_str(shape_of(x)));
    }
    std::memcpy(out.data() + i * row_size, x.data() + idx[i] * row_size, row_size * sizeof(float));
  }
  return out;
}

std::vector<std::int32_t> gather_labels(const std::vector<std::int32_t>& y, const std::size_t* idx, std::size_t count) {
  std::vector<std::int32_t> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (idx[i] >= y.size()) {
      throw ShapeError("gather_labels: index " + std::to_string(idx[i]) + " is out of range for " +
                       std::to_string(y.size()) + " labels");
    }
    out[i] = y[idx[i]];
  }
  return out;
}

}  // namespace genlab
