// Cell intervals and baseline comparisons of compare.hpp. A cell's baseline partner agrees with
// it on every axis but the baseline's and has the same metric-attribute variant, so values
// measured differently are never tested against each other. Each bootstrap stream is named
// by the cell and metric, so one cell's interval does not depend on which other cells exist.
#include "genlab/analysis/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "genlab/error.hpp"

namespace genlab::analysis {

std::string StatsOptions::interval_label() const {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%g%% CI", level * 100);
  return std::string(buf) + (method == stats::IntervalMethod::Bootstrap ? " (bootstrap)" : "");
}

std::pair<std::string, std::string> parse_baseline(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size() || text[eq - 1] == '!') {
    throw ConfigError("--baseline " + text + ": expected AXIS=VALUE, e.g. model.beta=1 (repeat it for several axes)");
  }
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::string Statistics::baseline_label(const std::vector<std::string>& axes) const {
  std::string out;
  for (const auto& [k, v] : options.baseline) out += (out.empty() ? "" : " ") + short_key(k, axes) + "=" + v;
  return out;
}

stats::Interval spread_of(const std::vector<double>& values, const StatsOptions* o, const std::string& stream) {
  if (values.empty()) return {};
  const double m = stats::mean(values);
  if (!o || !o->enabled) {
    const double s = values.size() < 2 ? 0.0 : std::sqrt(stats::sample_variance(values));
    return {m - s, m + s};
  }
  stats::Bootstrap b = o->bootstrap;
  b.stream_name += "/" + stream;
  const stats::Interval ci = stats::mean_interval(values, o->method, o->level, b);
  return ci.valid() ? ci : stats::Interval{m, m};
}

namespace {
std::vector<std::size_t> baseline_axes(const Analysis& a, const StatsOptions& o) {
  std::vector<std::size_t> out;
  for (const auto& [key, value] : o.baseline) {
    const auto it = std::find(a.axes.begin(), a.axes.end(), key);
    if (it == a.axes.end()) {
      std::string list;
      for (const std::string& k : a.axes) list += (list.empty() ? "" : ", ") + k;
      throw ConfigError("--baseline " + key + "=" + value + ": " + key + " is not a grouping axis (axes: " +
                        (list.empty() ? "none" : list) + ")");
    }
    out.push_back(static_cast<std::size_t>(it - a.axes.begin()));
  }
  return out;
}

bool is_baseline_cell(const Group& g, const std::vector<std::size_t>& axes, const StatsOptions& o) {
  for (std::size_t i = 0; i < axes.size(); ++i) {
    if (!same_value(g.coords[axes[i]], o.baseline[i].second)) return false;
  }
  return true;
}

// The baseline group with g's other coordinates and variant, if any.
std::optional<std::size_t> partner_of(const Analysis& a, const Group& g, const std::vector<std::size_t>& axes,
                                      const StatsOptions& o) {
  for (std::size_t h = 0; h < a.groups.size(); ++h) {
    const Group& b = a.groups[h];
    if (b.variant != g.variant || !is_baseline_cell(b, axes, o)) continue;
    bool same = true;
    for (std::size_t i = 0; i < a.axes.size() && same; ++i) {
      if (std::find(axes.begin(), axes.end(), i) == axes.end()) same = same_value(b.coords[i], g.coords[i]);
    }
    if (same) return h;
  }
  return std::nullopt;
}

Comparison compare(const Pooled& cell, const Pooled& base, std::size_t base_index, const StatsOptions& o,
                   const std::string& stream) {
  Comparison c;
  c.baseline_group = base_index;
  c.welch = stats::welch_test(cell.values, base.values, o.level);
  if (o.method == stats::IntervalMethod::T) {
    c.diff_ci = c.welch.diff_ci;
  } else {
    stats::Bootstrap b = o.bootstrap;
    b.stream_name += "/difference/" + stream;
    c.diff_ci = stats::bootstrap_difference(cell.values, base.values, o.level, b);
  }
  if (o.seeds_needed && cell.n() >= 2 && base.n() >= 2) {
    c.seeds_needed = stats::seeds_needed(c.welch.diff, stats::sample_variance(cell.values),
                                         stats::sample_variance(base.values), o.alpha, o.power);
  }
  return c;
}
}  // namespace

Statistics compute_statistics(const Analysis& a, const StatsOptions& o) {
  Statistics s;
  s.options = o;
  s.cells.resize(a.groups.size());
  for (std::size_t gi = 0; gi < a.groups.size(); ++gi) {
    for (const MetricRef& m : a.metrics) {
      const Pooled& p = a.groups[gi].metrics.at(m.full());
      stats::Bootstrap b = o.bootstrap;
      b.stream_name += "/" + a.groups[gi].label(a.axes) + "/" + m.full();
      s.cells[gi][m.full()].ci = stats::mean_interval(p.values, o.method, o.level, b);
    }
  }
  if (o.baseline.empty()) return s;
  const std::vector<std::size_t> axes = baseline_axes(a, o);
  const bool any = std::any_of(a.groups.begin(), a.groups.end(), [&](const Group& g) { return is_baseline_cell(g, axes, o); });
  if (!any) {
    throw ConfigError("--baseline " + s.baseline_label(a.axes) + ": no group has these coordinates");
  }
  for (std::size_t gi = 0; gi < a.groups.size(); ++gi) {
    const Group& g = a.groups[gi];
    if (is_baseline_cell(g, axes, o)) {
      for (auto& [metric, cell] : s.cells[gi]) cell.is_baseline = true;
      continue;
    }
    const auto partner = partner_of(a, g, axes, o);
    if (!partner) {
      s.notes.push_back(g.label(a.axes) + ": no baseline cell with the same other coordinates; not compared");
      continue;
    }
    for (const MetricRef& m : a.metrics) {
      const std::string stream = g.label(a.axes) + "/" + m.full();
      s.cells[gi][m.full()].comparison =
          compare(g.metrics.at(m.full()), a.groups[*partner].metrics.at(m.full()), *partner, o, stream);
    }
  }
  for (const MetricRef& m : a.metrics) {  // Holm over the tested comparisons of each metric
    std::vector<double> p;
    std::vector<Comparison*> tested;
    for (auto& per_group : s.cells) {
      auto& c = per_group.at(m.full()).comparison;
      if (c && c->welch.tested) {
        p.push_back(c->welch.p);
        tested.push_back(&*c);
      }
    }
    const std::vector<double> adjusted = stats::holm_adjust(p);
    for (std::size_t i = 0; i < tested.size(); ++i) {
      tested[i]->p_holm = adjusted[i];
      tested[i]->significant = adjusted[i] < o.alpha;
    }
    s.tests[m.full()] = tested.size();
  }
  return s;
}

}  // namespace genlab::analysis
