// The analyze command from options to outputs: parse the options, scan, aggregate, print the
// tables, then plots, sheets and the report. Plot failures (or a missing gnuplot) are warnings,
// never crashes; bad options are ConfigErrors. Statistics and rendering live in the modules.
#include "genlab/analyze.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>

#include "genlab/analysis/aggregate.hpp"
#include "genlab/analysis/compare.hpp"
#include "genlab/analysis/plots.hpp"
#include "genlab/analysis/reference.hpp"
#include "genlab/analysis/report.hpp"
#include "genlab/analysis/scan.hpp"
#include "genlab/analysis/sheets.hpp"
#include "genlab/analysis/tables.hpp"
#include "genlab/error.hpp"
#include "genlab/spec.hpp"

namespace genlab::analysis {

namespace fs = std::filesystem;

TableFormat parse_format(const std::string& text) {
  if (text == "md" || text == "markdown") return TableFormat::Markdown;
  if (text == "csv") return TableFormat::Csv;
  if (text == "latex" || text == "tex") return TableFormat::Latex;
  throw ConfigError("--format " + text + ": expected md, csv or latex");
}

namespace {
std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    const auto first = item.find_first_not_of(' '), last = item.find_last_not_of(' ');
    if (first != std::string::npos) out.push_back(item.substr(first, last - first + 1));
  }
  return out;
}

Query query_of(const AnalyzeOptions& o) {
  Query q;
  if (o.by == "none") {
    q.by = std::vector<std::string>{};
  } else if (!o.by.empty()) {
    q.by = split_commas(o.by);
  }
  for (const std::string& w : o.where) q.where.push_back(parse_condition(w));
  for (const std::string& list : o.metrics) {
    for (const std::string& m : split_commas(list)) q.metrics.push_back(parse_metric(m));
  }
  q.at = parse_at(o.at);
  return q;
}

ScanOptions scan_options(const AnalyzeOptions& o, const Query& q) {
  ScanOptions s;
  s.threads = o.threads;
  for (const MetricRef& m : q.metrics) {
    if (m.group == "train") s.train_columns.insert(m.name);
  }
  for (const std::string& list : o.curves) {
    for (const std::string& c : split_commas(list)) {
      const MetricRef m = parse_metric(c);
      if (m.group == "train") s.train_columns.insert(m.name);
    }
  }
  return s;
}

StatsOptions stats_options_of(const AnalyzeOptions& o) {
  StatsOptions s;
  s.enabled = o.ci != "none";
  if (s.enabled) s.method = stats::parse_interval_method(o.ci);
  for (const std::string& b : o.baseline) s.baseline.push_back(parse_baseline(b));
  if (!s.enabled && (!s.baseline.empty() || o.seeds_needed)) {
    throw ConfigError("--ci none: --baseline and --seeds-needed need intervals (--ci t or bootstrap)");
  }
  if (o.seeds_needed && s.baseline.empty()) throw ConfigError("--seeds-needed: needs --baseline (the comparisons it sizes)");
  s.seeds_needed = o.seeds_needed;
  return s;
}

std::vector<Reference> references_of(const std::string& experiment) {
  if (experiment.empty()) return {};
  const Experiment e = load_experiment(experiment);
  if (e.runs.empty()) return {};
  return parse_references(e.runs.front().reference_toml, experiment);
}

std::set<std::string> image_names(const Analysis& a) {
  std::set<std::string> out;
  for (const Group& g : a.groups) {
    for (const RunRecord* r : g.runs) {
      if (!r->pooled()) continue;
      for (const auto& [name, steps] : r->data.image_steps) {
        if (!steps.empty()) out.insert(name);
      }
    }
  }
  return out;
}

// What to draw: the options' plots, or (for a report without any) a default set.
struct PlotPlan {
  std::vector<MetricRef> curves;
  std::vector<std::string> versus;
  std::vector<std::string> sheets;
};

PlotPlan plan_of(const AnalyzeOptions& o, const Analysis& a) {
  PlotPlan p;
  for (const std::string& list : o.curves) {
    for (const std::string& c : split_commas(list)) p.curves.push_back(parse_metric(c));
  }
  for (const std::string& list : o.versus) {
    for (const std::string& axis : split_commas(list)) p.versus.push_back(axis);
  }
  for (const std::string& list : o.sheets) {
    for (const std::string& name : split_commas(list)) p.sheets.push_back(name);
  }
  for (const std::string& axis : p.versus) {
    if (std::find(a.axes.begin(), a.axes.end(), axis) == a.axes.end()) {
      std::string list;
      for (const std::string& k : a.axes) list += (list.empty() ? "" : ", ") + k;
      throw ConfigError("--versus " + axis + ": not a grouping axis (axes: " + (list.empty() ? "none" : list) + ")");
    }
  }
  if (o.report_dir.empty() || !o.curves.empty() || !o.versus.empty() || !o.sheets.empty()) return p;
  p.curves = a.metrics;
  p.versus = a.axes;
  for (const std::string& name : image_names(a)) p.sheets.push_back(name);
  return p;
}

std::string spread_words(const StatsOptions& s) {
  return s.enabled ? s.interval_label() + " of the mean" : "±std";
}

fs::path png_dir(const AnalyzeOptions& o) {
  if (!o.out_dir.empty()) return o.out_dir;
  if (!o.report_dir.empty()) return o.report_dir;
  return "genlab-analysis";
}
}  // namespace

int run_analyze(const AnalyzeOptions& o, std::ostream& out, std::ostream& err) {
  const TableFormat format = parse_format(o.format);
  const Query q = query_of(o);
  const StatsOptions stats_options = stats_options_of(o);
  if (o.x != "epoch" && o.x != "step") throw ConfigError("--x " + o.x + ": expected epoch or step");
  const std::vector<Reference> refs = references_of(o.experiment);
  std::vector<fs::path> inputs(o.inputs.begin(), o.inputs.end());
  if (inputs.empty()) inputs.push_back("results");
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<fs::path> files = find_run_files(inputs);
  if (files.empty()) {
    err << "analyze: no run files (*.h5) found under";
    for (const fs::path& p : inputs) err << " " << p.string();
    err << "\n";
    return 1;
  }
  const std::vector<RunRecord> runs = scan_runs(files, scan_options(o, q));
  for (const RunRecord& r : runs) {
    if (!r.error.empty()) err << "skipped: file " << r.file.string() << " unreadable (" << r.error << ")\n";
  }
  const double scan_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const Analysis a = aggregate(runs, q);
  const Statistics st = compute_statistics(a, stats_options);
  std::string side;
  out << render_analysis(a, refs, format, o.list_runs, &side, &st);
  err << side;
  char timing[96];
  std::snprintf(timing, sizeof timing, "analyze: read %zu run files in %.2f s\n", files.size(), scan_s);
  err << timing;

  const PlotPlan plan = plan_of(o, a);
  if (plan.curves.empty() && plan.versus.empty() && plan.sheets.empty() && o.report_dir.empty()) return 0;
  const fs::path dir = png_dir(o);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("analyze: cannot create " + dir.string() + ": " + ec.message());
  const Gnuplot gp = Gnuplot::find();
  ReportInput report;
  auto warn = [&](const std::string& w) {
    err << "warning: " << w << "\n";
    report.warnings.push_back(w);
  };
  if (!gp.available() && (!plan.curves.empty() || !plan.versus.empty())) warn(gp.missing_message());
  auto attempt = [&](const std::string& title, const fs::path& png, std::vector<Figure>& figures, auto&& draw) {
    try {
      const std::string caption = draw();
      figures.push_back({title, png, caption});
      err << "wrote " << png.string() << "\n";
    } catch (const ConfigError&) {
      throw;
    } catch (const std::exception& e) {
      warn(title + ": " + e.what());
    }
  };
  if (gp.available()) {
    for (const MetricRef& m : plan.curves) {
      const fs::path png = dir / ("curve_" + file_safe(m.full()) + ".png");
      attempt("learning curves of " + m.full(), png, report.plots, [&] {
        plot_curves(gp, a, m, o.x, png, {}, &stats_options);
        return "mean line and " + spread_words(stats_options) + " band over seeds, per group";
      });
    }
    for (const std::string& axis : plan.versus) {
      for (const MetricRef& m : a.metrics) {
        const fs::path png = dir / ("versus_" + file_safe(axis) + "_" + file_safe(m.full()) + ".png");
        attempt(m.full() + " against " + axis, png, report.plots, [&] {
          plot_versus(gp, a, m, axis, png, {900, 560}, &stats_options);
          return "at " + at_str(a.at) + "; error bars: " + spread_words(stats_options) + " over seeds";
        });
      }
    }
  }
  for (const std::string& name : plan.sheets) {
    const fs::path png = dir / ("sheet_" + file_safe(name) + ".png");
    attempt("image sheet '" + name + "'", png, report.sheets, [&] {
      const SheetResult r = write_sheet(gp, a, name, png);
      if (!r.warning.empty()) warn(r.warning);
      return "latest image of one run per group (" + std::to_string(r.images) + " of " + std::to_string(r.labels.size()) + " cells)";
    });
  }
  if (!o.report_dir.empty()) {
    report.analysis = &a;
    report.statistics = &st;
    report.refresh_s = o.watch_s;
    report.references = &refs;
    report.command = o.command;
    report.inputs = o.inputs;
    const fs::path file = write_report(o.report_dir, report);
    err << "report: " << file.string() << "\n";
  }
  return 0;
}

}  // namespace genlab::analysis
