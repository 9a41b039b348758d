// Statistics over an Analysis: per group and metric the confidence interval of the mean over
// seeds, and with a baseline (--baseline model.beta=1) every other cell compared with the
// baseline cell that has the same other coordinates: Welch's two-sided t-test, the difference
// with its interval, Holm's correction over the comparisons of each metric, and optionally the
// seeds each comparison would need. It renders nothing (tables.cpp, plots.cpp do).
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "genlab/analysis/aggregate.hpp"
#include "genlab/analysis/stats.hpp"

namespace genlab::analysis {

struct StatsOptions {
  bool enabled = true;                                 // false: --ci none (std only, as before)
  stats::IntervalMethod method = stats::IntervalMethod::T;
  double level = 0.95;
  stats::Bootstrap bootstrap;
  std::vector<std::pair<std::string, std::string>> baseline;  // axis -> value; empty = no tests
  bool seeds_needed = false;
  double alpha = 0.05, power = 0.8;
  // "95% CI" or "95% CI (bootstrap)".
  std::string interval_label() const;
};

// "model.beta=1" (one value, compared as analyze's coordinates are: numbers by value; repeat
// the option for several axes); throws ConfigError for another form (no '=', "k!=v").
std::pair<std::string, std::string> parse_baseline(const std::string& text);

struct Comparison {
  std::size_t baseline_group = 0;   // index into Analysis::groups
  stats::Welch welch;
  stats::Interval diff_ci;          // t: Welch's interval; bootstrap: resampled difference
  double p_holm = stats::kNaN;
  bool significant = false;         // p_holm < alpha
  std::optional<std::size_t> seeds_needed;  // per cell, at the observed difference
};

struct CellStats {
  stats::Interval ci;                     // invalid when n < 2
  bool is_baseline = false;
  std::optional<Comparison> comparison;   // set when a baseline cell exists for this group
};

struct Statistics {
  StatsOptions options;
  std::vector<std::map<std::string, CellStats>> cells;  // per group (Analysis order), by metric
  std::vector<std::string> notes;                       // unmatched cells, family sizes
  std::map<std::string, std::size_t> tests;             // metric -> comparisons in its Holm family
  bool has_baseline() const { return !options.baseline.empty(); }
  const CellStats& cell(std::size_t group, const std::string& metric) const { return cells.at(group).at(metric); }
  // "beta=1": the baseline in short keys.
  std::string baseline_label(const std::vector<std::string>& axes) const;
};

// Throws ConfigError when a baseline axis is not a grouping axis, or when no group matches it.
Statistics compute_statistics(const Analysis& a, const StatsOptions& options);

// The interval the plots draw for per-seed `values` of one group: the CI when options are
// enabled (a point when n < 2), else mean ± std. `stream` names the bootstrap stream.
stats::Interval spread_of(const std::vector<double>& values, const StatsOptions* options, const std::string& stream);

}  // namespace genlab::analysis
