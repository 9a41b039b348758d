// Plots of an Analysis through gnuplot: learning curves of a metric per group (mean line and a
// band over seeds: the interval of the mean, or ±std), and a metric at the chosen point against
// one grid axis (one line per combination of the other axes, error bars of the same kind). Each call writes one PNG of the given size.
// It does not lay out image sheets (sheets.hpp) and draws no pixel itself.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "genlab/analysis/aggregate.hpp"
#include "genlab/analysis/compare.hpp"
#include "genlab/analysis/gnuplot.hpp"

namespace genlab::analysis {

struct PlotSize {
  int width = 1000, height = 600;
};

// One point of a group's learning curve: the mean and std over the runs with a value near x,
// and the band drawn around it (the interval of the mean, or mean ± std; see spread_of).
struct CurvePoint {
  double x = 0, mean = 0, std = 0;  // std 0 when n < 2
  std::size_t n = 0;
  double lo = 0, hi = 0;
};
// The pooled runs' series of `metric` against x ("epoch" or "step"), aligned on equal x; with
// more than `max_points` distinct x, averaged per run within max_points equal-width x bins.
// `spread` chooses the band (nullptr: mean ± std).
std::vector<CurvePoint> group_curve(const Group& group, const MetricRef& metric, const std::string& x,
                                    std::size_t max_points = 400, const StatsOptions* spread = nullptr);

// Learning curves of `metric`, one per group. Throws genlab::Error if no group has a value or
// gnuplot fails; ConfigError for x other than epoch/step.
void plot_curves(const Gnuplot& gp, const Analysis& a, const MetricRef& metric, const std::string& x,
                 const std::filesystem::path& png, PlotSize size = {}, const StatsOptions* spread = nullptr);

// `metric` (at Analysis::at) against grid axis `axis` (one of a.axes); log x when the axis values
// are positive and spaced more evenly in log than in linear scale (0.5, 1, 2, 4); categorical x
// for text values. Throws ConfigError for an unknown axis.
void plot_versus(const Gnuplot& gp, const Analysis& a, const MetricRef& metric, const std::string& axis,
                 const std::filesystem::path& png, PlotSize size = {900, 560}, const StatsOptions* spread = nullptr);

// "eval_neg_elbo": a file-name-safe spelling of a metric or axis.
std::string file_safe(const std::string& text);

}  // namespace genlab::analysis
