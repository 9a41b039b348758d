// Experiment files over the "tiny" fixture plugin (tests/fixtures/tiny_plugin.cpp) on ring8:
// milliseconds per run, no data files, for the tests of cells, locks, Slurm and MPI.
// It decides nothing about what a test expects.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_helpers.hpp"

namespace genlab::testing {

// Writes `file`, experiment `name`: 40 steps of batch 32 on 256 ring8 points, evaluation every 20 steps,
// a checkpoint every 10, results in `out`, seeds `seeds`, then `grid` (e.g. a [grid.product]
// table) verbatim.
inline std::string tiny_grid(const fs::path& file, const std::string& name, const fs::path& out, const std::string& grid,
                             const std::string& seeds = "[0]", int steps = 40) {
  return write_file(file, R"([experiment]
name = ")" + name + R"("
output = ")" + out.string() + R"("
seeds = )" + seeds + R"(
[data]
name = "ring8"
limit = 256
[model]
plugin = "tiny"
path = ")" + std::string(GENLAB_TEST_PLUGIN_DIR) + R"(/libgenlab_tiny.so"
[train]
steps = )" + std::to_string(steps) + R"(
batch_size = 32
[eval]
every_steps = 20
samples = 0
iwae_k = 0
[run]
checkpoint_every_steps = 10
checkpoint_every_epochs = 0
log_every_steps = 100
)" + grid);
}

// Two widths; with seeds "[0, 1]" the 4-cell grid most tests use.
inline const char* kTinyWidths = "[grid.product]\n\"model.width\" = [4, 8]\n";

// `genlab cells EXP --format tsv` (+ extra arguments) as rows of column -> value; empty if it failed.
inline std::vector<std::map<std::string, std::string>> cell_rows(const std::string& exp, const std::string& extra = "") {
  const CommandResult r = run_cli("cells " + exp + " --format tsv" + extra);
  std::vector<std::map<std::string, std::string>> rows;
  if (r.exit_code != 0) return rows;
  std::istringstream in(r.output);
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::string f;
    std::istringstream cols(line);
    while (std::getline(cols, f, '\t')) fields.push_back(f);
    if (!line.empty() && line.back() == '\t') fields.push_back("");
    if (header.empty()) {
      header = fields;
      continue;
    }
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// Where cell `i` of cell_rows() writes: <out>/<experiment>/<run id>.h5.
inline fs::path cell_file(const std::vector<std::map<std::string, std::string>>& rows, std::size_t i,
                          const fs::path& out, const std::string& experiment) {
  return out / experiment / (rows.at(i).at("run_id") + ".h5");
}

// This machine's host name, as run locks record it.
inline std::string host_name() {
  char h[256] = {};
  ::gethostname(h, sizeof h - 1);
  return h;
}

// The counts of `genlab run`'s summary line ("4 runs: 2 finished, 1 already finished, ...").
struct RunCounts {
  int runs = -1, finished = -1, already = -1, diverged = -1, interrupted = -1, failed = -1, taken = 0;
};
inline RunCounts run_counts(const std::string& output) {
  RunCounts c;
  const auto at = output.rfind(" runs: ");
  if (at == std::string::npos) return c;
  const auto start = output.rfind('\n', at);
  const std::string line = output.substr(start == std::string::npos ? 0 : start + 1);
  std::sscanf(line.c_str(), "%d runs: %d finished, %d already finished, %d diverged, %d interrupted, %d failed, %d taken",
              &c.runs, &c.finished, &c.already, &c.diverged, &c.interrupted, &c.failed, &c.taken);
  return c;
}

}  // namespace genlab::testing
