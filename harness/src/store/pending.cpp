// In-memory rows of the RunWriter's pending state and the checks on names and value counts.
// It does not touch HDF5: everything here is validated before a commit opens any file.
#include "store/pending.hpp"

#include <limits>

#include "genlab/error.hpp"

namespace genlab::store_detail {

void Rows::add(std::int64_t step, std::initializer_list<std::pair<std::string_view, double>> fixed,
               const std::map<std::string, double>& metrics) {
  const std::size_t row = steps.size();
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  auto put = [&](std::string_view name, double value) {
    auto it = columns.find(name);
    if (it == columns.end()) it = columns.emplace(std::string(name), std::vector<double>()).first;
    it->second.resize(row, nan);  // a metric new in this row: NaN for the earlier pending rows
    it->second.push_back(value);
  };
  for (const auto& [name, value] : fixed) put(name, value);
  for (const auto& [name, value] : metrics) put(name, value);
  steps.push_back(step);
  for (auto& [name, column] : columns) column.resize(steps.size(), nan);  // not reported in this row
}

void Rows::drop_after(std::int64_t step) {
  std::size_t keep = 0;
  while (keep < steps.size() && steps[keep] <= step) ++keep;
  steps.resize(keep);
  for (auto& [name, column] : columns) column.resize(keep);
}

void ImageRows::drop_after(std::int64_t step) {
  std::size_t keep = 0;
  while (keep < steps.size() && steps[keep] <= step) ++keep;
  steps.resize(keep);
  pixels.resize(keep * element_count(shape));
}

void check_name(const std::filesystem::path& file, const std::string& kind, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    throw StoreError(file.string() + ": invalid " + kind + " name '" + name +
                     "' (must be non-empty, without '/', and not '.' or '..')");
  }
}

void check_tensor_path(const std::filesystem::path& file, const std::string& name) {
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = name.find('/', start);
    const std::string part = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") {
      throw StoreError(file.string() + ": invalid checkpoint tensor name '" + name +
                       "' (components separated by single '/', none empty, '.' or '..')");
    }
    if (slash == std::string::npos) return;
    start = slash + 1;
  }
}

std::size_t element_count(const std::vector<std::size_t>& shape) {
  std::size_t n = 1;
  for (const std::size_t d : shape) n *= d;
  return n;
}

std::size_t value_count(const CheckpointTensor& tensor) {
  return std::visit([](const auto& values) { return values.size(); }, tensor.data);
}

}  // namespace genlab::store_detail
