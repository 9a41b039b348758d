// ModularModel: a Model whose parameters(), buffers() and set_training() are derived from the
// modules it registers (flashlight's container pattern), so a plugin does not hand-write them
// and cannot forget one. It owns the registered modules; it does not build or run them.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "genlab/model.hpp"

namespace genlab {

class ModularModel : public Model {
 public:
  // Parameters and buffers of every registered module in registration order, each named
  // prefix + its own name ("encoder/" + "fc1/W").
  std::vector<NamedParameter<float>> parameters() override;
  std::vector<std::pair<std::string, Tensor<float>*>> buffers() override;
  void set_training(bool on) override;

 protected:
  // Takes ownership of `module`, returns it for use: encoder_ = &add_module("encoder/", make_mlp(...)).
  // Several modules may share a prefix when their own names differ.
  template <class M>
  M& add_module(std::string prefix, std::unique_ptr<M> module) {
    M& ref = *module;
    modules_.emplace_back(std::move(prefix), std::move(module));
    return ref;
  }

 private:
  std::vector<std::pair<std::string, std::unique_ptr<Module<float>>>> modules_;
};

}  // namespace genlab
