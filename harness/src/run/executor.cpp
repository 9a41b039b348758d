// Grid execution: in-process, or N child processes (posix_spawn of this program with
// "--only <run id>"), each reporting through its run file; every run under its lock
// (run_lock.hpp), so a run another process writes is skipped. It never trains itself.
#include "genlab/executor.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <ostream>

#include "genlab/cells.hpp"
#include "genlab/error.hpp"
#include "genlab/loader.hpp"
#include "genlab/reference_classifier.hpp"
#include "genlab/run_lock.hpp"
#include "genlab/store.hpp"
#include "run/provenance.hpp"

extern char** environ;

namespace genlab {

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
      it = descriptions.emplace(key, load_plugin(run.plugin, run.plugin_path).info().description).first;
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

// The outcome of a child's run, read back from its run file.
RunResult result_from_file(const RunSpec& spec, int wait_status) {
  // The child skipped it: its file is another process's (finished meanwhile, perhaps), not its result.
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == kTakenExitCode) {
    return taken_or_done(spec, run_lock_holder(spec.output_file));
  }
  RunResult r;
  r.file = spec.output_file;
  std::string status = "missing";
  try {
    const RunSummary s = read_run(spec.output_file);
    status = s.attrs.count("status") ? attr_to_string(s.attrs.at("status")) : "?";
    if (s.attrs.count("status_message")) r.message = attr_to_string(s.attrs.at("status_message"));
    for (const auto& [k, v] : s.eval) {
      if (!v.empty() && k != "step" && k != "epoch") r.final_eval[k] = v.back();
    }
  } catch (const Error& e) {
    r.message = e.what();
  }
  if (status == "finished") r.status = RunStatus::Finished;
  else if (status == "diverged") r.status = RunStatus::Diverged;
  else if (status == "running" && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) r.status = RunStatus::Interrupted;
  else r.status = RunStatus::Failed;
  if (WIFSIGNALED(wait_status)) {
    r.message = "child process killed by signal " + std::to_string(WTERMSIG(wait_status));
  } else if (r.status == RunStatus::Failed && r.message.empty()) {
    r.message = "child process exited with code " + std::to_string(WEXITSTATUS(wait_status));
  }
  // A crash leaves "running" in the file: record the failure there too, so analyze shows it.
  if (r.status == RunStatus::Failed && status == "running") {
    try {
      LockHolder holder;
      const auto lock = RunLock::try_acquire(spec.output_file, &holder);
      if (!lock) return taken_or_done(spec, holder);  // another process took the run over meanwhile
      RunWriter w = RunWriter::open_existing(spec.output_file);
      w.set_attrs({{"status", std::string("failed")}, {"status_message", r.message},
                   {"updated_at", utc_now_iso8601()}});
      w.commit();
    } catch (const Error&) {
    }
  }
  return r;
}

pid_t spawn_child(const std::vector<std::string>& command, const std::string& run_id) {
  std::vector<std::string> args = command;
  args.push_back("--only");
  args.push_back(run_id);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
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

GridOutcome run_in_children(const std::vector<const RunSpec*>& runs, const ExecutorOptions& o) {
  GridOutcome outcome;
  std::map<pid_t, const RunSpec*> active;
  std::size_t next = 0;
  while (next < runs.size() || !active.empty()) {
    while (next < runs.size() && active.size() < static_cast<std::size_t>(o.jobs)) {
      const RunSpec* r = runs[next++];
      active[spawn_child(o.child_command, r->run_id)] = r;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) break;
    const auto it = active.find(pid);
    if (it == active.end()) continue;
    outcome.results.emplace_back(it->second, result_from_file(*it->second, status));
    active.erase(it);
  }
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
  const pid_t pid = spawn_child(o.child_command, run.run_id);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error("cannot wait for the child process of run " + run.run_id);
  }
  return result_from_file(run, status);
}

GridOutcome run_grid(const Experiment& experiment, const ExecutorOptions& o) {
  const auto runs = selected_runs(experiment, o);
  if (o.jobs > 1 && !o.child_command.empty()) return run_in_children(runs, o);
  // Config, data and store errors raised before a run starts concern every run (a missing data
  // set, an unwritable folder): they propagate and stop the grid with their own exit code.
  GridOutcome outcome;
  RunnerOptions ro{o.out, o.live_progress};
  for (const RunSpec* r : runs) {
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
