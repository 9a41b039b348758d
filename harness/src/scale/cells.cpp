// Cell status, cell lists and Slurm array ranges. Status reads the run file's "status" attribute
// and asks the lock who (if anyone) writes it; a file that cannot be read is a failed cell with
// the reader's message, never a crash of the listing.
#include "genlab/cells.hpp"

#include <algorithm>
#include <charconv>

#include "genlab/error.hpp"
#include "genlab/run_lock.hpp"
#include "genlab/store.hpp"

namespace genlab {

const char* cell_state_str(CellState state) {
  switch (state) {
    case CellState::Missing: return "missing";
    case CellState::Running: return "running";
    case CellState::Interrupted: return "interrupted";
    case CellState::Finished: return "finished";
    case CellState::Diverged: return "diverged";
    case CellState::Failed: return "failed";
  }
  return "?";
}

bool cell_pending(CellState state) { return state != CellState::Finished && state != CellState::Diverged; }

CellStatus cell_status(const RunSpec& run) {
  const auto holder = run_lock_holder(run.output_file);
  std::error_code ec;
  if (!std::filesystem::exists(run.output_file, ec)) {
    if (holder) return {CellState::Running, holder->str()};
    return {CellState::Missing, ""};
  }
  std::string status, message;
  try {
    const RunSummary s = read_run(run.output_file);
    if (s.attrs.count("status")) status = attr_to_string(s.attrs.at("status"));
    if (s.attrs.count("status_message")) message = attr_to_string(s.attrs.at("status_message"));
  } catch (const Error& e) {
    if (holder) return {CellState::Running, holder->str()};  // being rewritten right now
    return {CellState::Failed, std::string("unreadable: ") + e.what()};
  }
  if (status == "finished") return {CellState::Finished, message};
  if (status == "diverged") return {CellState::Diverged, message};
  if (holder) return {CellState::Running, holder->str()};
  if (status == "failed") return {CellState::Failed, message};
  // "running" or "interrupted" with nobody writing it: stopped (signal, time limit, kill -9).
  return {CellState::Interrupted, message.empty() ? "not running; a re-run resumes it" : message};
}

namespace {
std::size_t parse_index(const std::string& part, const std::string& text, std::size_t cell_count,
                        const std::string& what) {
  std::size_t value = 0;
  const char* end = part.data() + part.size();
  const auto [ptr, err] = std::from_chars(part.data(), end, value);
  if (part.empty() || err != std::errc() || ptr != end) {
    throw ConfigError(what + ": '" + part + "' in '" + text + "' is not a cell index (expected e.g. 3,7-9)");
  }
  if (value >= cell_count) {
    throw ConfigError(what + ": cell " + part + " does not exist (the grid has " + std::to_string(cell_count) +
                      " cells: 0-" + std::to_string(cell_count - 1) + ")");
  }
  return value;
}
}  // namespace

std::vector<std::size_t> parse_cell_list(const std::string& text, std::size_t cell_count, const std::string& what) {
  std::vector<std::size_t> out;
  std::size_t from = 0;
  while (from <= text.size()) {
    std::size_t comma = text.find(',', from);
    if (comma == std::string::npos) comma = text.size();
    const std::string part = text.substr(from, comma - from);
    const std::size_t dash = part.find('-');
    if (dash == std::string::npos) {
      out.push_back(parse_index(part, text, cell_count, what));
    } else {
      const std::size_t a = parse_index(part.substr(0, dash), text, cell_count, what);
      const std::size_t b = parse_index(part.substr(dash + 1), text, cell_count, what);
      if (b < a) throw ConfigError(what + ": range '" + part + "' in '" + text + "' runs backwards");
      for (std::size_t i = a; i <= b; ++i) out.push_back(i);
    }
    from = comma + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string format_cell_ranges(const std::vector<std::size_t>& indices) {
  std::string s;
  for (std::size_t i = 0; i < indices.size();) {
    std::size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    if (!s.empty()) s += ",";
    s += std::to_string(indices[i]);
    if (j > i) s += "-" + std::to_string(indices[j]);
    i = j + 1;
  }
  return s;
}

std::vector<const RunSpec*> runs_with_indices(const Experiment& experiment, const std::vector<std::size_t>& indices) {
  std::vector<const RunSpec*> runs;
  const auto& all = experiment.runs;
  for (const std::size_t i : indices) {
    if (i < all.size() && all[i].index == i) {  // the usual case: runs in expansion order
      runs.push_back(&all[i]);
      continue;
    }
    const auto it = std::find_if(all.begin(), all.end(), [&](const RunSpec& r) { return r.index == i; });
    if (it == all.end()) throw ConfigError("no cell " + std::to_string(i) + " in " + experiment.file.string());
    runs.push_back(&*it);
  }
  return runs;
}

}  // namespace genlab
