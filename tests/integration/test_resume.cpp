// Exact resume after kill -9: a run killed mid-epoch (after at least one checkpoint) and run
// again ends bitwise identical to an uninterrupted run of the same config, and the killed file
// stayed readable throughout. Also: a changed config under an existing run id is refused.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support/run_helpers.hpp"

extern char** environ;

using namespace genlab;
using namespace genlab::testing;

namespace {
std::string resume_experiment(const TempDir& dir, const std::string& out) {
  return write_file(dir / (out + ".toml"), R"(
[experiment]
name = "resume"
output = ")" + (dir / out).string() + R"("
seeds = [5]
[data]
name = "fashion_mnist"
limit = 4096
[model]
plugin = "vae"
hidden = [400]
latent_dim = 10
[train]
epochs = 4
batch_size = 32
[eval]
every_epochs = 1
samples = 16
iwae_k = 50
iwae_images = 100
[run]
checkpoint_every_steps = 16
checkpoint_every_epochs = 0
log_every_steps = 1000
)");
}
}  // namespace

TEST_CASE("resume: a run killed with SIGKILL mid-epoch resumes to a bitwise-identical end") {
  TempDir dir("resume");
  const auto reference = run_cli("run " + resume_experiment(dir, "uninterrupted") + " --no-progress");
  REQUIRE_MESSAGE(reference.exit_code == 0, reference.output);

  const std::string exp = resume_experiment(dir, "killed");
  std::vector<std::string> args = {GENLAB_CLI, "run", exp, "--no-progress"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  REQUIRE(posix_spawn(&pid, GENLAB_CLI, &quiet, nullptr, argv.data(), environ) == 0);
  // Wait for a checkpoint that is not at an epoch boundary (128 steps per epoch), then kill.
  std::int64_t seen = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    const fs::path h5 = only_h5(dir / "killed");
    if (!h5.empty()) {
      try {
        seen = read_run(h5).checkpoint_step;  // readable while the run is being written
      } catch (const std::exception&) {
        FAIL("run file unreadable while written");
      }
      if (seen >= 160) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  posix_spawn_file_actions_destroy(&quiet);
  REQUIRE(seen >= 160);
  const fs::path killed = only_h5(dir / "killed");
  const RunSummary at_kill = read_run(killed);  // readable after kill -9
  REQUIRE_MESSAGE(attr_to_string(at_kill.attrs.at("status")) == "running", "the run finished before the kill");
  CHECK(at_kill.checkpoint_step % 128 != 0);  // the checkpoint we resume from is mid-epoch

  const auto resumed = run_cli("run " + exp + " --no-progress");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("resuming from the checkpoint at step") != std::string::npos);
  const std::string diff = compare_runs(only_h5(dir / "uninterrupted"), killed);
  CHECK_MESSAGE(diff == "", diff);
}

TEST_CASE("resume: a changed config under an existing run id is refused with a clear message") {
  TempDir dir("changed");
  const std::string exp = write_file(dir / "exp.toml", R"(
[experiment]
name = "changed"
output = ")" + (dir / "out").string() + R"("
[data]
name = "fashion_mnist"
limit = 128
[model]
plugin = "vae"
hidden = [16]
latent_dim = 2
[train]
steps = 2
batch_size = 64
[eval]
every_epochs = 0
every_steps = 2
iwae_k = 10
)");
  REQUIRE(run_cli("run " + exp).exit_code == 0);
  const fs::path h5 = only_h5(dir / "out");
  REQUIRE(!h5.empty());
  // Where the run with latent_dim = 3 would go; put the latent_dim = 2 file there, as a stale
  // file from an older definition of that run would be.
  const auto dry = run_cli("run " + exp + " --set model.latent_dim=3 --dry-run");
  const auto end = dry.output.find(".h5");
  REQUIRE(end != std::string::npos);
  const auto begin = dry.output.rfind(' ', end) + 1;
  const fs::path other = dry.output.substr(begin, end + 3 - begin);
  REQUIRE(other != h5);
  fs::copy_file(h5, other);
  const auto r = run_cli("run " + exp + " --set model.latent_dim=3");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("was made with a different config") != std::string::npos);
  CHECK(r.output.find("latent_dim") != std::string::npos);
}
