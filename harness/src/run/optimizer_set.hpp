// The optimizers of one run, one per parameter group the plugin asks for: built from
// [train.optimizer] (+ per-group overrides), learning rate scheduled by step, gradients clipped
// before each update, state saved to and restored from the checkpoint. Internal to the runner.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "genlab/optim.hpp"
#include "genlab/spec.hpp"
#include "genlab/store.hpp"

namespace genlab {

class OptimizerSet {
 public:
  OptimizerSet(const RunSpec& spec, std::int64_t total_steps);
  Optimizer<float>& make(const std::string& group, std::vector<NamedParameter<float>> params);
  // Sets every group's learning rate for `step` (0-based).
  void apply_schedule(std::int64_t step);
  // Entries "optim/<group>/<name>" of the checkpoint.
  void save(Checkpoint& checkpoint) const;
  void load(const Checkpoint& checkpoint);
  bool empty() const { return groups_.empty(); }

 private:
  struct Group {
    std::unique_ptr<Optimizer<float>> optimizer;
    std::unique_ptr<LrSchedule> schedule;
  };
  const RunSpec& spec_;
  std::int64_t total_steps_;
  std::map<std::string, Group> groups_;
};

}  // namespace genlab
