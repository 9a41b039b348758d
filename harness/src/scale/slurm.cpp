// sbatch scripts for grids, submission with sbatch and a look at squeue. Every argument that
// reaches the shell is single-quoted; a task runs exactly one cell and ends with genlab's own
// exit code, so Slurm's job state is the cell's outcome.
#include "genlab/slurm.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <sstream>

#include "genlab/cells.hpp"
#include "genlab/error.hpp"
#include "genlab/hash.hpp"

extern char** environ;

namespace genlab {

namespace {
std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

long slurm_time_seconds(const std::string& text) {
  const auto bad = [&] {
    return ConfigError("--time: '" + text + "' is not a Slurm time limit (M, M:S, H:M:S, D-H, D-H:M or D-H:M:S)");
  };
  if (text == "UNLIMITED" || text == "unlimited" || text == "INFINITE" || text == "infinite") return 0;
  std::vector<long> parts;
  long days = 0;
  std::string rest = text;
  const auto dash = rest.find('-');
  std::size_t pos = 0;
  const auto number = [&](const std::string& s) {
    if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) throw bad();
    return std::stol(s);
  };
  if (dash != std::string::npos) {
    days = number(rest.substr(0, dash));
    rest = rest.substr(dash + 1);
  }
  while (pos <= rest.size()) {
    const auto colon = std::min(rest.find(':', pos), rest.size());
    parts.push_back(number(rest.substr(pos, colon - pos)));
    pos = colon + 1;
  }
  if (parts.size() > 3) throw bad();
  long seconds = 0;
  if (dash != std::string::npos) {  // D-H, D-H:M, D-H:M:S
    const long unit[3] = {3600, 60, 1};
    for (std::size_t i = 0; i < parts.size(); ++i) seconds += parts[i] * unit[i];
  } else if (parts.size() == 1) {  // M
    seconds = parts[0] * 60;
  } else if (parts.size() == 2) {  // M:S
    seconds = parts[0] * 60 + parts[1];
  } else {  // H:M:S
    seconds = parts[0] * 3600 + parts[1] * 60 + parts[2];
  }
  return seconds + days * 86400;  // 0: no limit
}

std::string slurm_job_name(const Experiment& experiment) {
  std::string ids;
  for (const RunSpec& r : experiment.runs) ids += r.run_id + "\n";
  return "genlab-" + experiment.name + "-" + sha256_hex(ids).substr(0, 8);
}

std::vector<SlurmJob> slurm_jobs(const std::vector<std::size_t>& cells, const SlurmJob& common) {
  std::vector<SlurmJob> jobs;
  for (const std::size_t cell : cells) {
    const std::size_t offset = cell / (kSlurmMaxArrayIndex + 1) * (kSlurmMaxArrayIndex + 1);
    if (jobs.empty() || jobs.back().offset != offset) {
      jobs.push_back(common);
      jobs.back().cells.clear();
      jobs.back().offset = offset;
      if (offset > 0) jobs.back().job_name += "+" + std::to_string(offset);
    }
    jobs.back().cells.push_back(cell);
  }
  return jobs;
}

std::string sbatch_script(const SlurmJob& job) {
  std::vector<std::size_t> tasks;
  for (const std::size_t c : job.cells) tasks.push_back(c - job.offset);
  std::string array = format_cell_ranges(tasks);
  if (job.options.max_parallel > 0) array += "%" + std::to_string(job.options.max_parallel);
  const std::string log_name = job.offset == 0 ? "cell%a.%A.out" : "cell%a+" + std::to_string(job.offset) + ".%A.out";
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# Written by genlab submit --slurm: one array task = one cell of " << job.experiment.string() << ".\n"
    << "# Submit again with the same command to run what is still missing (genlab missing lists it).\n"
    << "#SBATCH --job-name=" << job.job_name << "\n"
    << "#SBATCH --array=" << array << "\n"
    << "#SBATCH --output=" << (job.log_dir / log_name).string() << "\n"
    << "#SBATCH --chdir=" << job.workdir.string() << "\n";
  if (!job.options.partition.empty()) s << "#SBATCH --partition=" << job.options.partition << "\n";
  if (!job.options.time.empty()) {
    s << "#SBATCH --time=" << job.options.time << "\n";
    // the batch shell is genlab itself (exec below): SIGTERM it before the limit so it checkpoints
    const long grace = std::min<long>(job.options.term_grace_s, slurm_time_seconds(job.options.time) / 10);
    if (grace > 0) s << "#SBATCH --signal=B:TERM@" << grace << "\n";
  }
  if (job.options.cpus_per_task > 0) s << "#SBATCH --cpus-per-task=" << job.options.cpus_per_task << "\n";
  if (!job.options.mem.empty()) s << "#SBATCH --mem=" << job.options.mem << "\n";
  s << "set -u\n"
    << "cell=$((SLURM_ARRAY_TASK_ID + " << job.offset << "))\n"
    << "echo \"genlab: cell $cell on $(hostname), job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n"
    << "exec " << shell_quote(job.genlab.string()) << " run " << shell_quote(job.experiment.string());
  for (const std::string& set : job.sets) s << " --set " << shell_quote(set);
  s << " --cell \"$cell\" --no-progress\n";
  return s.str();
}

int run_capture(const std::vector<std::string>& command, std::string* output) {
  int fds[2];
  if (::pipe(fds) != 0) return 127;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<std::string> args = command;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  std::string out;
  std::array<char, 4096> buf{};
  for (ssize_t n; (n = ::read(fds[0], buf.data(), buf.size())) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (output) *output = out;
  if (spawned != 0) return 127;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 127;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string sbatch_submit(const std::filesystem::path& script) {
  std::string out;
  const int rc = run_capture({"sbatch", "--parsable", script.string()}, &out);
  if (rc == 127) {
    throw Error("cannot run sbatch: it is not on PATH (run this on a Slurm login node, or install slurm-client)");
  }
  if (rc != 0) throw Error("sbatch " + script.string() + " failed (exit code " + std::to_string(rc) + "): " + out);
  std::string id = out.substr(0, out.find_first_of(";\n"));  // "<id>" or "<id>;<cluster>"
  if (id.empty() || !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw Error("sbatch " + script.string() + " printed no job id: " + out);
  }
  return id;
}

std::vector<std::size_t> slurm_queued_cells(const std::string& job_name, std::string* warning) {
  std::string out;
  // one line per array task (-r), pending ones included: "<task id> <job name>"
  const int rc = run_capture({"squeue", "-h", "-r", "--me", "-n", job_name, "-o", "%K %j"}, &out);
  std::vector<std::size_t> cells;
  if (rc != 0) {
    if (warning) {
      *warning = (rc == 127 ? std::string("squeue is not on PATH")
                            : "squeue failed (exit code " + std::to_string(rc) + "): " + out.substr(0, out.find('\n'))) +
                 "; queued cells were not excluded";
    }
    return cells;
  }
  std::istringstream in(out);
  std::string task, name;
  while (in >> task >> name) {
    if (name != job_name && name.rfind(job_name + "+", 0) != 0) continue;
    try {
      const auto plus = name.find('+', job_name.size());
      const std::size_t offset = plus == std::string::npos ? 0 : std::stoul(name.substr(plus + 1));
      cells.push_back(std::stoul(task) + offset);
    } catch (const std::exception&) {  // "N/A": not an array task
    }
  }
  std::sort(cells.begin(), cells.end());
  cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
  return cells;
}

}  // namespace genlab
