// Slurm job arrays for an experiment grid: one array task = one cell (`genlab run --cell`), the
// array = the cells still to do, throttled with %K, logs in <results>/<experiment>/slurm/.
// It writes sbatch scripts and calls sbatch/squeue as child processes; it schedules nothing itself
// and never waits for a job (watch with squeue, or `genlab cells`).
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "genlab/spec.hpp"

namespace genlab {

struct SlurmOptions {
  std::string partition, time, mem;  // "" = the cluster's default
  int cpus_per_task = 0;             // 0 = default
  int max_parallel = 0;              // the array's %K throttle; 0 = none
  int term_grace_s = 120;            // with --time: SIGTERM this long before the limit (checkpoint),
                                     // at most a tenth of the limit
};

// What one sbatch script runs.
struct SlurmJob {
  std::filesystem::path genlab;      // absolute path of this genlab binary
  std::filesystem::path experiment;  // absolute path of the experiment file
  std::vector<std::string> sets;     // --set overrides, passed on to every task
  std::filesystem::path workdir;     // where the experiment's relative paths resolve (--chdir)
  std::filesystem::path log_dir;     // <results>/<experiment>/slurm
  std::string job_name;              // genlab-<experiment>-<grid hash>
  std::vector<std::size_t> cells;    // cell indices of this array
  std::size_t offset = 0;            // cell = SLURM_ARRAY_TASK_ID + offset (MaxArraySize)
  SlurmOptions options;
};

// Seconds of a Slurm time limit: "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S"; 0 for no limit
// ("0", "UNLIMITED", "infinite"). Throws ConfigError
// naming --time for anything else (sbatch would refuse it only after the scripts are written).
long slurm_time_seconds(const std::string& text);

// Slurm's default MaxArraySize is 1001: task ids must be <= 1000.
inline constexpr std::size_t kSlurmMaxArrayIndex = 1000;

// The jobs that run `cells` (sorted): `common` with its cells, one job per block of
// kSlurmMaxArrayIndex + 1 indices (a block's job name ends in "+<offset>").
std::vector<SlurmJob> slurm_jobs(const std::vector<std::size_t>& cells, const SlurmJob& common);

// "genlab-<experiment>-<8 hex of the run ids>": the same for every submission of one grid.
std::string slurm_job_name(const Experiment& experiment);

// The sbatch script of one job (bash; #SBATCH lines; exec genlab run ... --cell N).
std::string sbatch_script(const SlurmJob& job);

// Submits `script` with `sbatch --parsable`; returns the job id. Throws Error with sbatch's output.
std::string sbatch_submit(const std::filesystem::path& script);

// Cells of jobs named `job_name` that squeue lists as pending or running (so a re-submission
// does not queue them twice). Empty if squeue is absent or fails (*warning says why).
std::vector<std::size_t> slurm_queued_cells(const std::string& job_name, std::string* warning);

// Runs argv (argv[0] looked up in PATH) and returns its exit code; stdout+stderr into *output.
// Returns 127 if it cannot be started.
int run_capture(const std::vector<std::string>& argv, std::string* output);

}  // namespace genlab
