// matmul and linear on 2-D operands through BLAS gemm, forward and backward. Transposes are gemm
// flags (never copies) and gradients are written straight into the parents' buffers (beta 0 when
// fresh, 1 to accumulate), so no temporaries. No broadcasting, no batched (3-D) products.
#include <algorithm>
#include <string>

#include "core/gemm_into.hpp"
#include "core/instantiate.hpp"
#include "genlab/error.hpp"
#include "genlab/ops.hpp"

namespace genlab {

namespace {
std::string flag_str(bool t) { return t ? "true" : "false"; }
}  // namespace

// a: (M, K) or (K, M) if trans_a; b: (K, N) or (N, K) if trans_b -> (M, N)
template <class T>
Variable<T> matmul(const Variable<T>& a, const Variable<T>& b, bool trans_a, bool trans_b) {
  if (a.ndim() != 2 || b.ndim() != 2) {
    throw ShapeError("matmul: expects 2-D operands, got a " + shape_str(a.shape()) + " and b " +
                     shape_str(b.shape()));
  }
  const std::size_t lda = a.dim(1), ldb = b.dim(1);  // stored row lengths
  const std::size_t m = trans_a ? a.dim(1) : a.dim(0);
  const std::size_t k = trans_a ? a.dim(0) : a.dim(1);
  const std::size_t kb = trans_b ? b.dim(1) : b.dim(0);
  const std::size_t n = trans_b ? b.dim(0) : b.dim(1);
  if (k != kb) {
    throw ShapeError("matmul: inner dimensions differ: a " + shape_str(a.shape()) + " (trans_a = " +
                     flag_str(trans_a) + ") and b " + shape_str(b.shape()) +
                     " (trans_b = " + flag_str(trans_b) + ")");
  }
  Tensor<T> c = Tensor<T>::from_shape({m, n});
  detail::gemm_into(trans_a, trans_b, m, n, k, a.value().data(), lda, b.value().data(), ldb, T(0),
                    c.data(), n);

  return make_op<T>("matmul", std::move(c), {a, b},
                    [a, b, trans_a, trans_b, m, n, k, lda, ldb](const Node<T>& out) {
    const T* dc = out.grad.data();  // dC: (M, N)
    if (a.requires_grad()) {
      Node<T>& na = *a.node();
      const T beta = detail::grad_beta(na);
      if (!trans_a) {  // dA (M, K) = dC op(B)^T
        detail::gemm_into(false, !trans_b, m, k, n, dc, n, b.value().data(), ldb, beta,
                          na.grad.data(), k);
      } else {  // dA (K, M) = op(B) dC^T
        detail::gemm_into(trans_b, true, k, m, n, b.value().data(), ldb, dc, n, beta,
                          na.grad.data(), m);
      }
    }
    if (b.requires_grad()) {
      Node<T>& nb = *b.node();
      const T beta = detail::grad_beta(nb);
      if (!trans_b) {  // dB (K, N) = op(A)^T dC
        detail::gemm_into(!trans_a, false, k, n, m, a.value().data(), lda, dc, n, beta,
                          nb.grad.data(), n);
      } else {  // dB (N, K) = dC^T op(A)
        detail::gemm_into(true, trans_a, n, k, m, dc, n, a.value().data(), lda, beta,
                          nb.grad.data(), k);
      }
    }
  });
}

namespace {
template <class T>
void check_linear(const Variable<T>& x, const Variable<T>& w, const Variable<T>& b) {
  if (x.ndim() != 2 || w.ndim() != 2 || x.dim(1) != w.dim(0)) {
    throw ShapeError("linear: x " + shape_str(x.shape()) + " and w " + shape_str(w.shape()) +
                     " do not match: expected x (B, in) and w (in, out)");
  }
  if (b.defined() && (b.ndim() != 1 || b.dim(0) != w.dim(1))) {
    throw ShapeError("linear: b " + shape_str(b.shape()) + " does not match w " +
                     shape_str(w.shape()) + ": expected b (out,)");
  }
}
}  // namespace

// x: (B, in), w: (in, out), b: (out,) or undefined -> (B, out). y = 1 b^T, then y += x w (gemm).
template <class T>
Variable<T> linear(const Variable<T>& x, const Variable<T>& w, const Variable<T>& b) {
  check_linear(x, w, b);
  const std::size_t batch = x.dim(0), in = x.dim(1), out_dim = w.dim(1);
  Tensor<T> y = Tensor<T>::from_shape({batch, out_dim});
  if (b.defined()) {
    const T* bias = b.value().data();
    T* row = y.data();
    for (std::size_t i = 0; i < batch; ++i, row += out_dim) {
      for (std::size_t j = 0; j < out_dim; ++j) row[j] = bias[j];
    }
  }
  detail::gemm_into(false, false, batch, out_dim, in, x.value().data(), in, w.value().data(),
                    out_dim, b.defined() ? T(1) : T(0), y.data(), out_dim);

  std::vector<Variable<T>> parents{x, w};
  if (b.defined()) parents.push_back(b);
  return make_op<T>("linear", std::move(y), parents,
                    [x, w, b, batch, in, out_dim](const Node<T>& out) {
    const T* dy = out.grad.data();  // dY: (B, out)
    if (w.requires_grad()) {        // dW (in, out) = x^T dY
      Node<T>& nw = *w.node();
      const T beta = detail::grad_beta(nw);
      detail::gemm_into(true, false, in, out_dim, batch, x.value().data(), in, dy, out_dim, beta,
                        nw.grad.data(), out_dim);
    }
    if (x.requires_grad()) {  // dx (B, in) = dY W^T
      Node<T>& nx = *x.node();
      const T beta = detail::grad_beta(nx);
      detail::gemm_into(false, true, batch, in, out_dim, dy, out_dim, w.value().data(), out_dim,
                        beta, nx.grad.data(), in);
    }
    if (b.defined() && b.requires_grad()) {  // db (out,) = column sums of dY
      Node<T>& nb = *b.node();
      const bool fresh = nb.grad_slot();
      T* db = nb.grad.data();
      if (fresh) std::fill(db, db + out_dim, T(0));
      const T* row = dy;
      for (std::size_t i = 0; i < batch; ++i, row += out_dim) {
        for (std::size_t j = 0; j < out_dim; ++j) db[j] += row[j];
      }
    }
  });
}

#define GENLAB_INSTANTIATE_LINALG(T)                                                     \
  template Variable<T> matmul<T>(const Variable<T>&, const Variable<T>&, bool, bool); \
  template Variable<T> linear<T>(const Variable<T>&, const Variable<T>&, const Variable<T>&);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_LINALG)

}  // namespace genlab
