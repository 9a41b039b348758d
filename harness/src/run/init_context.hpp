// The InitContext the harness hands a plugin's init(): the resolved hyper-parameters, the data
// set's shape, the (seed, "init") stream, and optimizers from the run's OptimizerSet for the groups
// the plugin declared (ModelDescription::optimizer_groups). Used by build_model
// (run/model_from_run.hpp) and the plugin contract. It creates no optimizer itself.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "genlab/error.hpp"
#include "genlab/model.hpp"
#include "run/optimizer_set.hpp"

namespace genlab {

class HarnessInitContext final : public InitContext {
 public:
  HarnessInitContext(const Params& params, const DataInfo& data, std::uint64_t seed, OptimizerSet& optimizers,
                     const ModelDescription& description)
      : params_(params), data_(data), init_rng_(seed, "init"), optimizers_(optimizers), description_(description) {}
  const Params& params() const override { return params_; }
  const DataInfo& data() const override { return data_; }
  Rng& init_rng() override { return init_rng_; }
  Optimizer<float>& make_optimizer(const std::string& group,
                                   std::vector<NamedParameter<float>> params) override {
    const auto& declared = description_.optimizer_groups;
    if (std::find(declared.begin(), declared.end(), group) == declared.end()) {
      std::string list;
      for (const auto& g : declared) list += (list.empty() ? "" : ", ") + g;
      throw PluginError("plugin '" + description_.name + "' asked for the optimizer of group '" + group +
                        "', which its description does not declare (optimizer_groups: " +
                        (list.empty() ? "none" : list) + ")");
    }
    return optimizers_.make(group, std::move(params));
  }

 private:
  const Params& params_;
  const DataInfo& data_;
  Rng init_rng_;
  OptimizerSet& optimizers_;
  const ModelDescription& description_;
};

}  // namespace genlab
