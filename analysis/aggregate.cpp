// Grouping, metric-attribute compatibility and seed pooling for analyze. A cell whose runs
// report one metric with different attributes (IWAE k, sample count, split, reference
// classifier hash...) is split into one group per attribute set, with a note naming the
// attribute; such values are never averaged together. It does not render anything.
#include "genlab/analysis/aggregate.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "genlab/error.hpp"
#include "genlab/spec.hpp"

namespace genlab::analysis {

Pooled pool(const std::vector<double>& values) {
  Pooled p;
  p.values = values;
  if (values.empty()) return p;
  double sum = 0;
  for (double v : values) sum += v;
  p.mean = sum / static_cast<double>(values.size());
  if (values.size() >= 2) {
    double sq = 0;
    for (double v : values) sq += (v - p.mean) * (v - p.mean);
    p.std = std::sqrt(sq / static_cast<double>(values.size() - 1));
  }
  return p;
}

std::size_t Group::count(const std::string& status) const {
  return static_cast<std::size_t>(std::count_if(runs.begin(), runs.end(), [&](const RunRecord* r) { return r->status == status; }));
}

std::size_t Group::pooled_runs() const {
  return static_cast<std::size_t>(std::count_if(runs.begin(), runs.end(), [](const RunRecord* r) { return r->pooled(); }));
}

std::string short_key(const std::string& key, const std::vector<std::string>& axes) {
  const auto dot = key.rfind('.');
  if (dot == std::string::npos) return key;
  const std::string tail = key.substr(dot + 1);
  for (const std::string& other : axes) {
    if (other != key && (other == tail || (other.size() > tail.size() && other.ends_with("." + tail)))) return key;
  }
  return tail;
}

std::string Group::label(const std::vector<std::string>& axes, bool short_keys) const {
  std::string out;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    out += (i ? " " : "") + (short_keys ? short_key(axes[i], axes) : axes[i]) + "=" + coords[i];
  }
  if (out.empty()) out = "all runs";
  return variant.empty() ? out : out + " [" + variant + "]";
}

std::size_t Analysis::count(const std::string& status) const {
  std::size_t n = 0;
  for (const Group& g : groups) n += g.count(status);
  return n;
}

namespace {
constexpr const char* kMissing = "-";

// The grouping key of a coordinate: numbers by value, lists without spaces.
std::string canonical(const std::string& value) {
  if (const auto x = as_number(value)) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, *x);
    return std::string(buf, r.ptr);
  }
  std::string out;
  for (char c : value) {
    if (c != ' ') out += c;
  }
  return out;
}

// Every /eval metric, except the validation split's (val_*) when test metrics exist: a note
// says how many were left out and how to ask for them.
std::vector<MetricRef> default_metrics(const std::vector<const RunRecord*>& runs, std::vector<std::string>& notes) {
  std::set<std::string> names;
  for (const RunRecord* r : runs) {
    for (const auto& [name, values] : r->data.eval) {
      if (name != "step" && name != "epoch") names.insert(name);
    }
  }
  const auto validation = [](const std::string& n) { return n.starts_with("val_"); };
  const bool has_test = std::any_of(names.begin(), names.end(), [&](const std::string& n) { return !validation(n); });
  std::vector<MetricRef> out;
  std::string hidden;
  for (const std::string& n : names) {
    if (has_test && validation(n)) {
      hidden += (hidden.empty() ? "" : ", ") + n;
    } else {
      out.push_back({"eval", n});
    }
  }
  if (!hidden.empty()) notes.push_back("validation-split metrics not shown (ask with --metric): " + hidden);
  return out;
}

std::vector<std::string> default_axes(const std::vector<const RunRecord*>& runs) {
  std::map<std::string, std::set<std::string>> values;
  std::set<std::string> experiments;
  for (const RunRecord* r : runs) {
    for (const auto& [k, v] : r->data.grid) values[k];
    experiments.insert(run_value(*r, "experiment").value_or(kMissing));
  }
  for (const RunRecord* r : runs) {
    for (auto& [k, seen] : values) {
      const auto it = r->data.grid.find(k);
      seen.insert(it == r->data.grid.end() ? kMissing : canonical(it->second));
    }
  }
  std::vector<std::string> axes;
  if (experiments.size() > 1 && values.count("experiment") == 0) axes.push_back("experiment");
  for (const auto& [k, seen] : values) {
    if (k != "seed" && seen.size() > 1) axes.push_back(k);
  }
  return axes;
}

void check_axes(const std::vector<std::string>& axes, const std::vector<const RunRecord*>& runs) {
  std::set<std::string> known = {"experiment", "plugin", "status", "seed"};
  for (const RunRecord* r : runs) {
    for (const auto& [k, v] : r->data.grid) known.insert(k);
  }
  for (const std::string& axis : axes) {
    bool found = known.count(axis) > 0;
    for (const RunRecord* r : runs) found = found || run_value(*r, axis).has_value();
    if (found || runs.empty()) continue;
    const std::vector<std::string> candidates(known.begin(), known.end());
    const std::string near = nearest_key(axis, candidates);
    std::string list;
    for (const std::string& k : candidates) list += (list.empty() ? "" : ", ") + k;
    throw ConfigError("--by " + axis + ": no run has this axis or attribute" +
                      (near.empty() ? "" : "; did you mean '" + near + "'?") + " (known: " + list + ")");
  }
}

std::string attrs_str(const AttrMap& attrs, const std::set<std::string>& keys) {
  std::string out;
  for (const std::string& k : keys) {
    const auto it = attrs.find(k);
    out += (out.empty() ? "" : ",") + k + "=" + (it == attrs.end() ? std::string("(none)") : attr_to_string(it->second));
  }
  return out;
}

const AttrMap* metric_attrs(const RunRecord& r, const MetricRef& m) {
  if (m.group != "eval") return nullptr;
  const auto it = r.data.eval_attrs.find(m.name);
  return it == r.data.eval_attrs.end() ? nullptr : &it->second;
}

// Metric attributes that record something about one run's measurement (how long it took, a
// per-dimension breakdown, where the classifier file was) rather than what was measured: they
// differ between seeds by nature and never split a pool. Everything else (n, k, split,
// classifier_id, definition, ...) defines the metric; classifier_sha256 (the classifier's whole
// file, timestamps included) only where no classifier_id is recorded (older run files).
bool is_per_run_attribute(const std::string& key) {
  static const std::set<std::string> per_run = {"seconds", "kl_per_dim", "classifier"};
  return per_run.count(key) != 0;
}

// Keys of the metric's attributes that differ between the runs that have a value for it.
std::set<std::string> differing_keys(const std::vector<const RunRecord*>& runs, const MetricRef& m,
                                     const std::map<const RunRecord*, std::map<std::string, Picked>>& picked) {
  static const AttrMap empty;
  std::vector<const AttrMap*> sets;
  std::set<std::string> keys;
  for (const RunRecord* r : runs) {
    const auto it = picked.find(r);
    if (it == picked.end() || it->second.count(m.full()) == 0) continue;
    const AttrMap* a = metric_attrs(*r, m);
    sets.push_back(a ? a : &empty);
    for (const auto& [k, v] : *sets.back()) keys.insert(k);
  }
  const bool identified = std::all_of(sets.begin(), sets.end(), [](const AttrMap* a) { return a->count("classifier_id") > 0; });
  std::set<std::string> differ;
  for (const std::string& k : keys) {
    if (is_per_run_attribute(k) || (identified && k == "classifier_sha256")) continue;
    std::set<std::string> seen;
    for (const AttrMap* a : sets) seen.insert(a->count(k) ? attr_to_string(a->at(k)) : std::string("(none)"));
    if (seen.size() > 1) differ.insert(k);
  }
  return differ;
}

struct Cell {
  std::vector<std::string> coords;
  std::vector<const RunRecord*> runs;
};

// Splits one cell into groups of compatible metric attributes; notes what differs.
std::vector<Group> split_cell(const Cell& cell, const std::vector<MetricRef>& metrics, const At& at,
                              const std::string& cell_label, std::vector<std::string>& notes) {
  std::map<const RunRecord*, std::map<std::string, Picked>> picked;
  for (const RunRecord* r : cell.runs) {
    if (!r->pooled()) continue;
    for (const MetricRef& m : metrics) {
      if (const auto p = pick(r->data, m, at)) picked[r][m.full()] = *p;
    }
  }
  std::map<std::string, std::set<std::string>> conflicts;  // metric -> differing attribute keys
  for (const MetricRef& m : metrics) {
    const auto keys = differing_keys(cell.runs, m, picked);
    if (!keys.empty()) conflicts[m.full()] = keys;
  }
  // Variant of a run: the conflicting attributes of the metrics it has values for.
  std::map<std::string, std::vector<const RunRecord*>> by_variant;
  std::vector<const RunRecord*> unplaced;
  for (const RunRecord* r : cell.runs) {
    std::string variant;
    bool placed = conflicts.empty();
    for (const auto& [metric, keys] : conflicts) {
      const MetricRef m = parse_metric(metric);
      const auto it = picked.find(r);
      if (it == picked.end() || it->second.count(metric) == 0) continue;
      static const AttrMap empty;
      const AttrMap* a = metric_attrs(*r, m);
      variant += (variant.empty() ? "" : "; ") + metric + " " + attrs_str(a ? *a : empty, keys);
      placed = true;
    }
    if (placed) {
      by_variant[variant].push_back(r);
    } else {
      unplaced.push_back(r);
    }
  }
  if (by_variant.empty()) by_variant[""];
  by_variant.begin()->second.insert(by_variant.begin()->second.end(), unplaced.begin(), unplaced.end());
  for (const auto& [metric, keys] : conflicts) {
    std::string list;
    for (const std::string& k : keys) list += (list.empty() ? "'" : ", '") + k + "'";
    notes.push_back(cell_label + ": " + metric + " not pooled across its runs: attribute " + list +
                    " differs; one row per attribute set");
  }
  std::vector<Group> out;
  for (auto& [variant, runs] : by_variant) {
    Group g;
    g.coords = cell.coords;
    g.variant = variant;
    g.runs = runs;
    std::sort(g.runs.begin(), g.runs.end(), [](const RunRecord* a, const RunRecord* b) {
      return value_less(a->seed, b->seed) || (a->seed == b->seed && a->file < b->file);
    });
    for (const MetricRef& m : metrics) {
      std::vector<double> values;
      bool running = false;
      for (const RunRecord* r : g.runs) {
        const auto it = picked.find(r);
        if (it == picked.end() || it->second.count(m.full()) == 0) continue;
        values.push_back(it->second.at(m.full()).value);
        running = running || r->unfinished();
        if (!g.metric_attrs.count(m.full())) {
          if (const AttrMap* a = metric_attrs(*r, m)) g.metric_attrs[m.full()] = *a;
        }
      }
      Pooled p = pool(values);
      p.includes_running = running;
      g.metrics[m.full()] = std::move(p);
    }
    out.push_back(std::move(g));
  }
  return out;
}

// Notes for a metric whose attributes differ between rows (not pooled, but read with care).
void note_row_differences(const Analysis& a, std::vector<std::string>& notes) {
  for (const MetricRef& m : a.metrics) {
    std::map<std::string, std::set<std::string>> seen;
    for (const Group& g : a.groups) {
      const auto it = g.metric_attrs.find(m.full());
      if (it == g.metric_attrs.end()) continue;
      for (const auto& [k, v] : it->second) seen[k].insert(attr_to_string(v));
    }
    for (const auto& [k, values] : seen) {
      if (values.size() < 2 || k == "definition" || is_per_run_attribute(k)) continue;
      if (k == "classifier_sha256" && seen.count("classifier_id")) continue;  // the id identifies it
      std::string list;
      for (const std::string& v : values) list += (list.empty() ? "" : ", ") + v;
      notes.push_back(m.full() + ": attribute '" + k + "' differs between rows (" + list + ")");
    }
  }
}
}  // namespace

Analysis aggregate(const std::vector<RunRecord>& runs, const Query& query) {
  Analysis a;
  a.at = query.at;
  a.files = runs.size();
  std::vector<const RunRecord*> matched;
  for (const RunRecord& r : runs) {
    if (!r.error.empty()) {
      a.unreadable.push_back(&r);
    } else if (matches(r, query.where)) {
      matched.push_back(&r);
    }
  }
  a.matched = matched.size();
  a.metrics = query.metrics.empty() ? default_metrics(matched, a.notes) : query.metrics;
  if (query.by) check_axes(*query.by, matched);
  a.axes = query.by ? *query.by : default_axes(matched);
  std::map<std::vector<std::string>, Cell> cells;
  for (const RunRecord* r : matched) {
    std::vector<std::string> key, shown;
    for (const std::string& axis : a.axes) {
      const auto v = run_value(*r, axis);
      key.push_back(v ? canonical(*v) : kMissing);
      shown.push_back(v ? *v : kMissing);
    }
    Cell& c = cells[key];
    if (c.runs.empty()) c.coords = shown;
    c.runs.push_back(r);
  }
  for (const auto& [key, cell] : cells) {
    Group probe;
    probe.coords = cell.coords;
    for (Group& g : split_cell(cell, a.metrics, a.at, probe.label(a.axes), a.notes)) a.groups.push_back(std::move(g));
  }
  std::stable_sort(a.groups.begin(), a.groups.end(), [](const Group& x, const Group& y) {
    for (std::size_t i = 0; i < x.coords.size(); ++i) {
      if (value_less(x.coords[i], y.coords[i]) && !same_value(x.coords[i], y.coords[i])) return true;
      if (value_less(y.coords[i], x.coords[i]) && !same_value(x.coords[i], y.coords[i])) return false;
    }
    return x.variant < y.variant;
  });
  note_row_differences(a, a.notes);
  if (a.at.kind == AtKind::Best) {
    for (const MetricRef& m : a.metrics) {
      const AttrMap* attrs = nullptr;
      for (const Group& g : a.groups) {
        if (g.metric_attrs.count(m.full())) attrs = &g.metric_attrs.at(m.full());
      }
      a.notes.push_back("best " + m.full() + " = its " + (lower_is_better(m.name, attrs) ? "lowest" : "highest") +
                        " value (--at min / --at max to choose)");
    }
  }
  return a;
}

}  // namespace genlab::analysis
