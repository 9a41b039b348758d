// ModularModel's derived accessors: every registered module, in registration order.
#include "genlab/modular_model.hpp"

namespace genlab {

std::vector<NamedParameter<float>> ModularModel::parameters() {
  std::vector<NamedParameter<float>> out;
  for (auto& [prefix, module] : modules_) module->collect_parameters(prefix, out);
  return out;
}

std::vector<std::pair<std::string, Tensor<float>*>> ModularModel::buffers() {
  std::vector<std::pair<std::string, Tensor<float>*>> out;
  for (auto& [prefix, module] : modules_) module->collect_buffers(prefix, out);
  return out;
}

void ModularModel::set_training(bool on) {
  for (auto& [prefix, module] : modules_) module->set_training(on);
}

}  // namespace genlab
