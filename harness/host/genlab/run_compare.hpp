// Comparing two run files, or a run file with its re-execution: the config keys that differ
// (flattened TOML), the provenance that differs (commit, plugin hash, compiler, BLAS, float
// mode, threads, host), the final /eval values side by side, and the first step where two
// metric series part ways, bit for bit. `genlab diff` prints these; `genlab verify` uses them
// to say what differs and why it may. It reads RunSummary values only; it runs nothing.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "genlab/store.hpp"

namespace genlab {

// One key whose value differs; "" stands for "absent".
struct ValueDifference {
  std::string key, a, b;
};

// Keys of the two TOML texts (dotted, "model.beta") whose values differ, sorted. Throws
// ConfigError naming `origin_a`/`origin_b` if a text is not TOML.
std::vector<ValueDifference> config_differences(const std::string& toml_a, const std::string& toml_b,
                                                const std::string& origin_a = "A", const std::string& origin_b = "B");

// The root attributes that describe how a run was made, in display order.
const std::vector<std::string>& provenance_keys();
// What a difference in provenance attribute `key` can do to the bits, for messages.
std::string provenance_effect(const std::string& key);
// Provenance attributes (provenance_keys()) that differ, in that order.
std::vector<ValueDifference> provenance_differences(const AttrMap& a, const AttrMap& b);

// The first step at which two series tables (RunSummary::train or ::eval) differ, aligned by
// their "step" column: a value whose bits differ (NaN equals NaN of the same bits), or a metric
// one side has and the other lacks at that step. Columns in `ignore` (timings) are skipped;
// steps above `max_step` (if >= 0) are not compared.
struct SeriesDivergence {
  std::int64_t step = 0;
  std::string metric;  // the first differing column (by name) at that step
  std::optional<double> a, b;  // nullopt: absent on that side
  std::vector<std::string> others;  // further columns that differ at the same step
};
std::optional<SeriesDivergence> first_divergence(const std::map<std::string, std::vector<double>>& a,
                                                 const std::map<std::string, std::vector<double>>& b,
                                                 const std::set<std::string>& ignore = {"samples_per_s"},
                                                 std::int64_t max_step = -1);
// Steps present in both tables (aligned by "step"), up to max_step if >= 0.
std::size_t common_steps(const std::map<std::string, std::vector<double>>& a,
                         const std::map<std::string, std::vector<double>>& b, std::int64_t max_step = -1);

// The last finite value of every /eval metric (step and epoch excluded).
std::map<std::string, double> final_eval_values(const RunSummary& run);

// "0.12345678901234568 (0x3fbf9add3746f65f)": a value with every bit shown.
std::string exact_value(double v);

}  // namespace genlab
