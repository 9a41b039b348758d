// Metric references, evaluation-point selection (final, best, min, max, epoch:N, step:N),
// --where filters and numeric-aware comparison of grid values. It reads only what a run
// record already holds; nothing here touches files.
#include "genlab/analysis/select.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "genlab/error.hpp"

namespace genlab::analysis {

MetricRef parse_metric(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    if (text.empty()) throw ConfigError("--metric: empty metric name");
    return {"eval", text};
  }
  MetricRef m{text.substr(0, slash), text.substr(slash + 1)};
  if ((m.group != "eval" && m.group != "train") || m.name.empty()) {
    throw ConfigError("--metric " + text + ": expected eval/<name> or train/<name>");
  }
  return m;
}

At parse_at(const std::string& text) {
  if (text == "final") return {AtKind::Final, 0};
  if (text == "best") return {AtKind::Best, 0};
  if (text == "min") return {AtKind::Min, 0};
  if (text == "max") return {AtKind::Max, 0};
  const auto colon = text.find(':');
  if (colon != std::string::npos) {
    const std::string kind = text.substr(0, colon);
    const auto value = as_number(text.substr(colon + 1));
    if (value && *value >= 0 && (kind == "epoch" || kind == "step")) {
      return {kind == "epoch" ? AtKind::Epoch : AtKind::Step, *value};
    }
  }
  throw ConfigError("--at " + text + ": expected final, best, min, max, epoch:N or step:N");
}

std::string at_str(const At& at) {
  char buf[64];
  switch (at.kind) {
    case AtKind::Final: return "final";
    case AtKind::Best: return "best";
    case AtKind::Min: return "min";
    case AtKind::Max: return "max";
    case AtKind::Epoch: std::snprintf(buf, sizeof buf, "epoch:%g", at.where); return buf;
    case AtKind::Step: std::snprintf(buf, sizeof buf, "step:%g", at.where); return buf;
  }
  return "?";
}

bool lower_is_better(const std::string& name, const AttrMap* attrs) {
  if (attrs != nullptr) {
    const auto it = attrs->find("better");
    if (it != attrs->end()) return attr_to_string(it->second) == "lower";
  }
  auto has = [&](const char* token) { return name.find(token) != std::string::npos; };
  for (const char* token : {"neg_", "loss", "nll", "kl", "bce", "mse", "mae", "error", "err", "fid", "dist",
                            "recon", "bpd", "bits", "perplexity"}) {
    if (has(token)) return true;
  }
  for (const char* token : {"acc", "elbo", "iwae", "coverage", "precision", "recall", "active", "quality",
                            "likelihood", "parzen", "ll"}) {
    if (has(token)) return false;
  }
  return true;
}

namespace {
const std::map<std::string, std::vector<double>>& columns_of(const RunSummary& run, const MetricRef& metric) {
  return metric.group == "train" ? run.train : run.eval;
}

const std::vector<double>* column(const RunSummary& run, const MetricRef& metric, const std::string& name) {
  const auto& cols = columns_of(run, metric);
  const auto it = cols.find(name);
  return it == cols.end() ? nullptr : &it->second;
}

double at_or_nan(const std::vector<double>* v, std::size_t i) {
  return v != nullptr && i < v->size() ? (*v)[i] : std::numeric_limits<double>::quiet_NaN();
}
}  // namespace

std::optional<Picked> pick(const RunSummary& run, const MetricRef& metric, const At& at) {
  const std::vector<double>* values = column(run, metric, metric.name);
  if (values == nullptr) return std::nullopt;
  const std::vector<double>* steps = column(run, metric, "step");
  const std::vector<double>* epochs = column(run, metric, "epoch");
  const std::vector<double>* position = at.kind == AtKind::Step ? steps : epochs;
  if (at.kind == AtKind::Epoch || at.kind == AtKind::Step) {  // has the run got there?
    double reached = -1;
    for (std::size_t i = 0; position != nullptr && i < position->size(); ++i) reached = std::max(reached, (*position)[i]);
    if (reached < at.where - 1e-9) return std::nullopt;
  }
  bool lower = at.kind == AtKind::Min;
  if (at.kind == AtKind::Best) {
    const auto attrs = run.eval_attrs.find(metric.name);
    lower = lower_is_better(metric.name, metric.group == "eval" && attrs != run.eval_attrs.end() ? &attrs->second : nullptr);
  }
  std::optional<std::size_t> chosen;
  for (std::size_t i = 0; i < values->size(); ++i) {
    const double v = (*values)[i];
    if (!std::isfinite(v)) continue;
    switch (at.kind) {
      case AtKind::Final: chosen = i; break;
      case AtKind::Epoch:
      case AtKind::Step:
        if (at_or_nan(position, i) <= at.where + 1e-9) chosen = i;
        break;
      case AtKind::Best:
      case AtKind::Min:
      case AtKind::Max: {
        const bool want_lower = at.kind == AtKind::Max ? false : lower;
        if (!chosen || (want_lower ? v < (*values)[*chosen] : v > (*values)[*chosen])) chosen = i;
        break;
      }
    }
  }
  if (!chosen) return std::nullopt;
  const double step = at_or_nan(steps, *chosen);
  return Picked{(*values)[*chosen], std::isfinite(step) ? static_cast<std::int64_t>(step) : -1, at_or_nan(epochs, *chosen)};
}

std::vector<std::pair<double, double>> series_of(const RunSummary& run, const MetricRef& metric, const std::string& x) {
  std::vector<std::pair<double, double>> out;
  const std::vector<double>* values = column(run, metric, metric.name);
  const std::vector<double>* xs = column(run, metric, x);
  if (values == nullptr || xs == nullptr) return out;
  for (std::size_t i = 0; i < values->size() && i < xs->size(); ++i) {
    if (std::isfinite((*values)[i]) && std::isfinite((*xs)[i])) out.emplace_back((*xs)[i], (*values)[i]);
  }
  return out;
}

namespace {
// Splits on commas outside brackets, so "[400, 200]" stays one value.
std::vector<std::string> split_values(const std::string& text) {
  std::vector<std::string> out(1);
  int depth = 0;
  for (char c : text) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ',' && depth == 0) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::string without_spaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ') out += c;
  }
  return out;
}
}  // namespace

Condition parse_condition(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || (eq == 1 && text[0] == '!')) {
    throw ConfigError("--where " + text + ": expected key=value[,value...] or key!=value[,value...]");
  }
  Condition c;
  c.negate = text[eq - 1] == '!';
  c.key = text.substr(0, c.negate ? eq - 1 : eq);
  c.values = split_values(text.substr(eq + 1));
  return c;
}

std::optional<std::string> run_value(const RunRecord& run, const std::string& key) {
  if (const auto it = run.data.grid.find(key); it != run.data.grid.end()) return it->second;
  if (key == "status") return run.status;
  if (key == "run_id") return run.run_id;
  if (key == "seed" && !run.seed.empty()) return run.seed;
  if (const auto it = run.data.attrs.find(key); it != run.data.attrs.end()) return attr_to_string(it->second);
  return std::nullopt;
}

bool matches(const RunRecord& run, const std::vector<Condition>& conditions) {
  for (const Condition& c : conditions) {
    const auto v = run_value(run, c.key);
    bool any = false;
    for (const std::string& want : c.values) any = any || (v && same_value(*v, want));
    if (any == c.negate) return false;
  }
  return true;
}

std::optional<double> as_number(const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return v;
}

bool same_value(const std::string& a, const std::string& b) {
  const auto x = as_number(a), y = as_number(b);
  if (x && y) return *x == *y;
  if (!a.empty() && a[0] == '[') return without_spaces(a) == without_spaces(b);
  return a == b;
}

bool value_less(const std::string& a, const std::string& b) {
  const auto x = as_number(a), y = as_number(b);
  if (x && y) return *x < *y || (*x == *y && a < b);
  if (x || y) return x.has_value();  // numbers first
  return a < b;
}

}  // namespace genlab::analysis
