// Conversions between genlab tensors and checkpoint entries (float tensors bit for bit, RNG
// states as uint64[3]), and a model's whole checkpoint. Internal to the runner and the plugin
// contract; it does not open files.
#pragma once
#include <string>

#include "genlab/model.hpp"
#include "genlab/nn.hpp"
#include "genlab/rng.hpp"
#include "genlab/store.hpp"
#include "run/optimizer_set.hpp"

namespace genlab {

CheckpointTensor to_checkpoint(const Tensor<float>& t);
// Copies entry `name` into `dst`, which must already have the stored shape; throws StoreError
// naming the entry otherwise (a checkpoint from another architecture).
void from_checkpoint(const Checkpoint& checkpoint, const std::string& name, Tensor<float>& dst);
// Every entry of `tensors` under prefix + name; and back: every entry under prefix.
void put_tensors(Checkpoint& checkpoint, const std::string& prefix, const TensorMap<float>& tensors);
TensorMap<float> get_tensors(const Checkpoint& checkpoint, const std::string& prefix);
void put_rng(Checkpoint& checkpoint, const std::string& name, const Rng& rng);
void get_rng(const Checkpoint& checkpoint, const std::string& name, Rng& rng);

// Everything a checkpoint holds: parameters, buffers, optimizer state, the noise stream and the
// plugin's extra state. The data cursor is the step itself (the order is derived from seed+epoch).
Checkpoint make_checkpoint(Model& model, const OptimizerSet& optimizers, const Rng& noise);
// Its exact inverse; throws StoreError naming a missing or mis-shaped entry.
void restore_checkpoint(const Checkpoint& c, Model& model, OptimizerSet& optimizers, Rng& noise);

}  // namespace genlab
