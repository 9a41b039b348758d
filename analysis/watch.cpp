// The watch loop: a signature of the run files (path, size, modification time) is taken every
// period, and run_analyze is rerun when it changes. Each round is a complete analysis, so the
// report is never a patch of an older one; the report itself is written by write_report.
#include "genlab/analysis/watch.hpp"

#include <chrono>
#include <filesystem>
#include <thread>

#include "genlab/analysis/scan.hpp"
#include "genlab/analysis/select.hpp"
#include "genlab/error.hpp"

namespace genlab::analysis {

namespace fs = std::filesystem;

namespace {
std::string signature(const std::vector<fs::path>& inputs) {
  std::string out;
  std::error_code ec;
  for (const fs::path& f : find_run_files(inputs)) {
    const auto size = fs::file_size(f, ec);
    const auto time = fs::last_write_time(f, ec).time_since_epoch().count();
    out += f.string() + "|" + std::to_string(ec ? 0 : size) + "|" + std::to_string(ec ? 0 : time) + "\n";
  }
  return out;
}
}  // namespace

double parse_watch_seconds(const std::string& text) {
  if (text.empty()) return 5.0;
  const auto x = as_number(text);
  if (!x || !(*x > 0) || *x > 86400) throw ConfigError("--watch " + text + ": expected a period in seconds (0 < SECONDS <= 86400)");
  return *x;
}

int watch_analyze(const AnalyzeOptions& o, std::ostream& out, std::ostream& err, const std::function<bool()>& stop) {
  if (o.report_dir.empty()) throw ConfigError("--watch: needs --report DIR (the page it keeps rewriting)");
  if (!(o.watch_s > 0)) throw ConfigError("--watch " + std::to_string(o.watch_s) + ": expected a period in seconds > 0");
  std::vector<fs::path> inputs(o.inputs.begin(), o.inputs.end());
  if (inputs.empty()) inputs.push_back("results");
  std::string last;
  bool first = true;
  while (!stop()) {
    std::string now;
    try {
      now = signature(inputs);
    } catch (const ConfigError& e) {
      if (first) throw;  // an input that does not exist at all
      err << "watch: " << e.what() << "\n";
    }
    if (first || now != last) {
      try {
        run_analyze(o, out, err);
        err << "watch: report rewritten; next check in " << o.watch_s << " s (Ctrl-C stops)\n";
      } catch (const ConfigError&) {
        if (first) throw;
      } catch (const std::exception& e) {
        err << "watch: this round failed (" << e.what() << "); retrying at the next change\n";
      }
      last = now;
      first = false;
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.watch_s);
    while (!stop() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

}  // namespace genlab::analysis
