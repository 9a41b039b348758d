// load_data(): picks the source by name, then splits the last `validation` train samples off as
// the validation set. It does not shuffle or batch (batching.cpp does).
#include <cstring>

#include "data/sources.hpp"
#include "genlab/error.hpp"

namespace genlab {

namespace {
// Rows [begin, end) of a data set, same metadata.
Dataset slice(const Dataset& from, std::size_t begin, std::size_t end) {
  const std::size_t d = from.dim(), n = end - begin;
  Dataset out{from.name, Tensor<float>::from_shape({n, d}), std::vector<std::int32_t>(from.y.begin() + begin, from.y.begin() + end),
              from.sample_shape, from.num_classes};
  if (n > 0) std::memcpy(out.x.data(), from.x.data() + begin * d, n * d * sizeof(float));
  return out;
}
}  // namespace

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names{"fashion_mnist",  "ring8",         "grid25",         "fashion_invert",
                                              "fashion_flip",   "fashion_edges", "fashion_classes"};
  return names;
}

std::string dataset_names_text() {
  std::string out;
  for (const std::string& name : dataset_names()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

DataSplits load_data(const DataOptions& options, std::uint64_t seed) {
  std::pair<Dataset, Dataset> train_test;
  if (options.name == "fashion_mnist") {
    train_test = data_detail::load_fashion_mnist(options.path, options.limit);
  } else if (is_two_domain_set(options.name)) {
    train_test = data_detail::make_two_domain(options, data_detail::load_fashion_mnist(options.path, options.limit), seed);
  } else if (options.name == "ring8" || options.name == "grid25") {
    train_test = data_detail::make_mixture(options.name, seed, options.limit);
  } else {
    throw DataError("unknown data set '" + options.name + "' (known: " + dataset_names_text() + ")");
  }
  Dataset& all_train = train_test.first;
  const std::size_t n = all_train.size();
  if (all_train.two_domain() && options.validation > 0) {
    throw DataError("data.validation = " + std::to_string(options.validation) + ": the two-domain set " + options.name +
                    " has no validation split (set data.validation = 0)");
  }
  if (options.validation >= n) {
    throw DataError("data.validation = " + std::to_string(options.validation) + " leaves no training samples (" +
                    options.name + " has " + std::to_string(n) + " after limit)");
  }
  DataSplits splits;
  splits.validation = slice(all_train, n - options.validation, n);
  splits.train = options.validation == 0 ? std::move(all_train) : slice(all_train, 0, n - options.validation);
  splits.test = std::move(train_test.second);
  return splits;
}

}  // namespace genlab
