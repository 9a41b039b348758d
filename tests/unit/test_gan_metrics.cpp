// The adversarial metrics on inputs with known answers: mode coverage of a generator that
// outputs exactly the modes, of a collapsed one, of the 3-sigma boundary and a known skewed
// histogram; discriminator accuracy of constant and perfect discriminators; Parzen
// log-likelihoods against closed forms and the bandwidth a hand-computable case must choose.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "genlab/error.hpp"
#include "genlab/gan_metrics.hpp"

using namespace genlab;

namespace {
// n points cycling over the mixture's means (point i at mean i % K), offset by (dx, dy).
Tensor<float> at_means(const Mixture2d& m, std::size_t n, double dx = 0, double dy = 0) {
  Tensor<float> x = Tensor<float>::from_shape({n, 2});
  for (std::size_t i = 0; i < n; ++i) {
    x(i, 0) = static_cast<float>(m.means[i % m.means.size()][0] + dx);
    x(i, 1) = static_cast<float>(m.means[i % m.means.size()][1] + dy);
  }
  return x;
}

Tensor<float> rows(std::vector<std::vector<float>> v) {
  Tensor<float> x = Tensor<float>::from_shape({v.size(), v[0].size()});
  for (std::size_t i = 0; i < v.size(); ++i) {
    for (std::size_t j = 0; j < v[i].size(); ++j) x(i, j) = v[i][j];
  }
  return x;
}
}  // namespace

TEST_CASE("mixtures: ring8 and grid25 have the means and std of the PacGAN setup") {
  const Mixture2d ring = *find_mixture("ring8");
  REQUIRE(ring.means.size() == 8);
  CHECK(ring.stddev == 0.01);
  CHECK(ring.means[2][0] == doctest::Approx(0.0));
  CHECK(ring.means[2][1] == doctest::Approx(1.0));
  const Mixture2d grid = *find_mixture("grid25");
  REQUIRE(grid.means.size() == 25);
  CHECK(grid.stddev == 0.05);
  CHECK(grid.means[0][0] == -4.0);
  CHECK(grid.means[24][1] == 4.0);
  CHECK_FALSE(find_mixture("fashion_mnist").has_value());
}

TEST_CASE("mode_coverage: exactly the 8 ring modes cover 8/8 with 100% high quality and reverse KL 0") {
  const Mixture2d ring = *find_mixture("ring8");
  const ModeCoverage m = mode_coverage(at_means(ring, 2400), ring);
  CHECK(m.modes == 8);
  CHECK(m.high_quality == 1.0);
  CHECK(m.reverse_kl == doctest::Approx(0.0).epsilon(1e-12));
  CHECK(m.n == 2400);
  for (std::size_t c : m.counts) CHECK(c == 300);
}

TEST_CASE("mode_coverage: a generator collapsed to one mode covers 1 with reverse KL log 8") {
  const Mixture2d ring = *find_mixture("ring8");
  const Tensor<float> x = at_means(Mixture2d{{ring.means[3]}, ring.stddev}, 2500);
  const ModeCoverage m = mode_coverage(x, ring);
  CHECK(m.modes == 1);
  CHECK(m.counts[3] == 2500);
  CHECK(m.high_quality == 1.0);
  CHECK(m.reverse_kl == doctest::Approx(std::log(8.0)));
}

TEST_CASE("mode_coverage: the high-quality boundary is 3 standard deviations, Euclidean") {
  const Mixture2d grid = *find_mixture("grid25");  // std 0.05: boundary at 0.15
  CHECK(mode_coverage(at_means(grid, 25, 0.145, 0.0), grid).high_quality == 1.0);
  CHECK(mode_coverage(at_means(grid, 25, 0.155, 0.0), grid).high_quality == 0.0);
  // (0.1, 0.1) is 2.83 std away in Euclidean distance (each coordinate only 2): inside
  CHECK(mode_coverage(at_means(grid, 25, 0.1, 0.1), grid).modes == 25);
  // (0.11, 0.11) is 3.11 std away: outside, though each coordinate is 2.2 std
  const ModeCoverage out = mode_coverage(at_means(grid, 25, 0.11, 0.11), grid);
  CHECK(out.modes == 0);
  CHECK(out.high_quality == 0.0);
  CHECK(out.reverse_kl == doctest::Approx(std::log(25.0)));  // no high-quality sample: log K
}

TEST_CASE("mode_coverage: a 3:1 histogram over two modes, and off-mode samples lower HQ only") {
  const Mixture2d ring = *find_mixture("ring8");
  std::vector<std::vector<float>> v;
  for (int i = 0; i < 3; ++i) v.push_back({static_cast<float>(ring.means[0][0]), static_cast<float>(ring.means[0][1])});
  v.push_back({static_cast<float>(ring.means[5][0]), static_cast<float>(ring.means[5][1])});
  v.push_back({0.f, 0.f});  // the centre: far from every mode
  v.push_back({5.f, 5.f});
  const ModeCoverage m = mode_coverage(rows(v), ring);
  CHECK(m.modes == 2);
  CHECK(m.high_quality == doctest::Approx(4.0 / 6.0));
  CHECK(m.reverse_kl == doctest::Approx(0.75 * std::log(0.75 * 8) + 0.25 * std::log(0.25 * 8)));
  CHECK_THROWS_AS(mode_coverage(Tensor<float>::from_shape({3, 3}), ring), ShapeError);
}

TEST_CASE("discriminator_accuracy: constant discriminators score 0.5, a perfect one 1, a reversed one 0") {
  const std::vector<float> zeros(7, 0.f), plus(5, 2.f), minus(4, -1.f);
  DiscriminatorAccuracy a = discriminator_accuracy(zeros, zeros);
  CHECK(a.real == 0.5);
  CHECK(a.fake == 0.5);
  CHECK(a.balanced == 0.5);
  a = discriminator_accuracy(plus, std::vector<float>(9, 2.f));  // always "real"
  CHECK(a.real == 1.0);
  CHECK(a.fake == 0.0);
  CHECK(a.balanced == 0.5);
  CHECK(a.real_score == 2.0);
  a = discriminator_accuracy(plus, minus);
  CHECK(a.balanced == 1.0);
  CHECK(a.fake_score == -1.0);
  a = discriminator_accuracy(minus, plus);
  CHECK(a.balanced == 0.0);
  a = discriminator_accuracy({1.f, -1.f, 3.f, 0.f}, {-2.f, 1.f});
  CHECK(a.real == doctest::Approx(2.5 / 4));
  CHECK(a.fake == 0.5);
  CHECK(a.real_score == doctest::Approx(0.75));
  CHECK_THROWS_AS(discriminator_accuracy({}, {1.f}), ShapeError);
}

TEST_CASE("parzen: closed forms for one and two centres in 1-D and 2-D") {
  const double half_log_2pi = 0.5 * std::log(2 * std::numbers::pi);
  // one centre at 0, point 1, sigma 1: log N(1; 0, 1)
  CHECK(parzen_log_likelihood(rows({{0.f}}), rows({{1.f}}), 1.0) == doctest::Approx(-0.5 - half_log_2pi));
  // sigma 0.5: -1 / (2 * 0.25) - log 0.5 - log sqrt(2 pi)
  CHECK(parzen_log_likelihood(rows({{0.f}}), rows({{1.f}}), 0.5) ==
        doctest::Approx(-2.0 - std::log(0.5) - half_log_2pi));
  // centres 0 and 2, point 1 (equidistant): same as one centre
  CHECK(parzen_log_likelihood(rows({{0.f}, {2.f}}), rows({{1.f}}), 1.0) == doctest::Approx(-0.5 - half_log_2pi));
  // centres 0 and 3, point 0: log(0.5 N(0;0,1) + 0.5 N(0;3,1))
  CHECK(parzen_log_likelihood(rows({{0.f}, {3.f}}), rows({{0.f}}), 1.0) ==
        doctest::Approx(std::log(0.5 * (1 + std::exp(-4.5))) - half_log_2pi));
  // 2-D: centre (0,0), point (1,1), sigma 1: -1 - log(2 pi); mean over two points
  CHECK(parzen_log_likelihood(rows({{0.f, 0.f}}), rows({{1.f, 1.f}, {0.f, 0.f}}), 1.0) ==
        doctest::Approx(0.5 * (-1.0 - 2 * half_log_2pi) + 0.5 * (-2 * half_log_2pi)));
  // a point far from every centre stays finite (log-sum-exp shift)
  CHECK(std::isfinite(parzen_log_likelihood(rows({{0.f}}), rows({{1000.f}}), 0.001)));
  CHECK_THROWS_AS(parzen_log_likelihood(rows({{0.f}}), rows({{1.f, 2.f}}), 1.0), ShapeError);
}

TEST_CASE("parzen: the bandwidth is chosen on the validation points, then the test points are scored") {
  // One centre at 0, validation points at -1 and +1: LL(sigma) = -1/(2 sigma^2) - log sigma - log
  // sqrt(2 pi) peaks at sigma = 1, which the grid 10^(k/8) contains (k = 0).
  const std::vector<double> grid = parzen_sigma_grid();
  REQUIRE(grid.size() == 33);
  CHECK(grid.front() == doctest::Approx(0.001));
  CHECK(grid.back() == doctest::Approx(10.0));
  const ParzenResult r = parzen_select_and_evaluate(rows({{0.f}}), rows({{-1.f}, {1.f}}), rows({{2.f}}), grid);
  CHECK(r.sigma == doctest::Approx(1.0));
  CHECK(r.validation_ll == doctest::Approx(-0.5 - 0.5 * std::log(2 * std::numbers::pi)));
  CHECK(r.test_ll == doctest::Approx(-2.0 - 0.5 * std::log(2 * std::numbers::pi)));
  REQUIRE(r.validation_lls.size() == grid.size());
  for (double ll : r.validation_lls) CHECK(ll <= r.validation_ll);
}
