// The tables analyze prints: one row per group (coordinates, runs, "mean ± std (n)" per
// metric, paper value and difference), the runs kept out of the means, and one row per run.
// Markdown and LaTeX get combined cells; CSV gets one number per cell (mean, std, n columns).
// It does not compute statistics (aggregate.hpp, compare.hpp) or write files.
#pragma once
#include <string>
#include <vector>

#include "genlab/analysis/aggregate.hpp"
#include "genlab/analysis/compare.hpp"
#include "genlab/analysis/reference.hpp"
#include "genlab/table.hpp"

namespace genlab::analysis {

// Marks shown in cells and explained under the tables.
inline constexpr const char* kExcludedMark = "✗";  // diverged / failed / unreadable: not in the means
inline constexpr const char* kRunningMark = "*";   // includes running runs (values flushed so far)
inline constexpr const char* kSignificantMark = "†";  // differs from the baseline (Holm-corrected p < alpha)

// "95.31 ± 0.42 (3)": decimals from the std's second significant digit; "95.314 (1)" for n = 1
// (5 significant digits); "2 ± 0 (3)" when every value is the same.
std::string mean_std_cell(const Pooled& p);
// The mean's spelling in mean_std_cell (for differences: same decimals).
int decimals_for(const Pooled& p);

// With statistics: per metric its interval column and, with a baseline, the difference with its
// interval, the Holm-corrected p (marked when significant) and optionally the seeds needed.
Table group_table(const Analysis& a, const std::vector<Reference>& refs, TableFormat format,
                  const Statistics* st = nullptr);
// Diverged, failed, unknown-status and unreadable runs: run, cell, seed, status, message, file.
Table excluded_table(const Analysis& a);
// Every run of every group: run, cell, seed, status, step of the last evaluation, metric values.
Table runs_table(const Analysis& a, TableFormat format);

// "36 run files: 35 finished, 1 diverged; 12 groups by model.beta, model.latent_dim; ..."
std::string summary_line(const Analysis& a);
// Reference sources ([1] ...), the marks' meaning, and the analysis notes, one line each.
std::vector<std::string> footnotes(const Analysis& a, const std::vector<Reference>& refs, const Statistics* st = nullptr);

// Everything analyze prints to stdout for `format`. CSV is one parseable table: the groups, or
// with `list_runs` the runs; its summary and notes go to `side` (stderr) instead.
std::string render_analysis(const Analysis& a, const std::vector<Reference>& refs, TableFormat format,
                            bool list_runs, std::string* side, const Statistics* st = nullptr);

}  // namespace genlab::analysis
