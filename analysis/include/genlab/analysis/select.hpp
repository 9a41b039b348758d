// What to read from each run: a metric ("eval/neg_elbo", "train/loss"), at which point of its
// series (final, best, min, max, epoch:N, step:N), and which runs (--where filters on grid
// coordinates and run attributes). Grid values are compared as numbers when both sides are
// numbers ("1" == "1.0"). It does not pool values (aggregate.hpp does).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genlab/analysis/scan.hpp"

namespace genlab::analysis {

struct MetricRef {
  std::string group;  // "eval" or "train"
  std::string name;   // "neg_elbo"
  std::string full() const { return group + "/" + name; }
  bool operator==(const MetricRef&) const = default;
};
// "neg_elbo" -> eval/neg_elbo, "train/loss" -> train/loss. Throws ConfigError for another group.
MetricRef parse_metric(const std::string& text);

enum class AtKind { Final, Best, Min, Max, Epoch, Step };
struct At {
  AtKind kind = AtKind::Final;
  double where = 0;  // the epoch or step of Epoch / Step
};
// "final" | "best" | "min" | "max" | "epoch:N" | "step:N"; throws ConfigError otherwise.
At parse_at(const std::string& text);
std::string at_str(const At& at);

// True when smaller values of the metric are better: from its attribute "better"
// ("lower"/"higher") if present, else from its name (loss, neg_*, kl, bce, mse, error, fid,
// distance ... are lower-is-better; everything else higher-is-better).
bool lower_is_better(const std::string& name, const AttrMap* attrs);

// One value of one run's series.
struct Picked {
  double value = 0;
  std::int64_t step = 0;
  double epoch = 0;
};
// The value of `metric` in `run` at `at`, over the rows where it is finite (rows of other
// splits or of metrics computed only at the final evaluation are NaN). Epoch/Step: the last
// value at or before that point, provided the run got there. nullopt when there is none.
std::optional<Picked> pick(const RunSummary& run, const MetricRef& metric, const At& at);
// The finite (x, value) pairs of a series, x = "epoch" or "step".
std::vector<std::pair<double, double>> series_of(const RunSummary& run, const MetricRef& metric, const std::string& x);

// A --where condition: key=v1,v2 (any of) or key!=v1,v2 (none of).
struct Condition {
  std::string key;
  bool negate = false;
  std::vector<std::string> values;
};
Condition parse_condition(const std::string& text);
bool matches(const RunRecord& run, const std::vector<Condition>& conditions);

// A run's value for a grid axis, or else for a root attribute (experiment, plugin, status...);
// nullopt when it has neither.
std::optional<std::string> run_value(const RunRecord& run, const std::string& key);

// Numeric-aware comparison of coordinate values: numbers by value, before any text.
bool same_value(const std::string& a, const std::string& b);
bool value_less(const std::string& a, const std::string& b);
std::optional<double> as_number(const std::string& text);

}  // namespace genlab::analysis
