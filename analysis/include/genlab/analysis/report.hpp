// The HTML report: one self-contained page (inline CSS, PNGs embedded as base64 data URIs)
// with the summary, the group table, paper references, excluded runs, plots, image sheets,
// provenance (genlab versions and commits, plugins, hosts) and every run. It opens in any
// browser from disk (with --watch it reloads itself by a meta refresh, still without script);
// it does not compute anything (it renders an Analysis).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "genlab/analysis/aggregate.hpp"
#include "genlab/analysis/compare.hpp"
#include "genlab/analysis/reference.hpp"
#include "genlab/table.hpp"

namespace genlab::analysis {

struct Figure {
  std::string title;
  std::filesystem::path png;  // embedded into the page
  std::string caption;
};

struct ReportInput {
  const Analysis* analysis = nullptr;
  const std::vector<Reference>* references = nullptr;
  const Statistics* statistics = nullptr;  // intervals and baseline tests, if computed
  std::vector<Figure> plots, sheets;
  std::vector<std::string> warnings;  // e.g. plots skipped: no gnuplot
  std::string command;                // the command line that made the report
  std::vector<std::string> inputs;    // results folders
  double refresh_s = 0;               // > 0: a meta refresh reloads the page (genlab analyze --watch)
};

// Writes <dir>/index.html (creating dir); returns its path. Throws genlab::Error on I/O failure.
std::filesystem::path write_report(const std::filesystem::path& dir, const ReportInput& input);

// HTML of a table (cells escaped), and helpers the report uses.
std::string html_table(const Table& t, const std::string& css_class = "");
std::string html_escape(const std::string& text);
std::string base64(const std::string& bytes);

// Distinct values of a root attribute over the analysed runs, with run counts ("host").
std::vector<std::pair<std::string, std::size_t>> attribute_values(const Analysis& a, const std::vector<std::string>& keys);

}  // namespace genlab::analysis
