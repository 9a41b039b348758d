// Learning-curve and metric-versus-axis plots: the numbers are prepared here (aligned or binned
// series, per-series points), written as gnuplot data blocks, and drawn by a generated script.
// It does not choose which plots a report gets (analyze.cpp does).
#include "genlab/analysis/plots.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "genlab/error.hpp"

namespace genlab::analysis {

namespace fs = std::filesystem;

namespace {
const char* const kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                               "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};
constexpr std::size_t kColorCount = sizeof kColors / sizeof kColors[0];

std::string line_style(std::size_t i) {
  return "lc rgb '" + std::string(kColors[i % kColorCount]) + "' dt " + std::to_string(1 + (i / kColorCount) % 5);
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

CurvePoint point_of(double x, const std::vector<double>& values, const StatsOptions* spread, const std::string& stream) {
  const Pooled p = pool(values);
  const stats::Interval band = spread_of(values, spread, stream);
  return {x, p.mean, std::isfinite(p.std) ? p.std : 0.0, p.n(), band.lo, band.hi};
}

// "95% CI of the mean" or "± std": what the bands and error bars show.
std::string spread_title(const StatsOptions* spread) {
  return spread && spread->enabled ? spread->interval_label() + " of the mean" : "± std";
}

std::string key_placement(std::size_t series) {
  return series > 4 ? "set key outside right top vertical Left reverse\n" : "set key inside top right box opaque\n";
}

std::string common_lines(const std::string& title, const std::string& xlabel, const std::string& ylabel) {
  return "set title " + gp_string(title) + "\nset xlabel " + gp_string(xlabel) + "\nset ylabel " + gp_string(ylabel) +
         "\nset grid\nset border lw 1\n";
}

// Log x when positive values are closer to geometric than to arithmetic spacing (0.5, 1, 2, 4).
bool looks_logarithmic(const std::vector<double>& sorted) {
  if (sorted.size() < 3 || sorted.front() <= 0 || sorted.back() / sorted.front() < 4) return false;
  auto spread = [&](bool log) {  // coefficient of variation of the gaps
    std::vector<double> gaps;
    for (std::size_t i = 1; i < sorted.size(); ++i) {
      gaps.push_back(log ? std::log(sorted[i] / sorted[i - 1]) : sorted[i] - sorted[i - 1]);
    }
    const Pooled p = pool(gaps);
    return p.mean > 0 ? (std::isfinite(p.std) ? p.std : 0.0) / p.mean : 1e9;
  };
  return spread(true) < spread(false);
}
}  // namespace

std::string file_safe(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  return out;
}

std::vector<CurvePoint> group_curve(const Group& group, const MetricRef& metric, const std::string& x,
                                    std::size_t max_points, const StatsOptions* spread) {
  std::vector<std::vector<std::pair<double, double>>> series;
  std::set<double> xs;
  for (const RunRecord* r : group.runs) {
    if (!r->pooled()) continue;
    series.push_back(series_of(r->data, metric, x));
    for (const auto& [px, py] : series.back()) xs.insert(px);
  }
  std::vector<CurvePoint> out;
  if (xs.empty()) return out;
  const bool bin = xs.size() > std::max<std::size_t>(max_points, 1);
  const double lo = *xs.begin(), width = (*xs.rbegin() - lo) / static_cast<double>(std::max<std::size_t>(max_points, 1));
  auto key_of = [&](double px) {
    if (!bin) return px;
    return std::min(static_cast<double>(max_points - 1), std::floor((px - lo) / width));
  };
  std::map<double, std::vector<double>> values;  // key -> one mean per run
  std::map<double, std::pair<double, std::size_t>> x_sum;  // key -> (sum of x, count) over all points
  for (const auto& s : series) {
    std::map<double, std::pair<double, std::size_t>> per_run;
    for (const auto& [px, py] : s) {
      auto& [sum, count] = per_run[key_of(px)];
      sum += py;
      ++count;
      auto& [xs_sum, xs_count] = x_sum[key_of(px)];
      xs_sum += px;
      ++xs_count;
    }
    for (const auto& [k, sc] : per_run) values[k].push_back(sc.first / static_cast<double>(sc.second));
  }
  for (const auto& [k, v] : values) {
    const auto& [sum, count] = x_sum.at(k);
    const double px = bin ? sum / static_cast<double>(count) : k;
    std::string cell;
    for (const std::string& c : group.coords) cell += c + "/";
    out.push_back(point_of(px, v, spread, "curve/" + cell + group.variant + "/" + metric.full() + "/" + num(px)));
  }
  return out;
}

void plot_curves(const Gnuplot& gp, const Analysis& a, const MetricRef& metric, const std::string& x,
                 const fs::path& png, PlotSize size, const StatsOptions* spread) {
  if (x != "epoch" && x != "step") throw ConfigError("--x " + x + ": expected epoch or step");
  ScratchDir scratch;
  std::string data, plot;
  std::size_t block = 0;
  for (const Group& g : a.groups) {
    const std::vector<CurvePoint> curve = group_curve(g, metric, x, 400, spread);
    if (curve.empty()) continue;
    data += "# " + g.label(a.axes) + "\n";
    for (const CurvePoint& p : curve) {
      data += num(p.x) + " " + num(p.mean) + " " + num(p.lo) + " " + num(p.hi) + " " +
              std::to_string(p.n) + "\n";
    }
    data += "\n\n";
    const std::string idx = std::to_string(block);
    const std::string line = curve.size() > 60 ? "lines lw 2 " : "linespoints lw 2 pt 7 ps 0.6 ";
    plot += std::string(plot.empty() ? "plot " : ", \\\n     ") + "'curves.dat' index " + idx +
            " using 1:3:4 with filledcurves notitle " + line_style(block) + ", \\\n     '' index " + idx +
            " using 1:2 with " + line + line_style(block) + " title " + gp_string(g.label(a.axes, true));
    ++block;
  }
  if (block == 0) throw Error("no run has values of " + metric.full() + " to plot");
  write_text(scratch.path() / "curves.dat", data);
  const std::string script = gp.terminal_lines(size.width, size.height, png) + "cd " + gp_string(scratch.path().string()) +
                             "\n" + common_lines(metric.full() + ": mean, " + spread_title(spread) + " over seeds", x, metric.full()) +
                             key_placement(block) + "set autoscale xfix\nset offsets 0, 0, graph 0.05, graph 0.05\n" +
                             "set style fill transparent solid 0.18 noborder\n" + plot + "\n";
  write_text(scratch.path() / "curves.gp", script);
  gp.run(scratch.path() / "curves.gp", png);
}

namespace {
// The data of a versus plot: the axis's distinct values (numeric or categorical) and, per
// combination of the other axes, one (x, pooled metric) point per value.
struct VersusData {
  std::vector<std::string> xs;  // distinct axis values, sorted
  bool numeric = true;
  std::vector<std::string> order;  // series labels in group order
  std::map<std::string, std::vector<std::pair<double, const Group*>>> series;
  double x_of(const std::string& v) const {
    if (numeric) return *as_number(v);
    return static_cast<double>(std::find_if(xs.begin(), xs.end(), [&](const std::string& s) { return same_value(s, v); }) - xs.begin());
  }
};

VersusData versus_data(const Analysis& a, const MetricRef& metric, std::size_t ai) {
  VersusData d;
  std::vector<std::string> others;
  for (std::size_t i = 0; i < a.axes.size(); ++i) {
    if (i != ai) others.push_back(a.axes[i]);
  }
  for (const Group& g : a.groups) {
    const std::string& v = g.coords[ai];
    if (std::none_of(d.xs.begin(), d.xs.end(), [&](const std::string& s) { return same_value(s, v); })) d.xs.push_back(v);
    d.numeric = d.numeric && as_number(v).has_value();
  }
  std::sort(d.xs.begin(), d.xs.end(), value_less);
  for (const Group& g : a.groups) {
    const Pooled& p = g.metrics.at(metric.full());
    if (p.n() == 0) continue;
    std::string label;
    for (std::size_t i = 0; i < a.axes.size(); ++i) {
      if (i != ai) label += (label.empty() ? "" : " ") + short_key(a.axes[i], others) + "=" + g.coords[i];
    }
    if (!g.variant.empty()) label += (label.empty() ? "" : " ") + std::string("[") + g.variant + "]";
    if (label.empty()) label = metric.full();
    if (!d.series.count(label)) d.order.push_back(label);
    d.series[label].emplace_back(d.x_of(g.coords[ai]), &g);
  }
  for (auto& [label, points] : d.series) {
    std::sort(points.begin(), points.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
  }
  return d;
}
}  // namespace

void plot_versus(const Gnuplot& gp, const Analysis& a, const MetricRef& metric, const std::string& axis,
                 const fs::path& png, PlotSize size, const StatsOptions* spread) {
  const auto it = std::find(a.axes.begin(), a.axes.end(), axis);
  if (it == a.axes.end()) {
    std::string list;
    for (const std::string& k : a.axes) list += (list.empty() ? "" : ", ") + k;
    throw ConfigError("--versus " + axis + ": not a grouping axis (axes: " + (list.empty() ? "none" : list) + ")");
  }
  const VersusData d = versus_data(a, metric, static_cast<std::size_t>(it - a.axes.begin()));
  if (d.series.empty()) throw Error("no group has a value of " + metric.full() + " to plot against " + axis);
  ScratchDir scratch;
  std::string data, plot;
  for (std::size_t s = 0; s < d.order.size(); ++s) {
    for (const auto& [px, g] : d.series.at(d.order[s])) {
      const Pooled& p = g->metrics.at(metric.full());
      const stats::Interval bar = spread_of(p.values, spread, g->label(a.axes) + "/" + metric.full());
      data += num(px) + " " + num(p.mean) + " " + num(bar.lo) + " " + num(bar.hi) + "\n";
    }
    data += "\n\n";
    plot += std::string(plot.empty() ? "plot " : ", \\\n     ") + "'versus.dat' index " + std::to_string(s) +
            " using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1 " + line_style(s) + " title " + gp_string(d.order[s]);
  }
  std::string ticks;  // every value as a tic (categorical values by position)
  if (!d.numeric || d.xs.size() <= 16) {
    for (const std::string& v : d.xs) ticks += (ticks.empty() ? "" : ", ") + gp_string(v) + " " + num(d.x_of(v));
  }
  std::vector<double> values;
  for (const std::string& v : d.xs) values.push_back(d.x_of(v));
  write_text(scratch.path() / "versus.dat", data);
  const std::string at = a.at.kind == AtKind::Final ? "final" : at_str(a.at);
  std::string script = gp.terminal_lines(size.width, size.height, png) + "cd " + gp_string(scratch.path().string()) + "\n" +
                       common_lines(metric.full() + " (" + at + ", mean, " + spread_title(spread) + " over seeds) against " + axis, axis, metric.full()) +
                       key_placement(d.order.size());
  script += d.numeric ? "set offsets graph 0.04, graph 0.04, graph 0.05, graph 0.05\n" : "set offsets 0.3, 0.3, graph 0.05, graph 0.05\n";
  if (d.numeric && looks_logarithmic(values)) script += "set logscale x 2\n";
  if (!ticks.empty()) script += "set xtics (" + ticks + ")\n";
  write_text(scratch.path() / "versus.gp", script + plot + "\n");
  gp.run(scratch.path() / "versus.gp", png);
}

}  // namespace genlab::analysis
