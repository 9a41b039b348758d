// Finite-difference gradient check in double precision for any op or module.
// Compares backward() against central differences of L = sum(w * f(inputs)) for a fixed random
// projection w. Error per element: |analytic - numeric| / max(1, |analytic|, |numeric|).
// It does not pick tolerances: every test states its own next to the call.
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "genlab/autograd.hpp"
#include "genlab/rng.hpp"

namespace genlab::testing {

using TensorD = Tensor<double>;
using Fn = std::function<VarD(const std::vector<VarD>&)>;

struct GradcheckResult {
  double max_error = 0;
  std::string where;  // "input 1 element 7: analytic .. numeric .."
};

inline double projected(const Fn& f, const std::vector<VarD>& inputs, const TensorD& w) {
  NoGradGuard no_grad;
  const TensorD out = f(inputs).value();
  double s = 0;
  for (std::size_t i = 0; i < out.size(); ++i) s += out.data()[i] * w.data()[i];
  return s;
}

// Checks the gradient with respect to every input whose index is in `wrt` (all if empty).
inline GradcheckResult gradcheck(const Fn& f, const std::vector<TensorD>& values,
                                 std::vector<std::size_t> wrt = {}, double eps = 1e-6) {
  if (wrt.empty()) {
    for (std::size_t i = 0; i < values.size(); ++i) wrt.push_back(i);
  }
  std::vector<VarD> inputs;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const bool needs = std::find(wrt.begin(), wrt.end(), i) != wrt.end();
    inputs.emplace_back(values[i], needs);
  }
  const VarD out = f(inputs);
  Rng rng(12345, "gradcheck");
  const TensorD w = rng.normal_tensor<double>(out.shape(), 0.0, 1.0);
  out.backward(w);

  GradcheckResult result;
  for (std::size_t i : wrt) {
    const TensorD analytic = inputs[i].grad();
    for (std::size_t j = 0; j < values[i].size(); ++j) {
      double& x = inputs[i].mutable_value().data()[j];
      const double x0 = x;
      x = x0 + eps;
      const double plus = projected(f, inputs, w);
      x = x0 - eps;
      const double minus = projected(f, inputs, w);
      x = x0;
      const double numeric = (plus - minus) / (2 * eps);
      const double a = analytic.data()[j];
      const double err = std::abs(a - numeric) / std::max({1.0, std::abs(a), std::abs(numeric)});
      if (err > result.max_error) {
        result.max_error = err;
        result.where = "input " + std::to_string(i) + " element " + std::to_string(j) +
                       ": analytic " + std::to_string(a) + " numeric " + std::to_string(numeric);
      }
    }
  }
  return result;
}

}  // namespace genlab::testing

// CHECK that the gradient check passes within `tol`, printing where it failed worst.
#define GENLAB_CHECK_GRAD(result, tol)                                          \
  do {                                                                          \
    const auto gc_result_ = (result);                                           \
    INFO("worst: " << gc_result_.where);                                        \
    CHECK(gc_result_.max_error < (tol));                                        \
  } while (0)
