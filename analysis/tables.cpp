// Rendering an Analysis as tables: group rows with "mean ± std (n)" cells, paper values and
// differences, the excluded runs, the per-run listing and the footnotes that explain marks.
// Numbers in CSV keep full precision (shortest round trip); display cells are rounded.
#include "genlab/analysis/tables.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

namespace genlab::analysis {

namespace {
std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string exact(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "" : (v > 0 ? "inf" : "-inf");
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Distinct sources of the references that apply to some group, numbered from 1.
std::map<std::string, int> source_numbers(const Analysis& a, const std::vector<Reference>& refs) {
  std::map<std::string, int> out;
  int next = 1;
  for (const MetricRef& m : a.metrics) {
    for (const Group& g : a.groups) {
      const Reference* r = find_reference(refs, m, g);
      if (r && !r->source.empty() && !out.count(r->source)) out[r->source] = next++;
    }
  }
  return out;
}

bool has_reference(const Analysis& a, const std::vector<Reference>& refs, const MetricRef& m) {
  for (const Group& g : a.groups) {
    if (find_reference(refs, m, g)) return true;
  }
  return false;
}

bool any_variant(const Analysis& a) {
  for (const Group& g : a.groups) {
    if (!g.variant.empty()) return true;
  }
  return false;
}

std::size_t excluded_runs(const Group& g) { return g.runs.size() - g.pooled_runs(); }

// "3", "3 (1 running*)", "2 +1 diverged ✗".
std::string runs_cell(const Group& g) {
  std::string out = std::to_string(g.pooled_runs());
  if (const std::size_t r = g.count("running")) out += " (" + std::to_string(r) + " running" + kRunningMark + ")";
  std::map<std::string, std::size_t> excluded;
  for (const RunRecord* run : g.runs) {
    if (!run->pooled()) ++excluded[run->status];
  }
  for (const auto& [status, n] : excluded) out += " +" + std::to_string(n) + " " + status + " " + kExcludedMark;
  return out;
}
}  // namespace

int decimals_for(const Pooled& p) {
  if (p.n() >= 2 && std::isfinite(p.std) && p.std > 0) {
    return std::clamp(1 - static_cast<int>(std::floor(std::log10(p.std))), 0, 8);
  }
  if (!std::isfinite(p.mean) || p.mean == 0) return 2;
  return std::clamp(4 - static_cast<int>(std::floor(std::log10(std::fabs(p.mean)))), 0, 8);  // 5 significant
}

std::string mean_std_cell(const Pooled& p) {
  if (p.n() == 0) return "—";
  const int d = decimals_for(p);
  std::string out = fixed(p.mean, d);
  if (p.n() >= 2 && p.std == 0) {
    out = format_number(p.mean, 6) + " ± 0";  // identical values: no spurious digits
  } else if (p.n() >= 2) {
    out += " ± " + fixed(p.std, d);
  }
  out += " (" + std::to_string(p.n()) + ")";
  if (p.includes_running) out += kRunningMark;
  return out;
}

namespace {
// Headers of the statistics columns of one metric (none without statistics).
void stats_headers(const Analysis& a, const Statistics* st, const MetricRef& m, bool csv, std::vector<std::string>& h) {
  if (!st || !st->options.enabled) return;
  if (csv) {
    for (const char* s : {"_ci_lo", "_ci_hi"}) h.push_back(m.full() + s);
    if (st->has_baseline()) {
      for (const char* s : {"_vs_base_diff", "_vs_base_lo", "_vs_base_hi", "_vs_base_t", "_vs_base_df", "_vs_base_p",
                            "_vs_base_p_holm", "_vs_base_significant", "_vs_base_note"}) {
        h.push_back(m.full() + s);
      }
      if (st->options.seeds_needed) h.push_back(m.full() + "_seeds_needed");
    }
    return;
  }
  h.push_back(st->options.interval_label());
  if (!st->has_baseline()) return;
  h.push_back("Δ vs " + st->baseline_label(a.axes) + " [" + st->options.interval_label() + "]");
  h.push_back("p (Holm)");
  if (st->options.seeds_needed) h.push_back("seeds for " + format_number(st->options.power * 100, 3) + "% power");
}

std::string interval_cell(const stats::Interval& ci, int decimals, std::size_t n) {
  if (n == 0) return "—";
  if (!ci.valid()) return "n < 2";
  return "[" + fixed(ci.lo, decimals) + ", " + fixed(ci.hi, decimals) + "]";
}

std::string signed_fixed(double v, int decimals) { return (v >= 0 ? "+" : "") + fixed(v, decimals); }

std::string p_cell(double p) {
  if (!std::isfinite(p)) return "";
  if (p < 1e-4) return "< 0.0001";
  return format_number(p, 2);
}

// Display cells of the statistics columns of one metric in one group.
void stats_cells(const Statistics* st, std::size_t gi, const MetricRef& m, const Pooled& p, std::vector<std::string>& row) {
  if (!st || !st->options.enabled) return;
  const CellStats& c = st->cell(gi, m.full());
  const int d = decimals_for(p);
  row.push_back(interval_cell(c.ci, d, p.n()));
  if (!st->has_baseline()) return;
  if (c.is_baseline || !c.comparison) {
    row.push_back(c.is_baseline ? "baseline" : "no baseline cell");
    row.push_back("");
    if (st->options.seeds_needed) row.push_back("");
    return;
  }
  const Comparison& cmp = *c.comparison;
  const std::string diff = std::isfinite(cmp.welch.diff) ? signed_fixed(cmp.welch.diff, d) : "—";
  row.push_back(cmp.diff_ci.valid() ? diff + " [" + signed_fixed(cmp.diff_ci.lo, d) + ", " + signed_fixed(cmp.diff_ci.hi, d) + "]" : diff);
  row.push_back(cmp.welch.tested ? p_cell(cmp.p_holm) + (cmp.significant ? std::string(" ") + kSignificantMark : "")
                                 : cmp.welch.why_not + ": no test");
  if (st->options.seeds_needed) row.push_back(cmp.seeds_needed ? std::to_string(*cmp.seeds_needed) : cmp.welch.why_not.empty() ? "—" : "");
}

// CSV cells of the same columns: full precision, empty where undefined.
void stats_csv_cells(const Statistics* st, std::size_t gi, const MetricRef& m, std::vector<std::string>& row) {
  if (!st || !st->options.enabled) return;
  const CellStats& c = st->cell(gi, m.full());
  row.push_back(exact(c.ci.lo));
  row.push_back(exact(c.ci.hi));
  if (!st->has_baseline()) return;
  if (c.is_baseline || !c.comparison) {
    for (int i = 0; i < 8; ++i) row.push_back("");
    row.push_back(c.is_baseline ? "baseline" : "no baseline cell");
    if (st->options.seeds_needed) row.push_back("");
    return;
  }
  const Comparison& cmp = *c.comparison;
  for (double v : {cmp.welch.diff, cmp.diff_ci.lo, cmp.diff_ci.hi, cmp.welch.t, cmp.welch.df, cmp.welch.p, cmp.p_holm}) {
    row.push_back(exact(v));
  }
  row.push_back(cmp.welch.tested ? (cmp.significant ? "1" : "0") : "");
  row.push_back(cmp.welch.tested ? "" : cmp.welch.why_not + ": no test");
  if (st->options.seeds_needed) row.push_back(cmp.seeds_needed ? std::to_string(*cmp.seeds_needed) : "");
}
}  // namespace

Table group_table(const Analysis& a, const std::vector<Reference>& refs, TableFormat format, const Statistics* st) {
  const bool csv = format == TableFormat::Csv;
  const bool variants = any_variant(a);
  const auto sources = source_numbers(a, refs);
  Table t;
  t.header = a.axes;
  if (variants) t.header.push_back("metric attributes");
  if (csv) {
    for (const char* h : {"runs", "finished", "running", "excluded"}) t.header.push_back(h);
  } else {
    t.header.push_back("runs");
  }
  for (const MetricRef& m : a.metrics) {
    const bool ref = has_reference(a, refs, m);
    if (csv) {
      for (const char* s : {"_mean", "_std", "_n"}) t.header.push_back(m.full() + s);
      stats_headers(a, st, m, csv, t.header);
      if (ref) {
        for (const char* s : {"_paper", "_diff", "_source"}) t.header.push_back(m.full() + s);
      }
    } else {
      t.header.push_back(m.full());
      stats_headers(a, st, m, csv, t.header);
      if (ref) {
        t.header.push_back("paper");
        t.header.push_back("Δ");
      }
    }
  }
  for (std::size_t gi = 0; gi < a.groups.size(); ++gi) {
    const Group& g = a.groups[gi];
    std::vector<std::string> row = g.coords;
    if (variants) row.push_back(g.variant);
    if (csv) {
      row.push_back(std::to_string(g.pooled_runs()));
      row.push_back(std::to_string(g.count("finished")));
      row.push_back(std::to_string(g.count("running")));
      row.push_back(std::to_string(excluded_runs(g)));
    } else {
      row.push_back(runs_cell(g));
    }
    for (const MetricRef& m : a.metrics) {
      const Pooled& p = g.metrics.at(m.full());
      const Reference* r = find_reference(refs, m, g);
      if (csv) {
        row.push_back(exact(p.mean));
        row.push_back(exact(p.std));
        row.push_back(std::to_string(p.n()));
        stats_csv_cells(st, gi, m, row);
        if (has_reference(a, refs, m)) {
          row.push_back(r ? exact(r->value) : "");
          row.push_back(r && p.n() ? exact(p.mean - r->value) : "");
          row.push_back(r ? r->source : "");
        }
        continue;
      }
      row.push_back(mean_std_cell(p));
      stats_cells(st, gi, m, p, row);
      if (!has_reference(a, refs, m)) continue;
      if (!r) {
        row.push_back("");
        row.push_back("");
        continue;
      }
      std::string paper = exact(r->value);
      if (!r->source.empty()) paper += " [" + std::to_string(sources.at(r->source)) + "]";
      row.push_back(paper);
      const double diff = p.mean - r->value;
      row.push_back(p.n() ? (diff >= 0 ? "+" : "") + fixed(diff, decimals_for(p)) : "—");
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table excluded_table(const Analysis& a) {
  Table t;
  t.header = {"run", "cell", "seed", "status", "message", "file"};
  for (const Group& g : a.groups) {
    for (const RunRecord* r : g.runs) {
      if (r->pooled()) continue;
      t.rows.push_back({r->run_id, g.label(a.axes), r->seed, r->status + " " + kExcludedMark, r->message, r->file.string()});
    }
  }
  for (const RunRecord* r : a.unreadable) {
    t.rows.push_back({r->run_id, "-", "", r->status + " " + kExcludedMark, r->message, r->file.string()});
  }
  return t;
}

Table runs_table(const Analysis& a, TableFormat format) {
  const bool csv = format == TableFormat::Csv;
  Table t;
  t.header = {"run"};
  t.header.insert(t.header.end(), a.axes.begin(), a.axes.end());
  for (const char* h : {"seed", "status", "step", "epoch"}) t.header.push_back(h);
  for (const MetricRef& m : a.metrics) t.header.push_back(m.full());
  t.header.push_back("file");
  for (const Group& g : a.groups) {
    for (const RunRecord* r : g.runs) {
      std::vector<std::string> row{r->run_id};
      row.insert(row.end(), g.coords.begin(), g.coords.end());
      std::string status = r->status;
      if (!csv && !r->pooled()) status += std::string(" ") + kExcludedMark;
      if (!csv && r->status == "running") status += kRunningMark;
      const auto& steps = r->data.eval.count("step") ? r->data.eval.at("step") : std::vector<double>{};
      const auto& epochs = r->data.eval.count("epoch") ? r->data.eval.at("epoch") : std::vector<double>{};
      row.push_back(r->seed);
      row.push_back(status);
      row.push_back(steps.empty() ? "" : exact(steps.back()));
      row.push_back(epochs.empty() ? "" : (csv ? exact(epochs.back()) : format_number(epochs.back(), 4)));
      for (const MetricRef& m : a.metrics) {
        const auto p = pick(r->data, m, a.at);
        row.push_back(p ? (csv ? exact(p->value) : format_number(p->value, 6)) : "");
      }
      row.push_back(r->file.string());
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

namespace {
std::string at_words(const At& at) {
  switch (at.kind) {
    case AtKind::Final: return "the final evaluation";
    case AtKind::Best: return "the best evaluation of each run";
    case AtKind::Min: return "each run's minimum";
    case AtKind::Max: return "each run's maximum";
    case AtKind::Epoch: return "epoch " + format_number(at.where) + " (last value at or before it)";
    case AtKind::Step: return "step " + format_number(at.where) + " (last value at or before it)";
  }
  return at_str(at);
}
}  // namespace

std::string summary_line(const Analysis& a) {
  std::string out = std::to_string(a.files) + " run files";
  if (a.matched + a.unreadable.size() != a.files) out += ", " + std::to_string(a.matched) + " match --where";
  std::string counts;
  std::map<std::string, std::size_t> by_status;
  for (const Group& g : a.groups) {
    for (const RunRecord* r : g.runs) ++by_status[r->status];
  }
  for (const char* s : {"finished", "running", "diverged", "failed"}) {
    if (by_status.count(s)) counts += (counts.empty() ? "" : ", ") + std::to_string(by_status[s]) + " " + s;
  }
  for (const auto& [s, n] : by_status) {
    if (s != "finished" && s != "running" && s != "diverged" && s != "failed") {
      counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + s;
    }
  }
  if (!a.unreadable.empty()) counts += (counts.empty() ? "" : ", ") + std::to_string(a.unreadable.size()) + " unreadable";
  if (!counts.empty()) out += ": " + counts;
  out += "; " + std::to_string(a.groups.size()) + (a.groups.size() == 1 ? " group" : " groups");
  if (!a.axes.empty()) {
    out += " by ";
    for (std::size_t i = 0; i < a.axes.size(); ++i) out += (i ? ", " : "") + a.axes[i];
  }
  return out + "; seeds pooled; values at " + at_words(a.at);
}

namespace {
// What the statistics columns mean, one line each.
void stats_footnotes(const Statistics& st, std::vector<std::string>& out) {
  const StatsOptions& o = st.options;
  if (!o.enabled) return;
  if (o.method == stats::IntervalMethod::T) {
    out.push_back(o.interval_label() + ": Student t interval of the mean over seeds, mean ± t(n - 1) · s / √n; n < 2: none");
  } else {
    out.push_back(o.interval_label() + ": percentile bootstrap of the mean over seeds, " + std::to_string(o.bootstrap.resamples) +
                  " resamples, seed " + std::to_string(o.bootstrap.seed) + "; with few seeds it is narrower than the t interval");
  }
  if (!st.has_baseline()) return;
  std::string family;
  for (const auto& [metric, n] : st.tests) family += (family.empty() ? "" : ", ") + metric + ": " + std::to_string(n);
  out.push_back("Δ vs baseline: cell mean - baseline mean (same other coordinates) with its " + o.interval_label() +
                (o.method == stats::IntervalMethod::T ? " (Welch)" : "") + ", not corrected for multiple comparisons" +
                "; p: Welch's two-sided t-test, Holm-corrected over each metric's comparisons (" + family + ")");
  out.push_back(std::string(kSignificantMark) + " significant: Holm-corrected p < " + format_number(o.alpha, 3) +
                "; n < 2: no test (a cell or its baseline has fewer than two seeds)");
  if (o.seeds_needed) {
    out.push_back("seeds for " + format_number(o.power * 100, 3) + "% power: runs per cell for a two-sided test at alpha " +
                  format_number(o.alpha, 3) + " to detect the observed Δ, normal approximation (it ignores the t tails and "
                  "Holm's correction: with fewer than ~10 seeds the real need is higher)");
  }
  for (const std::string& n : st.notes) out.push_back("note: " + n);
}
}  // namespace

std::vector<std::string> footnotes(const Analysis& a, const std::vector<Reference>& refs, const Statistics* st) {
  std::vector<std::string> out;
  const auto sources = source_numbers(a, refs);
  std::vector<std::string> ordered(sources.size());
  for (const auto& [s, n] : sources) ordered[static_cast<std::size_t>(n - 1)] = s;
  for (std::size_t i = 0; i < ordered.size(); ++i) out.push_back("[" + std::to_string(i + 1) + "] " + ordered[i]);
  if (!refs.empty()) out.push_back("Δ = measured mean - paper value");
  bool running = false, excluded = !a.unreadable.empty();
  for (const Group& g : a.groups) {
    running = running || g.count("running") > 0;
    excluded = excluded || g.pooled_runs() < g.runs.size();
  }
  out.push_back("cells: mean ± sample std over seeds (n runs with a value)");
  if (st) stats_footnotes(*st, out);
  if (running) out.push_back(std::string(kRunningMark) + " includes running runs: their values flushed so far");
  if (excluded) out.push_back(std::string(kExcludedMark) + " diverged, failed or unreadable: listed, not in the means");
  for (const Reference& r : refs) {
    bool shown = false;
    for (const MetricRef& m : a.metrics) shown = shown || m == r.metric;
    if (!shown) out.push_back("reference " + r.metric.full() + " = " + exact(r.value) + ": metric not among the columns");
  }
  for (const std::string& n : a.notes) out.push_back("note: " + n);
  return out;
}

std::string render_analysis(const Analysis& a, const std::vector<Reference>& refs, TableFormat format,
                            bool list_runs, std::string* side, const Statistics* st) {
  const std::vector<std::string> notes = footnotes(a, refs, st);
  const Table excluded = excluded_table(a);
  std::string out;
  if (format == TableFormat::Csv) {
    out = list_runs ? runs_table(a, format).render(format) : group_table(a, refs, format, st).render(format);
    if (side) {
      *side += summary_line(a) + "\n";
      for (const auto& row : excluded.rows) *side += "excluded: " + row[0] + " " + row[1] + " " + row[3] + ": " + row[4] + "\n";
      for (const std::string& n : notes) *side += n + "\n";
    }
    return out;
  }
  const std::string comment = format == TableFormat::Latex ? "% " : "";
  out += comment + summary_line(a) + "\n\n";
  out += group_table(a, refs, format, st).render(format);
  out += "\n";
  for (const std::string& n : notes) out += comment + n + "\n";
  if (!excluded.rows.empty()) {
    out += "\n" + comment + kExcludedMark + " not in the means:\n" + excluded.render(format);
  }
  if (list_runs) out += "\n" + comment + "runs:\n" + runs_table(a, format).render(format);
  return out;
}

}  // namespace genlab::analysis
