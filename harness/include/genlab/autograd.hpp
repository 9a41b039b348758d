// Reverse-mode autograd: a Variable is a handle to a Node holding a value, its gradient and the
// backward closure its op wrote next to the forward. backward() walks the graph once, in reverse
// topological order. It does not define any op (ops.hpp does) and never touches a global RNG.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "genlab/tensor.hpp"

namespace genlab {

// Gradient recording switch, per thread. NoGradGuard turns it off for a scope (evaluation).
class GradMode {
 public:
  static bool enabled();
  static void set_enabled(bool on);
};

class NoGradGuard {
 public:
  NoGradGuard() : previous_(GradMode::enabled()) { GradMode::set_enabled(false); }
  ~NoGradGuard() { GradMode::set_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

template <class T>
struct Node {
  Tensor<T> value;
  Tensor<T> grad;             // valid only while has_grad; the buffer is kept across zero_grad()
  bool has_grad = false;
  bool requires_grad = false;
  const char* op = "leaf";
  std::vector<std::shared_ptr<Node>> parents;
  std::function<void(const Node&)> backward_fn;  // reads this node's grad, accumulates into parents

  // The gradient buffer, shaped like value. Returns true when it held nothing yet: the caller
  // must then overwrite every element instead of adding to it.
  bool grad_slot();
  // grad += g (g has value's shape), or grad = g if there was none yet.
  void accumulate(const Tensor<T>& g);
};

// g[i] (+)= f(i) over every element of n's gradient, without a temporary.
template <class T, class F>
void accumulate_each(Node<T>& n, F&& f) {
  const bool fresh = n.grad_slot();
  T* g = n.grad.data();
  const std::size_t size = n.grad.size();
  if (fresh) {
    for (std::size_t i = 0; i < size; ++i) g[i] = f(i);
  } else {
    for (std::size_t i = 0; i < size; ++i) g[i] += f(i);
  }
}

template <class T>
class Variable {
 public:
  using Scalar = T;
  Variable() = default;
  explicit Variable(Tensor<T> value, bool requires_grad = false);
  // A trainable leaf (requires_grad = true).
  static Variable parameter(Tensor<T> value) { return Variable(std::move(value), true); }

  bool defined() const { return node_ != nullptr; }
  const Tensor<T>& value() const { return node_->value; }
  Tensor<T>& mutable_value() const { return node_->value; }
  bool has_grad() const { return node_->has_grad; }
  // The gradient; a tensor of zeros of value's shape if nothing flowed into it.
  const Tensor<T>& grad() const;
  Tensor<T>& mutable_grad() const { return node_->grad; }
  bool requires_grad() const { return node_->requires_grad; }
  const char* op() const { return node_->op; }

  Shape shape() const { return shape_of(node_->value); }
  std::size_t ndim() const { return node_->value.dimension(); }
  std::size_t dim(std::size_t axis) const { return node_->value.shape()[axis]; }
  std::size_t size() const { return node_->value.size(); }
  T item() const;  // the single value of a one-element tensor

  // Backpropagates from this one-element variable (seed 1). Frees the closures of the graph
  // behind it unless retain_graph is true.
  void backward(bool retain_graph = false) const;
  // Backpropagates with an explicit seed of value's shape.
  void backward(const Tensor<T>& seed, bool retain_graph = false) const;
  // Forgets the gradient (keeps the buffer, so steps do not allocate).
  void zero_grad() const { node_->has_grad = false; }
  // A new leaf holding a copy of the value, cut from the graph.
  Variable detach() const { return Variable(node_->value, false); }

  Node<T>* node() const { return node_.get(); }
  const std::shared_ptr<Node<T>>& node_ptr() const { return node_; }
  static Variable from_node(std::shared_ptr<Node<T>> node) {
    Variable v;
    v.node_ = std::move(node);
    return v;
  }

 private:
  std::shared_ptr<Node<T>> node_;
};

namespace detail {
template <class T, class Range, class F>
Variable<T> make_op_over(const char* op, Tensor<T> value, const Range& parents, F&& backward) {
  bool needs_grad = false;
  if (GradMode::enabled()) {
    for (const auto& p : parents) needs_grad = needs_grad || p.requires_grad();
  }
  Variable<T> out(std::move(value), false);
  if (!needs_grad) return out;
  Node<T>* n = out.node();
  n->requires_grad = true;
  n->op = op;
  for (const auto& p : parents) {
    if (p.requires_grad()) n->parents.push_back(p.node_ptr());
  }
  n->backward_fn = std::forward<F>(backward);
  return out;
}
}  // namespace detail

// Builds the result of an op. `backward(const Node<T>& out)` is called with the result node (its
// value and grad) and accumulates into the parents it captured (skip those with
// !requires_grad()). When recording is off or no parent requires a gradient, the result is a
// plain leaf and the closure is dropped.
template <class T, class F>
Variable<T> make_op(const char* op, Tensor<T> value, std::initializer_list<Variable<T>> parents,
                    F&& backward) {
  return detail::make_op_over(op, std::move(value), parents, std::forward<F>(backward));
}

// Same, for ops with a run-time number of parents (concat).
template <class T, class F>
Variable<T> make_op(const char* op, Tensor<T> value, const std::vector<Variable<T>>& parents,
                    F&& backward) {
  return detail::make_op_over(op, std::move(value), parents, std::forward<F>(backward));
}

extern template class Variable<float>;
extern template class Variable<double>;
extern template struct Node<float>;
extern template struct Node<double>;

using Var = Variable<float>;
using VarD = Variable<double>;

}  // namespace genlab
