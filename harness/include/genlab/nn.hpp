// Neural-network modules built from ops: Linear, Conv2d, ConvTranspose2d, BatchNorm1d/2d,
// activations, Sequential. Parameters have hierarchical names ("encoder/fc1/W") for checkpoints.
// Modules hold no optimizer state and draw random numbers only from the Rng they are given.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "genlab/ops.hpp"

namespace genlab {

template <class T>
struct NamedParameter {
  std::string name;  // "encoder/fc1/W"
  Variable<T> variable;
};

// Named tensors exchanged with checkpoints: parameters, buffers (running statistics), optimizer state.
template <class T>
using TensorMap = std::map<std::string, Tensor<T>>;

enum class Init { KaimingUniform, XavierUniform, Normal };

// PyTorch's default for Linear/Conv (kaiming_uniform with a = sqrt(5) => U(-1/sqrt(fan_in), ..)),
// Xavier/Glorot uniform, or N(0, normal_std).
struct InitSpec {
  Init kind = Init::KaimingUniform;
  double normal_std = 0.02;
};
// w with fan_in / fan_out given explicitly (conv: channels * k * k).
template <class T>
Tensor<T> init_weight(const Shape& shape, std::size_t fan_in, std::size_t fan_out, InitSpec spec,
                      Rng& rng);
// PyTorch's default bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
template <class T>
Tensor<T> init_bias(const Shape& shape, std::size_t fan_in, Rng& rng);

template <class T>
class Module {
 public:
  virtual ~Module() = default;
  virtual Variable<T> forward(const Variable<T>& x) = 0;
  Variable<T> operator()(const Variable<T>& x) { return forward(x); }

  // Appends this module's parameters, names prefixed by `prefix` ("encoder/fc1/" + "W").
  virtual void collect_parameters(const std::string& /*prefix*/, std::vector<NamedParameter<T>>& /*out*/) {}
  // Non-trainable state (batch-norm running statistics), same naming.
  virtual void collect_buffers(const std::string& /*prefix*/,
                               std::vector<std::pair<std::string, Tensor<T>*>>& /*out*/) {}
  virtual void set_training(bool on) { training_ = on; }
  bool training() const { return training_; }

  std::vector<NamedParameter<T>> parameters(const std::string& prefix = "");
  std::vector<std::pair<std::string, Tensor<T>*>> buffers(const std::string& prefix = "");

 protected:
  bool training_ = true;
};

// y = x W + b.  x: (B, in) -> (B, out); W: (in, out), b: (out,)
template <class T>
class Linear : public Module<T> {
 public:
  Linear(std::size_t in, std::size_t out, Rng& rng, InitSpec init = {}, bool bias = true);
  Variable<T> forward(const Variable<T>& x) override;
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter<T>>& out) override;
  Variable<T> weight, bias;
};

// x: (B, Cin, H, W) -> (B, Cout, Ho, Wo); W: (Cout, Cin, k, k)
template <class T>
class Conv2d : public Module<T> {
 public:
  Conv2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel, Conv2dGeometry g,
         Rng& rng, InitSpec init = {}, bool bias = true);
  Variable<T> forward(const Variable<T>& x) override;
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter<T>>& out) override;
  Variable<T> weight, bias;
  Conv2dGeometry geometry;
};

// x: (B, Cin, H, W) -> (B, Cout, Ho, Wo); W: (Cin, Cout, k, k)
template <class T>
class ConvTranspose2d : public Module<T> {
 public:
  ConvTranspose2d(std::size_t in_channels, std::size_t out_channels, std::size_t kernel,
                  Conv2dGeometry g, Rng& rng, InitSpec init = {}, bool bias = true);
  Variable<T> forward(const Variable<T>& x) override;
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter<T>>& out) override;
  Variable<T> weight, bias;
  Conv2dGeometry geometry;
};

// x: (B, C) for BatchNorm1d, (B, C, H, W) for BatchNorm2d; gamma = 1, beta = 0 at start.
template <class T>
class BatchNorm : public Module<T> {
 public:
  explicit BatchNorm(std::size_t channels, T momentum = T(0.1), T eps = T(1e-5));
  Variable<T> forward(const Variable<T>& x) override;
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter<T>>& out) override;
  void collect_buffers(const std::string& prefix,
                       std::vector<std::pair<std::string, Tensor<T>*>>& out) override;
  Variable<T> gamma, beta;
  Tensor<T> running_mean, running_var;
  T momentum, eps;
};
template <class T> using BatchNorm1d = BatchNorm<T>;
template <class T> using BatchNorm2d = BatchNorm<T>;

// x: (B, C, H, W) -> same shape, each (b, c) plane normalised by its own statistics; with
// `affine`, trainable gamma = 1, beta = 0 (C,) follow. No running statistics (PyTorch's
// InstanceNorm2d default; CycleGAN's generators use it without affine).
template <class T>
class InstanceNorm : public Module<T> {
 public:
  explicit InstanceNorm(std::size_t channels, bool affine = false, T eps = T(1e-5));
  Variable<T> forward(const Variable<T>& x) override;
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter<T>>& out) override;
  Variable<T> gamma, beta;  // undefined without affine
  T eps;
};

// A parameter-free elementwise function as a module (relu, tanh, ...).
template <class T>
class Activation : public Module<T> {
 public:
  using Fn = std::function<Variable<T>(const Variable<T>&)>;
  explicit Activation(Fn fn) : fn_(std::move(fn)) {}
  Variable<T> forward(const Variable<T>& x) override { return fn_(x); }

 private:
  Fn fn_;
};
// "relu", "leaky_relu" (slope 0.2), "tanh", "sigmoid", "softplus", "identity"; throws ConfigError
// naming the valid choices otherwise.
template <class T>
std::unique_ptr<Module<T>> make_activation(const std::string& name);

// x: (B, ...) -> (B, c, h, w)
template <class T>
class Reshape : public Module<T> {
 public:
  explicit Reshape(Shape per_sample) : per_sample_(std::move(per_sample)) {}
  Variable<T> forward(const Variable<T>& x) override;

 private:
  Shape per_sample_;
};

template <class T>
class Sequential : public Module<T> {
 public:
  Sequential& add(std::string name, std::unique_ptr<Module<T>> module);
  Variable<T> forward(const Variable<T>& x) override;
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter<T>>& out) override;
  void collect_buffers(const std::string& prefix,
                       std::vector<std::pair<std::string, Tensor<T>*>>& out) override;
  void set_training(bool on) override;
  std::size_t size() const { return layers_.size(); }
  Module<T>& operator[](std::size_t i) { return *layers_[i].second; }

 private:
  std::vector<std::pair<std::string, std::unique_ptr<Module<T>>>> layers_;
};

}  // namespace genlab
