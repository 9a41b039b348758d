// Graph traversal for reverse-mode autograd: topological order, seeding, closure release.
// It does not know any op; each op's backward lives beside its forward in ops_*.cpp.
#include "genlab/autograd.hpp"

#include <unordered_set>

#include "genlab/error.hpp"

namespace genlab {

namespace {
thread_local bool grad_mode_enabled = true;
}

bool GradMode::enabled() { return grad_mode_enabled; }
void GradMode::set_enabled(bool on) { grad_mode_enabled = on; }

template <class T>
bool Node<T>::grad_slot() {
  if (has_grad) return false;
  if (grad.shape() != value.shape()) grad.resize(value.shape());
  has_grad = true;
  return true;
}

template <class T>
void Node<T>::accumulate(const Tensor<T>& g) {
  if (g.shape() != value.shape()) {
    throw ShapeError(std::string("autograd: gradient of shape ") + shape_str(shape_of(g)) +
                     " does not match value of shape " + shape_str(shape_of(value)) +
                     " (op " + op + ")");
  }
  const T* src = g.data();
  accumulate_each(*this, [src](std::size_t i) { return src[i]; });
}

template <class T>
Variable<T>::Variable(Tensor<T> value, bool requires_grad) : node_(std::make_shared<Node<T>>()) {
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
}

template <class T>
const Tensor<T>& Variable<T>::grad() const {
  if (!node_->has_grad) {
    node_->grad = zeros<T>(shape());
    node_->has_grad = true;
  }
  return node_->grad;
}

template <class T>
T Variable<T>::item() const {
  if (node_->value.size() != 1) {
    throw ShapeError("item: expected a one-element tensor, got shape " + shape_str(shape()));
  }
  return node_->value.data()[0];
}

namespace {
// Nodes reachable from root through parents, each after all of its parents (iterative DFS).
// Owning pointers: the order keeps every node alive while closures are run and released.
template <class T>
std::vector<std::shared_ptr<Node<T>>> topological_order(const std::shared_ptr<Node<T>>& root) {
  std::vector<std::shared_ptr<Node<T>>> order;
  std::unordered_set<Node<T>*> visited{root.get()};
  std::vector<std::pair<std::shared_ptr<Node<T>>, std::size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [node, next_parent] = stack.back();
    if (next_parent < node->parents.size()) {
      std::shared_ptr<Node<T>> parent = node->parents[next_parent++];
      if (visited.insert(parent.get()).second) stack.emplace_back(std::move(parent), 0);
    } else {
      order.push_back(std::move(node));
      stack.pop_back();
    }
  }
  return order;
}
}  // namespace

template <class T>
void Variable<T>::backward(bool retain_graph) const {
  if (size() != 1) {
    throw ShapeError("backward: needs a one-element output or an explicit seed, got shape " +
                     shape_str(shape()));
  }
  backward(full<T>(shape(), T(1)), retain_graph);
}

template <class T>
void Variable<T>::backward(const Tensor<T>& seed, bool retain_graph) const {
  if (!node_->requires_grad) {
    throw Error("backward: this value does not depend on anything that requires a gradient");
  }
  node_->accumulate(seed);
  const auto order = topological_order(node_);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node<T>& n = **it;
    if (n.backward_fn && n.has_grad) n.backward_fn(n);
  }
  if (retain_graph) return;
  for (const auto& n : order) {
    n->backward_fn = nullptr;
    n->parents.clear();
  }
}

template struct Node<float>;
template struct Node<double>;
template class Variable<float>;
template class Variable<double>;

}  // namespace genlab
