// genlab cells / missing / submit --slurm and run --mpi: argument meaning, output formats and
// exit codes. Cell status, sbatch scripts and the MPI fan-out live in libgenlab.
#include "scale_commands.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>

#include "genlab/cells.hpp"
#include "genlab/error.hpp"
#include "genlab/table.hpp"
#ifdef GENLAB_HAVE_MPI
#include "genlab/mpi_grid.hpp"
#endif

namespace genlab::cli {

namespace fs = std::filesystem;

namespace {
std::string json_quote(const std::string& s) {
  std::string q = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      q += '\\';
      q += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      q += buf;
    } else {
      q += c;
    }
  }
  return q + "\"";
}

// Tabs and newlines would break a TSV row.
std::string tsv_field(std::string s) {
  for (char& c : s) c = (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
  return s;
}

void add_cells_options(CLI::App& sub, CellsArgs& a) {
  sub.add_option("experiment", a.experiment, "experiment TOML file")->required()->check(CLI::ExistingFile);
  sub.add_option("--set", a.sets, "override a key (repeatable), as for run");
}

std::string utc_stamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}
}  // namespace

namespace {
void print_cells_json(const Experiment& e, const std::vector<CellStatus>& status) {
  std::cout << "[";
  for (std::size_t i = 0; i < e.runs.size(); ++i) {
    const RunSpec& r = e.runs[i];
    std::cout << (i ? ",\n " : "\n ") << "{\"index\": " << r.index << ", \"run_id\": " << json_quote(r.run_id)
              << ", \"grid\": {";
    for (std::size_t k = 0; k < r.grid.size(); ++k) {
      std::cout << (k ? ", " : "") << json_quote(r.grid[k].first) << ": " << json_quote(r.grid[k].second);
    }
    std::cout << "}, \"status\": " << json_quote(cell_state_str(status[i].state))
              << ", \"detail\": " << json_quote(status[i].detail) << ", \"file\": " << json_quote(r.output_file.string())
              << "}";
  }
  std::cout << "\n]\n";
}

// index, run_id, one column per grid axis, status, detail
Table cells_table(const Experiment& e, const std::vector<CellStatus>& status) {
  Table t;
  t.header = {"index", "run_id"};
  if (!e.runs.empty()) {
    for (const auto& [axis, value] : e.runs.front().grid) t.header.push_back(axis);
  }
  t.header.insert(t.header.end(), {"status", "detail"});
  for (std::size_t i = 0; i < e.runs.size(); ++i) {
    std::vector<std::string> row{std::to_string(e.runs[i].index), e.runs[i].run_id};
    for (const auto& [axis, value] : e.runs[i].grid) row.push_back(value);
    row.push_back(cell_state_str(status[i].state));
    row.push_back(status[i].detail);
    t.rows.push_back(std::move(row));
  }
  return t;
}

void print_tsv(const Table& t) {
  for (std::size_t k = 0; k < t.header.size(); ++k) std::cout << (k ? "\t" : "") << tsv_field(t.header[k]);
  std::cout << "\n";
  for (const auto& row : t.rows) {
    for (std::size_t k = 0; k < row.size(); ++k) std::cout << (k ? "\t" : "") << tsv_field(row[k]);
    std::cout << "\n";
  }
}
}  // namespace

int cmd_cells(const CellsArgs& args) {
  const Experiment e = load_and_validate(args.experiment, args.sets);
  std::vector<CellStatus> status;
  for (const RunSpec& r : e.runs) status.push_back(cell_status(r));
  if (args.format == "json") {
    print_cells_json(e, status);
  } else if (args.format == "tsv") {
    print_tsv(cells_table(e, status));
  } else {
    std::cout << e.runs.size() << " cells of experiment '" << e.name << "':\n" << cells_table(e, status).render();
  }
  return kOk;
}

int cmd_missing(const CellsArgs& args) {
  const Experiment e = load_and_validate(args.experiment, args.sets);
  std::vector<std::size_t> todo;
  for (const RunSpec& r : e.runs) {
    if (cell_pending(cell_status(r).state)) todo.push_back(r.index);
  }
  if (todo.empty()) {
    std::cerr << "genlab: all " << e.runs.size() << " cells of '" << e.name << "' are finished or diverged\n";
    return kOk;
  }
  std::cout << format_cell_ranges(todo) << "\n";
  return kOk;
}

namespace {
// The pending cells, split into those to submit and those already running (lock) or queued (squeue).
struct SubmitPlan {
  std::vector<std::size_t> todo;
  std::size_t running = 0, queued = 0, done = 0;
};

SubmitPlan plan_submission(const Experiment& e, const std::vector<std::size_t>& queued) {
  SubmitPlan p;
  for (const RunSpec& r : e.runs) {
    const CellState s = cell_status(r).state;
    if (!cell_pending(s)) ++p.done;
    else if (s == CellState::Running) ++p.running;
    else if (std::binary_search(queued.begin(), queued.end(), r.index)) ++p.queued;
    else p.todo.push_back(r.index);
  }
  return p;
}

void write_script(const fs::path& script, const std::string& text) {
  std::ofstream out(script);
  out << text;
  out.close();
  if (!out) throw StoreError("cannot write the sbatch script " + script.string());
}

SlurmJob common_job(const SubmitArgs& args, const Experiment& e, const std::string& self_exe) {
  SlurmJob job;
  job.genlab = self_exe;
  job.experiment = fs::absolute(args.grid.experiment);
  job.sets = args.grid.sets;
  job.workdir = fs::current_path();
  job.log_dir = fs::absolute(e.output_dir / e.name / "slurm");
  job.job_name = slurm_job_name(e);
  job.options = args.options;
  return job;
}
}  // namespace

int cmd_submit(const SubmitArgs& args, const std::string& self_exe) {
  if (!args.slurm) throw ConfigError("submit: say which scheduler: --slurm (the only one supported)");
  if (!args.options.time.empty()) slurm_time_seconds(args.options.time);  // refuse a bad --time first
  const Experiment e = load_and_validate(args.grid.experiment, args.grid.sets);
  const SlurmJob common = common_job(args, e, self_exe);
  std::string warning;
  const SubmitPlan plan = plan_submission(e, slurm_queued_cells(common.job_name, &warning));
  if (!warning.empty()) std::cerr << "warning: " << warning << "\n";
  std::cout << "genlab: experiment '" << e.name << "': " << e.runs.size() << " cells, " << plan.todo.size()
            << " to submit (" << plan.running << " running, " << plan.queued << " queued, " << plan.done << " done)\n";
  if (plan.todo.empty()) return kOk;
  std::error_code ec;
  fs::create_directories(common.log_dir, ec);
  if (ec) throw StoreError("cannot create the Slurm log folder " + common.log_dir.string() + ": " + ec.message());
  const std::string stamp = utc_stamp();
  for (const SlurmJob& job : slurm_jobs(plan.todo, common)) {
    const std::string text = sbatch_script(job);
    const fs::path script = common.log_dir / ("submit-" + stamp + (job.offset ? "+" + std::to_string(job.offset) : "") + ".sbatch");
    write_script(script, text);
    if (args.dry_run) {
      std::cout << "dry run: would submit " << script.string() << " (cells " << format_cell_ranges(job.cells) << "):\n" << text;
      continue;
    }
    const std::string id = sbatch_submit(script);
    std::cout << "submitted job " << id << ": cells " << format_cell_ranges(job.cells) << " (" << job.cells.size()
              << " array tasks), logs in " << common.log_dir.string() << "\n"
              << "  watch: squeue -j " << id << "   or: genlab cells " << args.grid.experiment;
    for (const std::string& set : args.grid.sets) std::cout << " --set '" << set << "'";
    std::cout << "\n";
  }
  return kOk;
}

int cmd_run_mpi(const Experiment& experiment, const ExecutorOptions& options) {
#ifdef GENLAB_HAVE_MPI
  if (options.jobs > 1) throw ConfigError("--mpi runs one cell per rank at a time: start more ranks instead of --jobs");
  const std::optional<GridOutcome> outcome = run_grid_mpi(experiment, options);
  if (!outcome) return kOk;  // a worker rank: rank 0 reports
  return report_outcome(*outcome, true);
#else
  (void)experiment;
  (void)options;
  throw ConfigError(
      "--mpi: this genlab was built without MPI. Install Open MPI (Debian: apt-get install openmpi-bin "
      "libopenmpi-dev, or .ci/install-deps), then re-run cmake and rebuild; without MPI, use --jobs N, "
      "genlab submit --slurm or --shard K/N");
#endif
}

ScaleCli::ScaleCli(CLI::App& app, CLI::App& run, RunArgs& run_args) {
  run.add_option("--cell,--cells", run_args.cells, "run only these cells: 3 or 3,7-9 (indices as genlab cells lists them)");
  run.add_flag("--mpi", run_args.mpi, "under mpirun: rank 0 hands out cells to the other ranks, each cell in a child process");

  cells_ = app.add_subcommand("cells", "list every cell of a grid: index, run id, coordinates, status in the output folder");
  add_cells_options(*cells_, cells_args_);
  cells_->add_option("--format", cells_args_.format, "table, tsv or json")
      ->check(CLI::IsMember({"table", "tsv", "json"}))->capture_default_str();

  missing_ = app.add_subcommand("missing", "print the cells not finished, as Slurm's --array writes them (0-3,7,9-12)");
  add_cells_options(*missing_, missing_args_);

  submit_ = app.add_subcommand("submit", "submit the cells still to do as a Slurm job array (one task per cell)");
  add_cells_options(*submit_, submit_args_.grid);
  submit_->add_flag("--slurm", submit_args_.slurm, "submit to Slurm with sbatch")->required();
  submit_->add_option("--partition", submit_args_.options.partition, "sbatch --partition");
  submit_->add_option("--time", submit_args_.options.time, "sbatch --time per cell, e.g. 2:00:00 (SIGTERM 120 s, at most a tenth, before)");
  submit_->add_option("--cpus-per-task", submit_args_.options.cpus_per_task, "sbatch --cpus-per-task")->check(CLI::PositiveNumber);
  submit_->add_option("--mem", submit_args_.options.mem, "sbatch --mem, e.g. 4G");
  submit_->add_option("--max-parallel", submit_args_.options.max_parallel, "at most K cells at once (--array=...%K)")
      ->check(CLI::PositiveNumber);
  submit_->add_flag("--dry-run", submit_args_.dry_run, "write and print the sbatch script, submit nothing");
}

std::optional<int> ScaleCli::dispatch(const std::string& self_exe) const {
  if (*cells_) return cmd_cells(cells_args_);
  if (*missing_) return cmd_missing(missing_args_);
  if (*submit_) return cmd_submit(submit_args_, self_exe);
  return std::nullopt;
}

}  // namespace genlab::cli
