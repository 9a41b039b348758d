// The statistics behind analyze's intervals and tests, on plain vectors of per-seed values:
// the Student-t interval of a mean, a percentile bootstrap interval (fixed seed, genlab's own
// Philox stream), Welch's two-sided t-test with the difference's interval, Holm's step-down
// correction, and the normal-approximation sample size for a given power. Distribution
// functions come from Boost.Math. It knows nothing about run files, groups or tables.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace genlab::stats {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class IntervalMethod { T, Bootstrap };
// "t" | "bootstrap"; throws ConfigError otherwise.
IntervalMethod parse_interval_method(const std::string& text);
const char* interval_method_str(IntervalMethod m);

struct Interval {
  double lo = kNaN, hi = kNaN;
  bool valid() const { return lo == lo && hi == hi; }  // false when n < 2
};

// Student t with `df` degrees of freedom (df > 0, need not be an integer): P(T <= x), and the
// x with P(T <= x) = p.
double t_cdf(double x, double df);
double t_quantile(double p, double df);
// Standard normal quantile.
double normal_quantile(double p);

double mean(const std::vector<double>& v);
double sample_variance(const std::vector<double>& v);  // n - 1 denominator; NaN when n < 2

// mean ± t_{(1+level)/2, n-1} * s / sqrt(n); invalid when n < 2.
Interval t_interval(const std::vector<double>& v, double level = 0.95);

// Resampling settings: `resamples` means of n values drawn with replacement from the stream
// (seed, stream_name); the interval is the (1-level)/2 and (1+level)/2 quantiles of the sorted
// means (linear interpolation between order statistics, numpy's default). Same inputs, same
// bits. Invalid when n < 2.
struct Bootstrap {
  std::size_t resamples = 10000;
  std::uint64_t seed = 20240601;
  std::string stream_name = "analyze/bootstrap";
};
Interval bootstrap_interval(const std::vector<double>& v, double level, const Bootstrap& b);
// The interval of mean(a) - mean(b), resampling a and b independently.
Interval bootstrap_difference(const std::vector<double>& a, const std::vector<double>& b, double level,
                              const Bootstrap& b_settings);

// Interval of the mean by `method` (the bootstrap with `b`).
Interval mean_interval(const std::vector<double>& v, IntervalMethod method, double level, const Bootstrap& b);

// Welch's unequal-variance t-test of mean(a) - mean(b) = 0, two-sided.
struct Welch {
  bool tested = false;   // false: n < 2 in a sample, or both variances are zero
  std::string why_not;   // "n < 2" | "zero variance"
  double diff = kNaN;    // mean(a) - mean(b)
  double t = kNaN, df = kNaN, p = kNaN;
  Interval diff_ci;      // diff ± t_{(1+level)/2, df} * se
};
Welch welch_test(const std::vector<double>& a, const std::vector<double>& b, double level = 0.95);

// Holm's step-down adjusted p-values, in the input order: sort ascending, p_(i) * (m - i + 1)
// (i from 1), running maximum, capped at 1. NaN entries are skipped (stay NaN, not counted in m).
std::vector<double> holm_adjust(const std::vector<double>& p);

// Runs per group for a two-sided two-sample test at `alpha` with `power` to detect `diff`, by the
// normal approximation n = (z_{1-alpha/2} + z_{power})^2 (var_a + var_b) / diff^2, rounded up and
// at least 2 (a test needs two runs per group); nullopt when diff is zero or a variance is not finite.
std::optional<std::size_t> seeds_needed(double diff, double var_a, double var_b, double alpha = 0.05, double power = 0.8);

}  // namespace genlab::stats
