// Faults a run meets in practice, through the CLI: a plugin that crashes (each cell runs in its
// own process, so only that cell fails), SIGTERM/SIGINT (checkpoint, status "interrupted", exact
// resume, children stopped with the parent) and a closed stdout (SIGPIPE). The fixture plugin
// tests/fixtures/fault_plugin.cpp crashes or sleeps on request; data is the synthetic ring8.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "support/run_helpers.hpp"

extern char** environ;

using namespace genlab;
using namespace genlab::testing;

namespace {
const std::string kFaultPlugin = std::string(GENLAB_TEST_PLUGIN_DIR) + "/libgenlab_fault.so";

// An experiment of the fault plugin; `model` and `grid` are extra TOML lines.
std::string fault_experiment(const TempDir& dir, const std::string& name, const std::string& model,
                             const std::string& grid = "", std::int64_t steps = 40) {
  return write_file(dir / (name + ".toml"), "[experiment]\nname = \"" + name + "\"\noutput = \"" + dir.path().string() +
                                                "\"\nseeds = [0]\n[data]\nname = \"ring8\"\nlimit = 256\n"
                                                "[model]\nplugin = \"fault\"\npath = \"" + kFaultPlugin + "\"\n" +
                                                model + "\n[train]\nsteps = " + std::to_string(steps) +
                                                "\nbatch_size = 32\n[eval]\nevery_steps = 20\n"
                                                "[run]\ncheckpoint_every_steps = 10\nlog_every_steps = 1\n" + grid);
}

std::vector<fs::path> h5_files(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    if (e.path().extension() == ".h5") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string status_of(const fs::path& file) { return attr_to_string(read_run(file).attrs.at("status")); }

// Starts `genlab run <exp> <extra...>` with stdout to `log`; returns its pid.
pid_t start_run(const std::string& exp, const fs::path& log, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {GENLAB_CLI, "run", exp, "--no-progress"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t io;
  posix_spawn_file_actions_init(&io);
  posix_spawn_file_actions_addopen(&io, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&io, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, GENLAB_CLI, &io, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&io);
  return rc == 0 ? pid : -1;
}

// Waits until every file of `folder` (at least `count`) has a checkpoint at step >= `step`.
bool wait_for_checkpoints(const fs::path& folder, std::size_t count, std::int64_t step) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto files = h5_files(folder);
    std::size_t ready = 0;
    for (const auto& f : files) {
      try {
        ready += read_run(f).checkpoint_step >= step;
      } catch (const std::exception&) {
      }
    }
    if (files.size() >= count && ready >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
}  // namespace

TEST_CASE("faults: a segfaulting plugin costs only its own cell at --jobs 1, and the summary says so") {
  TempDir dir("crash");
  const std::string exp = fault_experiment(dir, "crash", "", "[grid.product]\n\"model.fail_at_step\" = [3, -1]\n", 20);
  const auto r = run_cli("run " + exp + " --no-progress");
  INFO(r.output);
  CHECK(r.exit_code == 1);  // some runs failed
  CHECK(r.output.find("2 runs: 1 finished, 0 already finished, 0 diverged, 0 interrupted, 1 failed") != std::string::npos);
  CHECK(r.output.find("killed by SIGSEGV") != std::string::npos);
  const auto files = h5_files(dir / "crash");
  REQUIRE(files.size() == 2);
  std::size_t failed = 0, finished = 0;
  for (const auto& f : files) {
    const RunSummary s = read_run(f);
    const std::string status = attr_to_string(s.attrs.at("status"));
    failed += status == "failed";
    finished += status == "finished";
    if (status == "failed") CHECK(attr_to_string(s.attrs.at("status_message")).find("SIGSEGV") != std::string::npos);
  }
  CHECK(failed == 1);
  CHECK(finished == 1);
  // A re-run retries the crashed cell only (it crashes again) and skips the finished one.
  const auto again = run_cli("run " + exp + " --no-progress");
  CHECK(again.output.find("2 runs: 0 finished, 1 already finished, 0 diverged, 0 interrupted, 1 failed") != std::string::npos);
}

TEST_CASE("faults: --in-process keeps the cells in one process (a throwing plugin fails its cell, the grid goes on)") {
  TempDir dir("inproc");
  const std::string exp = fault_experiment(dir, "inproc", "failure = \"throw\"",
                                           "[grid.product]\n\"model.fail_at_step\" = [3, -1]\n", 20);
  const auto r = run_cli("run " + exp + " --no-progress --in-process");
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("1 finished, 0 already finished, 0 diverged, 0 interrupted, 1 failed") != std::string::npos);
  CHECK(r.output.find("fault plugin: failing at step 3") != std::string::npos);
  CHECK(run_cli("run " + exp + " --in-process --jobs 2").exit_code == 2);  // refused: one cell at a time
}

TEST_CASE("signals: SIGTERM checkpoints, marks the run interrupted, prints how to resume, and the resume is exact") {
  TempDir dir("sigterm");
  const std::string reference = fault_experiment(dir, "reference", "");
  REQUIRE(run_cli("run " + reference).exit_code == 0);
  const std::string exp = fault_experiment(dir, "stopped", "sleep_ms = 40");
  const pid_t pid = start_run(exp, dir / "log.txt");
  REQUIRE(pid > 0);
  const bool started = wait_for_checkpoints(dir / "stopped", 1, 10);
  kill(pid, SIGTERM);
  const int code = wait_exit_code(pid);
  const std::string log = read_text(dir / "log.txt");
  INFO(log);
  REQUIRE(started);
  CHECK(code == 128 + SIGTERM);
  CHECK(log.find("Resume with the same command: genlab run " + exp) != std::string::npos);
  const fs::path file = h5_files(dir / "stopped").at(0);
  const RunSummary s = read_run(file);
  CHECK(attr_to_string(s.attrs.at("status")) == "interrupted");
  CHECK(attr_to_string(s.attrs.at("status_message")).find("SIGTERM") != std::string::npos);
  CHECK(s.checkpoint_step == static_cast<std::int64_t>(s.train.at("step").size()));  // nothing after the checkpoint
  CHECK(s.checkpoint_step < 40);

  const auto same = run_cli("run " + exp + " --no-progress");
  INFO(same.output);
  REQUIRE(same.exit_code == 0);
  CHECK(same.output.find("resuming from the checkpoint at step " + std::to_string(s.checkpoint_step)) != std::string::npos);
  CHECK(status_of(file) == "finished");
  const std::string diff = compare_runs(h5_files(dir / "reference").at(0), file);
  CHECK_MESSAGE(diff == "", diff);
}

TEST_CASE("signals: SIGTERM to a --jobs 2 parent stops both children, which write their checkpoints (no orphans)") {
  TempDir dir("sigjobs");
  const std::string exp = fault_experiment(dir, "jobs", "sleep_ms = 40", "[grid.product]\n\"model.failure\" = [\"segv\", \"abort\"]\n");
  const pid_t pid = start_run(exp, dir / "log.txt", {"--jobs", "2"});
  REQUIRE(pid > 0);
  const bool started = wait_for_checkpoints(dir / "jobs", 2, 10);
  kill(pid, SIGTERM);
  const int code = wait_exit_code(pid);
  INFO(read_text(dir / "log.txt"));
  REQUIRE(started);
  CHECK(code == 128 + SIGTERM);
  const auto files = h5_files(dir / "jobs");
  REQUIRE(files.size() == 2);
  std::map<fs::path, fs::file_time_type> written;
  for (const auto& f : files) {
    CHECK(status_of(f) == "interrupted");
    written[f] = fs::last_write_time(f);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // a live orphan would commit within 400 ms
  for (const auto& f : files) CHECK(fs::last_write_time(f) == written[f]);
}

TEST_CASE("signals: a closed stdout (genlab run | head) does not kill the run") {
  TempDir dir("sigpipe");
  const std::string exp = fault_experiment(dir, "pipe", "", "", 20);
  const auto r = run_command(std::string(GENLAB_CLI) + " run " + exp + " --no-progress | head -c 1");
  const auto files = h5_files(dir / "pipe");
  REQUIRE(files.size() == 1);
  CHECK(status_of(files[0]) == "finished");
}

TEST_CASE("signals: a second SIGINT a second later stops at once, without waiting for the step") {
  TempDir dir("sigtwice");
  const std::string exp = fault_experiment(dir, "twice", "sleep_ms = 3000", "", 4);
  const pid_t pid = start_run(exp, dir / "log.txt");
  REQUIRE(pid > 0);
  const bool started = wait_for_checkpoints(dir / "twice", 1, -1);  // the file exists: step 0 is sleeping
  const auto t0 = std::chrono::steady_clock::now();
  kill(pid, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(read_text(dir / "log.txt"));
  REQUIRE(started);
  CHECK(WIFSIGNALED(status));
  CHECK(seconds < 2.5);  // the step in progress (3 s) was not waited for
}

namespace {
// Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN): probed once, without a shell.
bool can_mount_tmpfs() {
  static const bool ok = [] {
    TempDir probe("mount-probe");
    if (::mount("tmpfs", probe.path().c_str(), "tmpfs", 0, "size=64k") != 0) return false;
    ::umount2(probe.path().c_str(), MNT_DETACH);
    return true;
  }();
  return ok;
}

// A tmpfs of `size` on a fresh folder, unmounted at scope exit.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& size) {
    mounted_ = ::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  bool resize(const std::string& size) {
    return ::mount("tmpfs", dir_.path().c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0;
  }
  const fs::path& path() const { return dir_.path(); }

 private:
  TempDir dir_{"disk"};
  bool mounted_ = false;
};

// Writes zeros to `file` until the disk is full.
void fill_disk(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  static const std::vector<char> block(4096, 0);
  while (::write(fd, block.data(), block.size()) > 0) {
  }
  ::close(fd);
}
}  // namespace

TEST_CASE("faults: a full disk ends the run with a clear error (no crash), and a re-run with space resumes exactly" *
          doctest::skip(!can_mount_tmpfs())) {
  TempDir dir("fulldisk");
  SmallDisk disk("300k");
  REQUIRE(disk.mounted());
  const std::string reference = fault_experiment(dir, "full", "");
  REQUIRE(run_cli("run " + reference).exit_code == 0);
  std::string exp = read_text(reference);  // the same run, slowed down, written to the small disk
  exp.replace(exp.find(dir.path().string()), dir.path().string().size(), disk.path().string());
  exp.replace(exp.find("[train]"), 0, "sleep_ms = 30\n");
  const std::string on_disk = write_file(dir / "on_disk.toml", exp);
  const pid_t pid = start_run(on_disk, dir / "log.txt");
  REQUIRE(pid > 0);
  // After the first checkpoint the disk fills up (as another job would fill it).
  const bool checkpointed = wait_for_checkpoints(disk.path() / "full", 1, 10);
  fill_disk(disk.path() / "filler");
  REQUIRE(checkpointed);
  const int code = wait_exit_code(pid);
  const std::string log = read_text(dir / "log.txt");
  INFO(log);
  CHECK(code == 5);  // the store's exit code (a crash in HDF5's exit handler was 139)
  CHECK(log.find("No space left on device") != std::string::npos);
  const auto files = h5_files(disk.path() / "full");
  REQUIRE(files.size() == 1);
  CHECK_FALSE(fs::exists(files[0].string() + ".tmp"));
  CHECK_NOTHROW(read_run(files[0]));  // the published version is intact

  fs::remove(disk.path() / "filler");
  const auto resumed = run_cli("run " + on_disk + " --no-progress");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("resuming from the checkpoint at step") != std::string::npos);
  CHECK(status_of(files[0]) == "finished");
  const std::string diff = compare_runs(h5_files(dir / "full").at(0), files[0]);
  CHECK_MESSAGE(diff == "", diff);
}

TEST_CASE("faults: a checkpoint that does not fit on the disk marks the run failed with the reason (issue repro)" *
          doctest::skip(!can_mount_tmpfs())) {
  SmallDisk disk("300k");
  REQUIRE(disk.mounted());
  const std::string exp = std::string(GENLAB_SOURCE_DIR) + "/experiments/smoke/vae.toml";
  const std::string out = " --set 'experiment.output=\"" + disk.path().string() + "\"' --no-progress";
  const auto r = run_cli("run " + exp + out);
  INFO(r.output);
  CHECK(r.exit_code == 1);  // runs failed; not 139
  CHECK(r.output.find("No space left on device") != std::string::npos);
  const auto files = h5_files(disk.path() / "smoke_vae");
  REQUIRE(files.size() == 1);
  const RunSummary s = read_run(files[0]);
  CHECK(attr_to_string(s.attrs.at("status")) == "failed");
  CHECK(attr_to_string(s.attrs.at("status_message")).find("No space left on device") != std::string::npos);
  REQUIRE(disk.resize("20m"));
  const auto again = run_cli("run " + exp + out);
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK(status_of(files[0]) == "finished");
}

TEST_CASE("faults: resume refuses a run whose plugin file changed, unless --allow-changed-code (recorded)") {
  TempDir dir("changedcode");
  const fs::path plugin = dir / "libgenlab_fault.so";
  fs::copy_file(kFaultPlugin, plugin);
  std::string exp_text = read_text(fault_experiment(dir, "code", ""));
  exp_text.replace(exp_text.find(kFaultPlugin), kFaultPlugin.size(), plugin.string());
  const std::string exp = write_file(dir / "code.toml", exp_text);
  REQUIRE(run_cli("run " + exp + " --set run.stop_after_steps=5").exit_code == 0);
  std::ofstream(plugin, std::ios::app) << "rebuilt";  // another build of the plugin: another sha256
  const auto refused = run_cli("run " + exp + " --no-progress");
  INFO(refused.output);
  CHECK(refused.exit_code == 2);
  CHECK(refused.output.find("was started by other code (plugin_sha256 was ") != std::string::npos);
  CHECK(refused.output.find("--allow-changed-code") != std::string::npos);
  const auto allowed = run_cli("run " + exp + " --no-progress --allow-changed-code");
  INFO(allowed.output);
  CHECK(allowed.exit_code == 0);
  const RunSummary s = read_run(h5_files(dir / "code").at(0));
  CHECK(attr_to_string(s.attrs.at("status")) == "finished");
  CHECK(attr_to_string(s.attrs.at("resumed_with_changed_code")).find("plugin_sha256 was ") != std::string::npos);
}

namespace {
// The run files are edited with Debian's python3-h5py (installed by .ci/install-deps).
void require_h5py() {
  REQUIRE_MESSAGE(std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") == 0,
                  "python3-h5py is not installed (.ci/install-deps installs it)");
}

// `run --restart-unresumable` of the damaged run `file` of experiment `exp`: it sets the old file
// aside as .unresumable, trains anew, and ends bitwise equal to the run in dir/reference.
void check_restart_equals_reference(const TempDir& dir, const std::string& exp, const fs::path& file) {
  const auto restarted = run_cli("run " + exp + " --no-progress --restart-unresumable");
  INFO(restarted.output);
  CHECK(restarted.exit_code == 0);
  CHECK(fs::exists(file.string() + ".unresumable"));
  CHECK(status_of(file) == "finished");
  const std::string diff = compare_runs(h5_files(dir / "reference").at(0), file);
  CHECK_MESSAGE(diff == "", diff);
}
}  // namespace

TEST_CASE("faults: a corrupt checkpoint fails its cell naming the file, and --restart-unresumable starts it anew") {
  require_h5py();
  TempDir dir("badckpt");
  const std::string reference = fault_experiment(dir, "reference", "");
  REQUIRE(run_cli("run " + reference).exit_code == 0);
  const std::string exp = fault_experiment(dir, "bad", "");
  REQUIRE(run_cli("run " + exp + " --set run.stop_after_steps=15").exit_code == 0);
  const fs::path file = h5_files(dir / "bad").at(0);
  const std::string edit = "/usr/bin/python3 -c \"import h5py; f = h5py.File('" + file.string() +
                           "', 'r+'); d = f['checkpoint/params/net/fc1/W']; d[0, 0] = d[0, 0] + 1.0; f.close()\"";
  REQUIRE(std::system(edit.c_str()) == 0);  // as a bit flip in the checkpoint would
  const auto refused = run_cli("run " + exp + " --no-progress");
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find(file.string() + ": cannot resume from /checkpoint: ") != std::string::npos);
  CHECK(refused.output.find("sha256") != std::string::npos);
  CHECK(status_of(file) == "failed");
  check_restart_equals_reference(dir, exp, file);
}

TEST_CASE("faults: a flipped bit in a committed /train block fails its cell naming file and series, and --restart-unresumable starts it anew") {
  require_h5py();
  TempDir dir("badblock");
  const std::string reference = fault_experiment(dir, "reference", "");
  REQUIRE(run_cli("run " + reference).exit_code == 0);
  const std::string exp = fault_experiment(dir, "bad", "");
  REQUIRE(run_cli("run " + exp + " --set run.stop_after_steps=15").exit_code == 0);
  const fs::path file = h5_files(dir / "bad").at(0);
  // One bit of row 3 of /train/step, flipped in the bytes on disk (as the disk would do it).
  const std::string flip = "/usr/bin/python3 -c \"import h5py; f = h5py.File('" + file.string() +
                           "', 'r'); at = f['train/step'].id.get_chunk_info(0).byte_offset + 3 * 8; f.close(); "
                           "g = open('" + file.string() + "', 'r+b'); g.seek(at); b = g.read(1); g.seek(at); "
                           "g.write(bytes([b[0] ^ 1])); g.close()\"";
  REQUIRE(std::system(flip.c_str()) == 0);
  const auto shown = run_cli("show " + file.string());
  CHECK(shown.exit_code != 0);
  CHECK_MESSAGE(shown.output.find(file.string() + ": series /train/step block 0 checksum mismatch") != std::string::npos, shown.output);
  const auto refused = run_cli("run " + exp + " --no-progress");
  INFO(refused.output);
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find(file.string() + ": series /train/step block 0 checksum mismatch") != std::string::npos);
  CHECK(refused.output.find("--restart-unresumable") != std::string::npos);
  check_restart_equals_reference(dir, exp, file);
}
