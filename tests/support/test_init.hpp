// An InitContext for tests that drive a plugin's Model directly (no runner): given parameters and
// data shape, the stream ("init") of seed 11, and a default Adam per optimizer group. It does not
// schedule learning rates or checkpoint anything.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "genlab/model.hpp"

namespace genlab::testing {

class TestInit final : public InitContext {
 public:
  TestInit(Params params, DataInfo info) : params_(std::move(params)), info_(std::move(info)) {}
  const Params& params() const override { return params_; }
  const DataInfo& data() const override { return info_; }
  Rng& init_rng() override { return rng_; }
  Optimizer<float>& make_optimizer(const std::string&, std::vector<NamedParameter<float>> p) override {
    optimizers_.push_back(make_adam<float>(std::move(p), AdamOptions{}));
    return *optimizers_.back();
  }

 private:
  Params params_;
  DataInfo info_;
  Rng rng_{11, "init"};
  std::vector<std::unique_ptr<Optimizer<float>>> optimizers_;
};

}  // namespace genlab::testing
