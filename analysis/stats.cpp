// Intervals, Welch's test, Holm's correction and the power calculation of stats.hpp. The t and
// normal distributions are Boost.Math's (its default policy: a domain error throws); the
// resampling uses genlab's Philox streams so a bootstrap interval is reproducible bit for bit.
// It does not decide which cells are compared (compare.cpp does).
#include "genlab/analysis/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "genlab/error.hpp"
#include "genlab/rng.hpp"

namespace genlab::stats {

IntervalMethod parse_interval_method(const std::string& text) {
  if (text == "t") return IntervalMethod::T;
  if (text == "bootstrap") return IntervalMethod::Bootstrap;
  throw ConfigError("--ci " + text + ": expected t or bootstrap");
}

const char* interval_method_str(IntervalMethod m) { return m == IntervalMethod::T ? "t" : "bootstrap"; }

double t_cdf(double x, double df) { return boost::math::cdf(boost::math::students_t(df), x); }
double t_quantile(double p, double df) { return boost::math::quantile(boost::math::students_t(df), p); }
double normal_quantile(double p) { return boost::math::quantile(boost::math::normal(), p); }

double mean(const std::vector<double>& v) {
  if (v.empty()) return kNaN;
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double sample_variance(const std::vector<double>& v) {
  if (v.size() < 2) return kNaN;
  const double m = mean(v);
  double sq = 0;
  for (double x : v) sq += (x - m) * (x - m);
  return sq / static_cast<double>(v.size() - 1);
}

Interval t_interval(const std::vector<double>& v, double level) {
  if (v.size() < 2) return {};
  const double n = static_cast<double>(v.size());
  const double m = mean(v);
  const double half = t_quantile((1 + level) / 2, n - 1) * std::sqrt(sample_variance(v) / n);
  return {m - half, m + half};
}

namespace {
// Quantile q of sorted values, linear interpolation between order statistics (numpy's default).
double sorted_quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(pos));
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (pos - static_cast<double>(i)) * (sorted[i + 1] - sorted[i]);
}

double resampled_mean(const std::vector<double>& v, Rng& rng) {
  double sum = 0;
  for (std::size_t i = 0; i < v.size(); ++i) sum += v[static_cast<std::size_t>(rng.below(v.size()))];
  return sum / static_cast<double>(v.size());
}

Interval percentile_interval(std::vector<double> means, double level) {
  std::sort(means.begin(), means.end());
  return {sorted_quantile(means, (1 - level) / 2), sorted_quantile(means, (1 + level) / 2)};
}
}  // namespace

Interval bootstrap_interval(const std::vector<double>& v, double level, const Bootstrap& b) {
  if (v.size() < 2 || b.resamples == 0) return {};
  Rng rng(b.seed, b.stream_name);
  std::vector<double> means(b.resamples);
  for (double& m : means) m = resampled_mean(v, rng);
  return percentile_interval(std::move(means), level);
}

Interval bootstrap_difference(const std::vector<double>& a, const std::vector<double>& b, double level,
                              const Bootstrap& settings) {
  if (a.size() < 2 || b.size() < 2 || settings.resamples == 0) return {};
  Rng rng(settings.seed, settings.stream_name);
  std::vector<double> diffs(settings.resamples);
  for (double& d : diffs) {
    const double ma = resampled_mean(a, rng);
    d = ma - resampled_mean(b, rng);
  }
  return percentile_interval(std::move(diffs), level);
}

Interval mean_interval(const std::vector<double>& v, IntervalMethod method, double level, const Bootstrap& b) {
  return method == IntervalMethod::T ? t_interval(v, level) : bootstrap_interval(v, level, b);
}

Welch welch_test(const std::vector<double>& a, const std::vector<double>& b, double level) {
  Welch w;
  w.diff = mean(a) - mean(b);
  if (a.size() < 2 || b.size() < 2) {
    w.why_not = "n < 2";
    return w;
  }
  const double va = sample_variance(a) / static_cast<double>(a.size());
  const double vb = sample_variance(b) / static_cast<double>(b.size());
  const double se2 = va + vb;
  if (!(se2 > 0)) {
    w.why_not = "zero variance";
    return w;
  }
  const double se = std::sqrt(se2);
  w.tested = true;
  w.t = w.diff / se;
  // Welch-Satterthwaite degrees of freedom
  w.df = se2 * se2 / (va * va / static_cast<double>(a.size() - 1) + vb * vb / static_cast<double>(b.size() - 1));
  w.p = std::min(1.0, 2 * t_cdf(-std::fabs(w.t), w.df));
  const double half = t_quantile((1 + level) / 2, w.df) * se;
  w.diff_ci = {w.diff - half, w.diff + half};
  return w;
}

std::vector<double> holm_adjust(const std::vector<double>& p) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!std::isnan(p[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return p[x] < p[y]; });
  std::vector<double> out(p.size(), kNaN);
  const double m = static_cast<double>(order.size());
  double running = 0;
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(rank)) * p[order[rank]]));
    out[order[rank]] = running;
  }
  return out;
}

std::optional<std::size_t> seeds_needed(double diff, double var_a, double var_b, double alpha, double power) {
  if (!(diff != 0) || !std::isfinite(diff) || !std::isfinite(var_a) || !std::isfinite(var_b)) return std::nullopt;
  const double z = normal_quantile(1 - alpha / 2) + normal_quantile(power);
  const double n = z * z * (var_a + var_b) / (diff * diff);
  return static_cast<std::size_t>(std::max(2.0, std::ceil(n)));
}

}  // namespace genlab::stats
