// Grouping runs by grid coordinates and pooling seeds: one Group per cell of the chosen axes
// (and per set of compatible metric attributes), holding every run of the cell and, for each
// metric, the mean, sample standard deviation and count over the finished and running runs.
// Diverged, failed and unknown-status runs stay in their group, marked, outside the means.
// It does not format anything (tables.hpp) and does not read files (scan.hpp).
#pragma once
#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "genlab/analysis/scan.hpp"
#include "genlab/analysis/select.hpp"

namespace genlab::analysis {

// Mean and standard deviation of one metric over the seeds of a group.
struct Pooled {
  std::vector<double> values;  // one per run that has the metric, in the group's run order
  double mean = std::numeric_limits<double>::quiet_NaN();
  double std = std::numeric_limits<double>::quiet_NaN();  // sample std (n - 1); NaN when n < 2
  bool includes_running = false;  // a running run contributed (a value so far)
  std::size_t n() const { return values.size(); }
};
Pooled pool(const std::vector<double>& values);

struct Group {
  std::vector<std::string> coords;  // one value per Analysis::axes; "-" where a run lacks the axis
  std::string variant;              // "" or the metric attributes that set this group apart
  std::vector<const RunRecord*> runs;           // every run of the group, by seed
  std::map<std::string, Pooled> metrics;        // by MetricRef::full()
  std::map<std::string, AttrMap> metric_attrs;  // attributes of the pooled values
  std::size_t count(const std::string& status) const;
  std::size_t pooled_runs() const;
  // "model.beta=0.5 model.latent_dim=2" (+ " [variant]"); "all runs" with no axes.
  std::string label(const std::vector<std::string>& axes, bool short_keys = false) const;
};

struct Query {
  std::optional<std::vector<std::string>> by;  // nullopt: every axis that varies, seed excluded
  std::vector<Condition> where;
  std::vector<MetricRef> metrics;              // empty: every /eval metric found (val_* ones only
                                               // when there are no others)
  At at;
};

// Points into the RunRecords it was built from: keep them alive as long as the Analysis.
struct Analysis {
  std::vector<std::string> axes;
  std::vector<MetricRef> metrics;
  At at;
  std::vector<Group> groups;                 // sorted by coordinates (numbers by value)
  std::vector<const RunRecord*> unreadable;  // files that could not be read (no coordinates)
  std::size_t files = 0;                     // run files scanned
  std::size_t matched = 0;                   // readable runs that passed --where
  std::vector<std::string> notes;            // metric attribute conflicts, direction of "best"
  std::size_t count(const std::string& status) const;  // over the groups' runs
};

// Throws ConfigError for a --by axis no run has (with the nearest existing key).
Analysis aggregate(const std::vector<RunRecord>& runs, const Query& query);

// "beta" for "model.beta" when no other axis has that last part.
std::string short_key(const std::string& key, const std::vector<std::string>& axes);

}  // namespace genlab::analysis
