// Cells: the runs of an experiment grid as the unit of cluster work. A cell is one RunSpec,
// named by its expansion index; its status comes from its run file and the run's lock
// (run_lock.hpp). Also: cell selections ("3,7-9") and index sets in the compact form of Slurm's
// --array ("0-3,7,9-12"). It runs nothing and talks to no scheduler (slurm.hpp, the executor do).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "genlab/spec.hpp"

namespace genlab {

// What the output folder says about a cell.
//   missing: no run file; running: its lock is held (detail: by whom);
//   interrupted: unfinished and nobody writes it (a re-run resumes from its checkpoint);
//   finished / diverged: done (a re-run skips it); failed: failed or unreadable (a re-run retries).
enum class CellState { Missing, Running, Interrupted, Finished, Diverged, Failed };
const char* cell_state_str(CellState state);

struct CellStatus {
  CellState state = CellState::Missing;
  std::string detail;  // lock holder, status message, or why the file is unreadable
};

CellStatus cell_status(const RunSpec& run);

// A cell is still to do unless it finished or diverged (both final).
bool cell_pending(CellState state);

// "3", "3,7-9", "0-2,5": sorted, unique indices, each < cell_count. Throws ConfigError naming
// `what` (the option) and the bad part.
std::vector<std::size_t> parse_cell_list(const std::string& text, std::size_t cell_count, const std::string& what);

// Sorted unique indices as Slurm's --array writes them: {0,1,2,3,7,9,10} -> "0-3,7,9-10".
std::string format_cell_ranges(const std::vector<std::size_t>& indices);

// The runs of `experiment` with these indices, in index order (indices must exist).
std::vector<const RunSpec*> runs_with_indices(const Experiment& experiment, const std::vector<std::size_t>& indices);

}  // namespace genlab
