// Cycle-consistency and ground-truth errors of a translator over a two-domain test split
// (translation_metrics.hpp): runs the model's translate() over the split (so it lives in run/,
// not metrics/), then plain arithmetic on the translations, summed in double in row order.
#include <algorithm>
#include <cmath>
#include <limits>

#include "genlab/error.hpp"
#include "genlab/image.hpp"
#include "genlab/loader.hpp"
#include "genlab/translation_metrics.hpp"

namespace genlab {

namespace {
void require_same(const Tensor<float>& a, const Tensor<float>& b, const char* what) {
  if (a.shape() != b.shape()) {
    throw ShapeError(std::string(what) + ": sets of shape " + shape_str(shape_of(a)) + " and " + shape_str(shape_of(b)));
  }
}

// x: (N, D) in [0, 1] -> translate(x, direction) mapped to [0, 1]: (N, D)
Tensor<float> translate_all(Model& model, const ModelDescription& d, const Tensor<float>& x, int direction,
                            std::size_t batch) {
  const std::size_t n = x.shape()[0], dim = x.shape()[1];
  Tensor<float> out = Tensor<float>::from_shape({n, dim});
  for (std::size_t begin = 0; begin < n; begin += batch) {
    const std::size_t end = std::min(n, begin + batch);
    Batch b;
    b.x = Tensor<float>::from_shape({end - begin, dim});
    std::copy(x.data() + begin * dim, x.data() + end * dim, b.x.data());
    const Tensor<float> t = call_plugin(d.name, [&] { return model.translate(b, direction); });
    if (t.dimension() != 2 || t.shape()[0] != end - begin || t.shape()[1] != dim) {
      throw PluginError("plugin '" + d.name + "': translate(direction " + std::to_string(direction) + ") on " +
                        std::to_string(end - begin) + " images returned shape " + shape_str(shape_of(t)) +
                        ", expected (" + std::to_string(end - begin) + ", " + std::to_string(dim) + ")");
    }
    const Tensor<float> unit = to_unit_range(t, d.output_range);
    std::copy(unit.data(), unit.data() + unit.size(), out.data() + begin * dim);
  }
  return out;
}
}  // namespace

double mean_l1(const Tensor<float>& a, const Tensor<float>& b) {
  require_same(a, b, "mean_l1");
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += std::abs(static_cast<double>(a.data()[i]) - b.data()[i]);
  return a.size() ? sum / static_cast<double>(a.size()) : std::numeric_limits<double>::quiet_NaN();
}

double mean_squared(const Tensor<float>& a, const Tensor<float>& b) {
  require_same(a, b, "mean_squared");
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double e = static_cast<double>(a.data()[i]) - b.data()[i];
    sum += e * e;
  }
  return a.size() ? sum / static_cast<double>(a.size()) : std::numeric_limits<double>::quiet_NaN();
}

TranslationScores translation_scores(Model& model, const ModelDescription& d, const Dataset& test, std::size_t batch) {
  if (!test.two_domain()) throw DataError("translation metrics need a two-domain test split, got '" + test.name + "'");
  TranslationScores s;
  s.n_a = test.x.shape()[0];
  s.n_b = test.x_b.shape()[0];
  s.ab = translate_all(model, d, test.x, 0, batch);
  s.aba = translate_all(model, d, s.ab, 1, batch);
  s.ba = translate_all(model, d, test.x_b, 1, batch);
  s.bab = translate_all(model, d, s.ba, 0, batch);
  s.cycle_l1_ab = mean_l1(s.aba, test.x);
  s.cycle_l1_ba = mean_l1(s.bab, test.x_b);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  s.truth_ab = test.ground_truth != GroundTruth::None;
  s.truth_ba = test.ground_truth == GroundTruth::Both;
  s.gt_mse_ab = s.truth_ab ? mean_squared(s.ab, test.x_b) : nan;
  s.gt_l1_ab = s.truth_ab ? mean_l1(s.ab, test.x_b) : nan;
  s.identity_mse_ab = s.truth_ab ? mean_squared(test.x, test.x_b) : nan;
  s.identity_l1_ab = s.truth_ab ? mean_l1(test.x, test.x_b) : nan;
  s.gt_mse_ba = s.truth_ba ? mean_squared(s.ba, test.x) : nan;
  s.gt_l1_ba = s.truth_ba ? mean_l1(s.ba, test.x) : nan;
  s.identity_mse_ba = s.truth_ba ? mean_squared(test.x_b, test.x) : nan;
  s.identity_l1_ba = s.truth_ba ? mean_l1(test.x_b, test.x) : nan;
  return s;
}

}  // namespace genlab
