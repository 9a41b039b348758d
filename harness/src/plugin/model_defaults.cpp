// Default bodies of Model's optional capabilities: each throws, naming the capability, so a
// harness metric that needs it fails clearly instead of silently skipping.
#include "genlab/error.hpp"
#include "genlab/model.hpp"

namespace genlab {

namespace {
[[noreturn]] void missing(const char* what) {
  throw PluginError(std::string("this model does not implement ") + what);
}
}  // namespace

Tensor<float> Model::reconstruct(const Batch&) { missing("reconstruct()"); }
std::pair<Tensor<float>, Tensor<float>> Model::encode(const Batch&) { missing("encode()"); }
Tensor<float> Model::decode(const Tensor<float>&, const std::vector<std::int32_t>&) { missing("decode()"); }
Tensor<float> Model::sample(std::size_t, const std::vector<std::int32_t>&, Rng&) { missing("sample()"); }
Tensor<float> Model::discriminate(const Batch&) { missing("discriminate()"); }
Tensor<float> Model::translate(const Batch&, int) { missing("translate()"); }
Tensor<float> Model::log_importance_weights(const Batch&, std::size_t, Rng&) { missing("log_importance_weights()"); }
Tensor<float> Model::classify(const Batch&) { missing("classify()"); }
Tensor<float> Model::features(const Batch&) { missing("features()"); }

}  // namespace genlab
