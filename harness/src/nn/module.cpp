// Module's non-virtual accessors: the flat, named lists of parameters and buffers.
// Each concrete module says what it owns through collect_parameters / collect_buffers.
#include "core/instantiate.hpp"
#include "genlab/nn.hpp"

namespace genlab {

template <class T>
std::vector<NamedParameter<T>> Module<T>::parameters(const std::string& prefix) {
  std::vector<NamedParameter<T>> out;
  collect_parameters(prefix, out);
  return out;
}

template <class T>
std::vector<std::pair<std::string, Tensor<T>*>> Module<T>::buffers(const std::string& prefix) {
  std::vector<std::pair<std::string, Tensor<T>*>> out;
  collect_buffers(prefix, out);
  return out;
}

#define GENLAB_INSTANTIATE(T) template class Module<T>;
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
