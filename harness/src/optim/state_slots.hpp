// Internal to libgenlab's optimizers: per-parameter state buffers ("m/<param>", "v/<param>", ...)
// allocated once, zero-initialised, and their exact export / checked import as named tensors.
// It holds no update rule; sgd.cpp, adam.cpp and rmsprop.cpp do.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "genlab/error.hpp"
#include "genlab/optim.hpp"

namespace genlab::optim_detail {

// The entry `key` of `state`, which must have `shape`; ConfigError naming the entry otherwise.
template <class T>
const Tensor<T>& require_entry(const TensorMap<T>& state, const std::string& key,
                               const Shape& shape) {
  const auto it = state.find(key);
  if (it == state.end()) throw ConfigError("optimizer state: missing entry '" + key + "'");
  if (shape_of(it->second) != shape) {
    throw ConfigError("optimizer state: entry '" + key + "' has shape " +
                      shape_str(shape_of(it->second)) + ", expected " + shape_str(shape));
  }
  return it->second;
}

// A parameter's value, gradient and state buffers must all have the same number of elements.
inline void require_same_size(const char* optimizer, const std::string& param, std::size_t value,
                              std::size_t other) {
  if (value != other) {
    throw ShapeError(std::string(optimizer) + ": parameter '" + param + "' has " +
                     std::to_string(value) + " elements but its gradient or state has " +
                     std::to_string(other));
  }
}

// One buffer per parameter, shaped like it, zero at the start (PyTorch's lazily created
// state behaves identically from zeros: m = b1 * 0 + ..., buf = mu * 0 + g). A disabled set
// (e.g. momentum 0) holds nothing and exports, checks and imports nothing.
template <class T>
class StateSlots {
 public:
  StateSlots(std::string kind, const std::vector<NamedParameter<T>>& params, bool enabled = true)
      : kind_(std::move(kind)) {
    if (!enabled) return;
    buffers_.reserve(params.size());
    for (const auto& p : params) buffers_.push_back(zeros<T>(p.variable.shape()));
  }

  T* data(std::size_t i) { return buffers_[i].data(); }
  std::size_t size(std::size_t i) const { return buffers_[i].size(); }
  std::string key(const std::vector<NamedParameter<T>>& params, std::size_t i) const {
    return kind_ + "/" + params[i].name;
  }

  void export_to(const std::vector<NamedParameter<T>>& params, TensorMap<T>& out) const {
    for (std::size_t i = 0; i < buffers_.size(); ++i) out[key(params, i)] = buffers_[i];
  }
  // Throws before anything is modified; import_from then copies into the existing buffers.
  void check(const std::vector<NamedParameter<T>>& params, const TensorMap<T>& in) const {
    for (std::size_t i = 0; i < buffers_.size(); ++i) {
      require_entry(in, key(params, i), shape_of(buffers_[i]));
    }
  }
  void import_from(const std::vector<NamedParameter<T>>& params, const TensorMap<T>& in) {
    for (std::size_t i = 0; i < buffers_.size(); ++i) {
      const Tensor<T>& src = in.at(key(params, i));
      std::copy(src.data(), src.data() + src.size(), buffers_[i].data());
    }
  }

 private:
  std::string kind_;
  std::vector<Tensor<T>> buffers_;
};

}  // namespace genlab::optim_detail
