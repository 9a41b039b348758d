// make_activation: an activation module from its config name. The functions themselves are ops
// (ops.hpp); this file only maps names to them and rejects unknown names with the valid list.
#include <string>

#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/nn.hpp"

namespace genlab {

template <class T>
std::unique_ptr<Module<T>> make_activation(const std::string& name) {
  using Fn = typename Activation<T>::Fn;
  Fn fn;
  if (name == "relu") {
    fn = [](const Variable<T>& x) { return relu(x); };
  } else if (name == "leaky_relu") {
    fn = [](const Variable<T>& x) { return leaky_relu(x, T(0.2)); };
  } else if (name == "tanh") {
    fn = [](const Variable<T>& x) { return genlab::tanh(x); };
  } else if (name == "sigmoid") {
    fn = [](const Variable<T>& x) { return sigmoid(x); };
  } else if (name == "softplus") {
    fn = [](const Variable<T>& x) { return softplus(x); };
  } else if (name == "identity") {
    fn = [](const Variable<T>& x) { return x; };
  } else {
    throw ConfigError("unknown activation '" + name +
                      "'; valid choices: relu, leaky_relu, tanh, sigmoid, softplus, identity");
  }
  return std::make_unique<Activation<T>>(std::move(fn));
}

#define GENLAB_INSTANTIATE(T) \
  template std::unique_ptr<Module<T>> make_activation<T>(const std::string&);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
