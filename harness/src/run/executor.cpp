// Grid execution: one child process per cell (posix_spawn of this program with "--only <run id>",
// N at once with --jobs N), each reporting through its run file, or in-process (--in-process);
// every run under its lock (run_lock.hpp), so a run another process writes is skipped. A stop
// request is forwarded to the children, which checkpoint and stop. It never trains itself.
#include "genlab/executor.hpp"

#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <ostream>

#include "genlab/cells.hpp"
#include "genlab/error.hpp"
#include "genlab/loader.hpp"
#include "genlab/portable.hpp"
#include "genlab/reference_classifier.hpp"
#include "genlab/run_lock.hpp"
#include "genlab/store.hpp"
#include "run/provenance.hpp"

extern char** environ;

namespace genlab {

namespace fs = std::filesystem;

std::size_t GridOutcome::count(RunStatus status) const {
  std::size_t n = 0;
  for (const auto& [spec, r] : results) n += r.status == status;
  return n;
}

namespace {
// A missing classifier file would fail every cell at its first evaluation (or, with --jobs,
// in every child): say so once, before anything runs. Its content is checked at run start.
void require_classifier_files(const std::filesystem::path& file, const Experiment& e) {
  for (const RunSpec& run : e.runs) {
    if (!run.eval.classifier.empty()) require_classifier_file(run.eval.classifier, file.string() + ": ");
  }
}
}  // namespace

Experiment load_and_validate(const std::filesystem::path& file, const std::vector<std::string>& sets) {
  std::map<std::string, ModelDescription> descriptions;
  Experiment e = load_experiment(file, sets, [&](const RunSpec& run) {
    const std::string key = run.plugin + "|" + run.plugin_path.string();
    auto it = descriptions.find(key);
    if (it == descriptions.end()) {
      try {
        it = descriptions.emplace(key, load_plugin(run.plugin, run.plugin_path).info().description).first;
      } catch (const PluginError& error) {  // name where the plugin was asked for
        throw PluginError(run.plugin_at.prefix() + error.what());
      }
    }
    check_optimizer_groups(run, it->second.optimizer_groups);  // [train.optimizer.<group>] typos
    return it->second.schema;
  });
  require_classifier_files(file, e);
  return e;
}

namespace {

// A run whose lock another process holds (or held): done if its file says so, else taken.
RunResult taken_or_done(const RunSpec& spec, const std::optional<LockHolder>& holder) {
  RunResult r;
  r.file = spec.output_file;
  const CellStatus c = cell_status(spec);
  if (c.state == CellState::Finished || c.state == CellState::Diverged) {
    r.status = c.state == CellState::Finished ? RunStatus::AlreadyFinished : RunStatus::Diverged;
    r.message = c.detail;
  } else {
    r.status = RunStatus::Taken;
    r.message = holder ? run_taken_message(spec.run_id, *holder)
                       : "run " + spec.run_id + " was being written by another process";
  }
  return r;
}

// How a child ended, for messages: "exited with code 4", "killed by SIGSEGV (Segmentation fault)".
std::string child_end(int wait_status) {
  if (WIFSIGNALED(wait_status)) return "killed by " + signal_name(WTERMSIG(wait_status));
  return "exited with code " + std::to_string(WEXITSTATUS(wait_status));
}

// A child stopped by a stop signal (ours, forwarded, or the cluster's) is interrupted, not failed.
bool stopped_by_signal(int wait_status) {
  if (!WIFSIGNALED(wait_status)) return false;
  const int sig = WTERMSIG(wait_status);
  return sig == SIGINT || sig == SIGTERM || sig == SIGHUP;
}

// When `file` was last written (nullopt: it does not exist); a stat, safe on any file.
std::optional<fs::file_time_type> written_at(const fs::path& file) {
  std::error_code ec;
  const fs::file_time_type t = fs::last_write_time(file, ec);
  return ec ? std::nullopt : std::optional<fs::file_time_type>(t);
}

// The outcome of a child's run, read back from its run file (`before`: its write time when the
// child started, so a run finished by an earlier invocation counts as already finished).
RunResult result_from_file(const RunSpec& spec, int wait_status, std::optional<fs::file_time_type> before) {
  // The child skipped it: its file is another process's (finished meanwhile, perhaps), not its result.
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == kTakenExitCode) {
    return taken_or_done(spec, run_lock_holder(spec.output_file));
  }
  RunResult r;
  r.file = spec.output_file;
  std::string status = "missing";
  try {
    const RunSummary s = read_run_isolated(spec.output_file);  // the cell may have left it corrupt
    status = s.attrs.count("status") ? attr_to_string(s.attrs.at("status")) : "?";
    if (s.attrs.count("status_message")) r.message = attr_to_string(s.attrs.at("status_message"));
    for (const auto& [k, v] : s.eval) {
      if (!v.empty() && k != "step" && k != "epoch") r.final_eval[k] = v.back();
    }
  } catch (const Error& e) {
    r.message = e.what();
  }
  const bool found_finished = WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == kAlreadyFinishedExitCode;
  const bool clean_exit = (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) || found_finished;
  const bool untouched = found_finished || (before && before == written_at(spec.output_file));
  if (status == "finished") r.status = untouched ? RunStatus::AlreadyFinished : RunStatus::Finished;
  else if (status == "diverged") r.status = RunStatus::Diverged;
  else if (status == "interrupted" || stopped_by_signal(wait_status)) r.status = RunStatus::Interrupted;
  else if (status == "running" && clean_exit) r.status = RunStatus::Interrupted;
  else r.status = RunStatus::Failed;
  if (WIFSIGNALED(wait_status)) {
    r.message = "cell process " + child_end(wait_status);
  } else if (r.status == RunStatus::Failed && r.message.empty()) {
    r.message = "cell process " + child_end(wait_status) + (status == "missing" ? " before writing its run file" : "");
  }
  // A crash or a stop at once leaves "running" in the file: record how it ended, so analyze shows it.
  if (status == "running" && (r.status == RunStatus::Failed || r.status == RunStatus::Interrupted)) {
    try {
      LockHolder holder;
      const auto lock = RunLock::try_acquire(spec.output_file, &holder);
      if (!lock) return taken_or_done(spec, holder);  // another process took the run over meanwhile
      RunWriter w = RunWriter::open_existing(spec.output_file);
      w.set_attrs({{"status", std::string(run_status_str(r.status))}, {"status_message", r.message},
                   {"updated_at", utc_now_iso8601()}});
      w.commit();
    } catch (const Error&) {
    }
  }
  return r;
}

constexpr const char* kParentVariable = "GENLAB_CELL_PARENT";

// Variables a portable run's cell process starts with (OpenBLAS reads OPENBLAS_CORETYPE only when
// it loads, so the kernel is pinned here, before the child starts); they replace inherited ones.
std::vector<std::string> portable_environment(const RunSpec& run) {
  if (!run.execution.portable) return {};
  return {std::string("OPENBLAS_CORETYPE=") + kPortableBlasCore, "GENLAB_OPENBLAS_REEXEC=1"};
}

pid_t spawn_child(const std::vector<std::string>& command, const RunSpec& run) {
  std::vector<std::string> args = command;
  args.push_back("--only");
  args.push_back(run.run_id);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The environment plus GENLAB_CELL_PARENT=<our pid> (the child dies with us: bind_to_parent) and
  // a portable run's pinned variables.
  std::vector<std::string> own = portable_environment(run);
  own.push_back(std::string(kParentVariable) + "=" + std::to_string(::getpid()));
  auto replaced = [&](const char* entry) {
    for (const std::string& o : own) {
      if (std::strncmp(entry, o.c_str(), o.find('=') + 1) == 0) return true;
    }
    return false;
  };
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!replaced(*e)) env.push_back(*e);
  }
  for (std::string& o : own) env.push_back(o.data());
  env.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), env.data()) != 0) {
    throw Error("cannot start child process " + args[0]);
  }
  return pid;
}

// run_one under the run's lock; a run another process holds is skipped.
RunResult run_locked(const RunSpec& run, const RunnerOptions& ro) {
  LockHolder holder;
  const auto lock = RunLock::try_acquire(run.output_file, &holder);
  if (!lock) {
    RunResult r = taken_or_done(run, holder);
    if (ro.out && r.status == RunStatus::Taken) *ro.out << "[" << run.run_id << "] skipped: " << r.message << "\n";
    return r;
  }
  if (ro.out && lock->taken_over()) {
    *ro.out << "[" << run.run_id << "] taking over the lock left by " << lock->taken_over()->str()
            << " (that process is gone)\n";
  }
  return run_one(run, ro);
}

}  // namespace

bool running_as_cell() { return std::getenv(kParentVariable) != nullptr; }

namespace {
// In a cell process: die with the parent (kill -9 of `genlab run` must not leave orphans training).
void bind_to_parent() {
  const char* parent = std::getenv(kParentVariable);
  if (parent == nullptr) return;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (std::to_string(::getppid()) != parent) ::_exit(128 + SIGKILL);  // the parent is already gone
}

bool is_fatal(const ExecutorOptions& o, int wait_status) {
  if (!WIFEXITED(wait_status)) return false;
  return std::find(o.fatal_exit_codes.begin(), o.fatal_exit_codes.end(), WEXITSTATUS(wait_status)) !=
         o.fatal_exit_codes.end();
}

GridOutcome run_in_children(const std::vector<const RunSpec*>& runs, const ExecutorOptions& o) {
  GridOutcome outcome;
  struct Cell {
    const RunSpec* spec;
    std::optional<fs::file_time_type> before;  // the run file's write time at spawn
  };
  std::map<pid_t, Cell> active;
  std::size_t next = 0;
  bool forwarded = false;
  while (next < runs.size() || !active.empty()) {
    const bool stopping = stop_requested() != 0 || outcome.fatal_exit_code != 0;
    while (!stopping && next < runs.size() && active.size() < static_cast<std::size_t>(o.jobs)) {
      const RunSpec* r = runs[next++];
      const auto before = written_at(r->output_file);
      active[spawn_child(o.child_command, *r)] = Cell{r, before};
    }
    if (stopping && !forwarded && stop_requested() != 0) {  // each child checkpoints and stops
      for (const auto& [pid, spec] : active) ::kill(pid, stop_requested());
      forwarded = true;
    }
    if (active.empty()) break;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);  // polled, so a stop request is seen at once
    if (pid == 0) {
      ::usleep(20000);
      continue;
    }
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) break;
    const auto it = active.find(pid);
    if (it == active.end()) continue;
    if (is_fatal(o, status)) {  // its message is on stderr already; the file (if any) is not this run's result
      outcome.fatal_exit_code = WEXITSTATUS(status);
      RunResult r;
      r.file = it->second.spec->output_file;
      r.message = "cell process " + child_end(status) + " (see its error above); no further cell started";
      outcome.results.emplace_back(it->second.spec, std::move(r));
    } else {
      outcome.results.emplace_back(it->second.spec, result_from_file(*it->second.spec, status, it->second.before));
    }
    active.erase(it);
  }
  outcome.not_started = runs.size() - next;
  return outcome;
}

}  // namespace

std::vector<const RunSpec*> runs_of_shard(const Experiment& e, std::size_t index, std::size_t count) {
  std::vector<const RunSpec*> runs;
  for (const auto& r : e.runs) {
    if (r.index % count == index) runs.push_back(&r);
  }
  return runs;
}

std::vector<const RunSpec*> selected_runs(const Experiment& experiment, const ExecutorOptions& o) {
  if (o.cells) return runs_with_indices(experiment, *o.cells);
  return runs_of_shard(experiment, o.shard_index, o.shard_count);
}

RunResult run_in_child(const RunSpec& run, const ExecutorOptions& o) {
  const auto before = written_at(run.output_file);
  const pid_t pid = spawn_child(o.child_command, run);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error("cannot wait for the child process of run " + run.run_id);
  }
  return result_from_file(run, status, before);
}

GridOutcome run_grid(const Experiment& experiment, const ExecutorOptions& o) {
  bind_to_parent();
  const auto runs = selected_runs(experiment, o);
  if (!o.in_process && !o.child_command.empty()) return run_in_children(runs, o);
  // Config, data and store errors raised before a run starts concern every run (a missing data
  // set, an unwritable folder): they propagate and stop the grid with their own exit code.
  GridOutcome outcome;
  RunnerOptions ro{o.out, o.live_progress, o.allow_changed_code, o.restart_unresumable, o.allow_changed_data};
  for (const RunSpec* r : runs) {
    if (stop_requested() != 0) {
      outcome.not_started = runs.size() - outcome.results.size();
      break;
    }
    RunResult result;
    try {
      result = run_locked(*r, ro);
    } catch (const PluginError& e) {  // this cell's model failed to build: the grid goes on
      result.status = RunStatus::Failed;
      result.message = e.what();
      result.file = r->output_file;
      if (o.out) *o.out << "[" << r->run_id << "] failed: " << e.what() << "\n";
    }
    outcome.results.emplace_back(r, std::move(result));
  }
  return outcome;
}

}  // namespace genlab
