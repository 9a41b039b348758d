// Tensor <-> checkpoint entry conversions and whole-model checkpoints. Bit-exact: floats are copied, never
// converted through text or double.
#include "run/checkpoint_io.hpp"

#include "genlab/error.hpp"

namespace genlab {

CheckpointTensor to_checkpoint(const Tensor<float>& t) {
  CheckpointTensor c;
  c.shape = shape_of(t);
  c.data = std::vector<float>(t.data(), t.data() + t.size());
  return c;
}

namespace {
const CheckpointTensor& entry(const Checkpoint& checkpoint, const std::string& name) {
  const auto it = checkpoint.find(name);
  if (it == checkpoint.end()) throw StoreError("checkpoint has no entry '" + name + "'");
  return it->second;
}

Tensor<float> tensor_of(const std::string& name, const CheckpointTensor& c) {
  const auto* data = std::get_if<std::vector<float>>(&c.data);
  if (!data) throw StoreError("checkpoint entry '" + name + "' is not float32");
  Tensor<float> t = Tensor<float>::from_shape(c.shape);
  std::copy(data->begin(), data->end(), t.data());
  return t;
}
}  // namespace

void from_checkpoint(const Checkpoint& checkpoint, const std::string& name, Tensor<float>& dst) {
  const CheckpointTensor& c = entry(checkpoint, name);
  if (c.shape != shape_of(dst)) {
    throw StoreError("checkpoint entry '" + name + "' has shape " + checkpoint_shape_str(c.shape) +
                     " but the model expects " + shape_str(shape_of(dst)));
  }
  dst = tensor_of(name, c);
}

void put_tensors(Checkpoint& checkpoint, const std::string& prefix, const TensorMap<float>& tensors) {
  for (const auto& [name, t] : tensors) checkpoint[prefix + name] = to_checkpoint(t);
}

TensorMap<float> get_tensors(const Checkpoint& checkpoint, const std::string& prefix) {
  TensorMap<float> out;
  for (auto it = checkpoint.lower_bound(prefix); it != checkpoint.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out[it->first.substr(prefix.size())] = tensor_of(it->first, it->second);
  }
  return out;
}

void put_rng(Checkpoint& checkpoint, const std::string& name, const Rng& rng) {
  const auto a = rng.state().to_array();
  checkpoint[name] = CheckpointTensor{{3}, std::vector<std::uint64_t>(a.begin(), a.end())};
}

void get_rng(const Checkpoint& checkpoint, const std::string& name, Rng& rng) {
  const CheckpointTensor& c = entry(checkpoint, name);
  const auto* data = std::get_if<std::vector<std::uint64_t>>(&c.data);
  if (!data || data->size() != 3) throw StoreError("checkpoint entry '" + name + "' is not an RNG state");
  rng.set_state(RngState::from_array({(*data)[0], (*data)[1], (*data)[2]}));
}

Checkpoint make_checkpoint(Model& model, const OptimizerSet& optimizers, const Rng& noise) {
  Checkpoint c;
  for (const auto& p : model.parameters()) c["params/" + p.name] = to_checkpoint(p.variable.value());
  for (const auto& [name, t] : model.buffers()) c["buffers/" + name] = to_checkpoint(*t);
  optimizers.save(c);
  put_tensors(c, "extra/", model.extra_state());
  put_rng(c, "rng/noise", noise);
  return c;
}

void restore_checkpoint(const Checkpoint& c, Model& model, OptimizerSet& optimizers, Rng& noise) {
  for (auto& p : model.parameters()) from_checkpoint(c, "params/" + p.name, p.variable.mutable_value());
  for (auto& [name, t] : model.buffers()) from_checkpoint(c, "buffers/" + name, *t);
  optimizers.load(c);
  model.load_extra_state(get_tensors(c, "extra/"));
  get_rng(c, "rng/noise", noise);
}

}  // namespace genlab
