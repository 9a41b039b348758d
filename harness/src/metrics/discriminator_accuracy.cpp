// Discriminator accuracy on real and fake decision scores (> 0 means "real"), ties counted as
// half right so that a constant discriminator scores exactly 0.5 balanced. It does not run a
// discriminator.
#include "genlab/error.hpp"
#include "genlab/gan_metrics.hpp"

namespace genlab {

namespace {
// Fraction of scores on the `real` side of 0 (ties 1/2) and their mean, in double.
std::pair<double, double> side_and_mean(const std::vector<float>& scores, bool real) {
  double right = 0, sum = 0;
  for (float s : scores) {
    sum += s;
    if (s == 0.f) right += 0.5;
    else if ((s > 0.f) == real) right += 1.0;
  }
  const auto n = static_cast<double>(scores.size());
  return {right / n, sum / n};
}
}  // namespace

DiscriminatorAccuracy discriminator_accuracy(const std::vector<float>& real_scores,
                                             const std::vector<float>& fake_scores) {
  if (real_scores.empty() || fake_scores.empty()) {
    throw ShapeError("discriminator_accuracy: needs at least one real and one fake score (got " +
                     std::to_string(real_scores.size()) + " and " + std::to_string(fake_scores.size()) + ")");
  }
  DiscriminatorAccuracy a;
  std::tie(a.real, a.real_score) = side_and_mean(real_scores, true);
  std::tie(a.fake, a.fake_score) = side_and_mean(fake_scores, false);
  a.balanced = 0.5 * (a.real + a.fake);
  return a;
}

}  // namespace genlab
