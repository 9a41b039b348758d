// `genlab analyze RESULTS_DIR...`: scan run files, group by grid coordinates, pool seeds, print
// a table (Markdown, CSV or LaTeX) with paper references, write plots, image sheets and an HTML
// report. The option reference with examples is analysis/README.md. The pieces are usable on
// their own: genlab/analysis/{scan,select,aggregate,reference,tables,plots,sheets,report}.hpp.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "genlab/table.hpp"

namespace genlab::analysis {

struct AnalyzeOptions {
  std::vector<std::string> inputs;    // results folders or run files
  std::string by;                     // "model.beta,model.latent_dim"; "" = every axis that varies; "none"
  std::vector<std::string> where;     // "model.arch=conv", "status!=running"
  std::vector<std::string> metrics;   // "eval/neg_elbo"; empty = every /eval metric but val_*
  std::string at = "final";           // final | best | min | max | epoch:N | step:N
  std::string format = "md";          // md | csv | latex
  std::string experiment;             // experiment TOML whose [reference] table gives paper numbers
  bool list_runs = false;             // also list every run
  std::vector<std::string> curves;    // learning-curve plots of these metrics
  std::string x = "epoch";            // curves' x axis: epoch | step
  std::vector<std::string> versus;    // plots of each metric against these axes
  std::vector<std::string> sheets;    // image sheets of these image names
  std::string out_dir;                // PNG folder; "" = <report_dir> or ./genlab-analysis
  std::string report_dir;             // write <report_dir>/index.html
  unsigned threads = 0;               // file readers; 0 = 1; HDF5 serialises readers
  std::string ci = "t";               // interval of the mean: t | bootstrap | none
  std::vector<std::string> baseline;  // "model.beta=1" (one per axis): Welch tests against that cell
  bool seeds_needed = false;          // seeds each comparison needs for 80 % power
  double watch_s = 0;                 // > 0: the report reloads itself every watch_s seconds (--watch)
  std::string command;                // the command line, recorded in the report
};

// "md"/"markdown", "csv", "latex"/"tex"; throws ConfigError otherwise.
TableFormat parse_format(const std::string& text);

// Runs the whole command: tables to `out`, progress, warnings and file names to `err`. Returns
// 0, or 1 when no run file was found. Throws ConfigError for bad options.
int run_analyze(const AnalyzeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace genlab::analysis
