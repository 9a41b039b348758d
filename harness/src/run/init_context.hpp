// The InitContext the harness hands a plugin's init(): the resolved hyper-parameters, the data
// set's shape, the (seed, "init") stream, and optimizers from the run's OptimizerSet. Used by the
// runner and to rebuild a reference classifier from its run file. It creates no optimizer itself.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "genlab/model.hpp"
#include "run/optimizer_set.hpp"

namespace genlab {

class HarnessInitContext final : public InitContext {
 public:
  HarnessInitContext(const Params& params, const DataInfo& data, std::uint64_t seed, OptimizerSet& optimizers)
      : params_(params), data_(data), init_rng_(seed, "init"), optimizers_(optimizers) {}
  const Params& params() const override { return params_; }
  const DataInfo& data() const override { return data_; }
  Rng& init_rng() override { return init_rng_; }
  Optimizer<float>& make_optimizer(const std::string& group,
                                   std::vector<NamedParameter<float>> params) override {
    return optimizers_.make(group, std::move(params));
  }

 private:
  const Params& params_;
  const DataInfo& data_;
  Rng init_rng_;
  OptimizerSet& optimizers_;
};

}  // namespace genlab
