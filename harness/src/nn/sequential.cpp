// Sequential container: runs its named children in order and prefixes their parameter and buffer
// names with "<child name>/". It does not own optimizer state or draw random numbers.
#include <algorithm>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/nn.hpp"

namespace genlab {

template <class T>
Sequential<T>& Sequential<T>::add(std::string name, std::unique_ptr<Module<T>> module) {
  if (!module) throw ConfigError("Sequential::add: layer '" + name + "' is null");
  if (name.empty() || name.find('/') != std::string::npos) {
    throw ConfigError("Sequential::add: layer name '" + name + "' must be non-empty without '/'");
  }
  const bool taken = std::any_of(layers_.begin(), layers_.end(),
                                 [&](const auto& layer) { return layer.first == name; });
  if (taken) throw ConfigError("Sequential::add: duplicate layer name '" + name + "'");
  module->set_training(this->training_);
  layers_.emplace_back(std::move(name), std::move(module));
  return *this;
}

template <class T>
Variable<T> Sequential<T>::forward(const Variable<T>& x) {
  Variable<T> h = x;
  for (auto& layer : layers_) h = layer.second->forward(h);
  return h;
}

template <class T>
void Sequential<T>::collect_parameters(const std::string& prefix,
                                       std::vector<NamedParameter<T>>& out) {
  for (auto& [name, module] : layers_) module->collect_parameters(prefix + name + "/", out);
}

template <class T>
void Sequential<T>::collect_buffers(const std::string& prefix,
                                    std::vector<std::pair<std::string, Tensor<T>*>>& out) {
  for (auto& [name, module] : layers_) module->collect_buffers(prefix + name + "/", out);
}

template <class T>
void Sequential<T>::set_training(bool on) {
  Module<T>::set_training(on);
  for (auto& layer : layers_) layer.second->set_training(on);
}

#define GENLAB_INSTANTIATE(T) template class Sequential<T>;
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
