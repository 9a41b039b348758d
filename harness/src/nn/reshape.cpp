// Reshape layer: keeps the batch dimension and reshapes each sample (a decoder's fc -> conv
// bridge). Element counts are checked by the reshape op, not here.
#include "core/instantiate.hpp"
#include "genlab/nn.hpp"

namespace genlab {

// x: (B, ...) -> (B, per_sample...)
template <class T>
Variable<T> Reshape<T>::forward(const Variable<T>& x) {
  Shape shape;
  shape.reserve(per_sample_.size() + 1);
  shape.push_back(x.dim(0));
  shape.insert(shape.end(), per_sample_.begin(), per_sample_.end());
  return reshape(x, shape);
}

#define GENLAB_INSTANTIATE(T) template class Reshape<T>;
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE)
#undef GENLAB_INSTANTIATE

}  // namespace genlab
