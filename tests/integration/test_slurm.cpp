// genlab submit --slurm on a real, private Slurm (tests/cluster/slurm-up.sh): the 4-seed smoke VAE
// and a 4-cell fixture grid as job arrays, each run file bitwise identical to a local --jobs 1
// run; one array task cancelled mid-run (SIGTERM), the cell shown interrupted, re-submitted
// alone, resumed from its checkpoint and finished identically; then nothing is left to submit.
#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "genlab/cells.hpp"
#include "genlab/error.hpp"
#include "support/private_slurm.hpp"
#include "support/tiny_grid.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
// The grid: cell 3 sleeps 40 ms per step (80 steps: 3.2 s), so it can be cancelled mid-run.
const char* kGrid = "[[grid.zip]]\n\"model.width\" = [4, 6, 8, 10]\n\"model.sleep_ms\" = [0, 0, 0, 40]\n";

std::string job_id_in(const std::string& output) {
  std::smatch m;
  return std::regex_search(output, m, std::regex("submitted job ([0-9]+):")) ? m[1].str() : "";
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits until the run file has a checkpoint at a step >= `step` and is not finished.
bool wait_for_checkpoint(const fs::path& file, std::int64_t step, double timeout_s) {
  for (double t = 0; t < timeout_s; t += 0.02) {
    try {
      const RunSummary s = read_run(file);
      if (s.checkpoint_step >= step && attr_to_string(s.attrs.at("status")) != "finished") return true;
    } catch (const Error&) {  // not written yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}
}  // namespace

TEST_CASE("slurm: a grid as a job array gives the bits of a local run, and a cancelled cell resumes when re-submitted") {
  const auto t0 = std::chrono::steady_clock::now();
  PrivateSlurm slurm;
  REQUIRE_MESSAGE(slurm.error().empty(), slurm.error());
  MESSAGE("private Slurm up in " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s");
  const fs::path dir = slurm.folder();
  const std::string exp = tiny_grid(dir / "grid.toml", "grid", dir / "out", kGrid, "[0]", 80);
  const std::string local = tiny_grid(dir / "local.toml", "grid", dir / "local", kGrid, "[0]", 80);
  // Beside it, the smoke VAE (Fashion-MNIST, 4 seeds): a real model's bits through Slurm.
  const std::string vae = std::string(GENLAB_SOURCE_DIR) + "/experiments/smoke/vae.toml";
  const auto vae_sets = [&](const std::string& out) {
    return " --set 'experiment.output=\"" + (dir / out).string() + "\"' --set 'experiment.seeds=[0, 1, 2, 3]'" +
           " --set data.limit=256";
  };
  CommandResult reference, vae_reference;
  std::thread local_run([&] {
    reference = run_cli("run " + local + " --jobs 1 --no-progress");
    vae_reference = run_cli("run " + vae + vae_sets("vae-local") + " --jobs 1 --no-progress");
  });
  const auto vae_submit = run_cli("submit --slurm " + vae + vae_sets("vae-out"));
  INFO(vae_submit.output);
  const std::string vae_job = job_id_in(vae_submit.output);
  REQUIRE(!vae_job.empty());

  const auto first = run_cli("submit --slurm " + exp + " --max-parallel 4 --time 10:00");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  const std::string job = job_id_in(first.output);
  REQUIRE(!job.empty());
  CHECK(first.output.find("4 to submit") != std::string::npos);
  CHECK(first.output.find("cells 0-3 (4 array tasks)") != std::string::npos);
  // at once again: every cell is queued (squeue), running (its lock) or done, none submitted twice
  const auto again = run_cli("submit --slurm " + exp);
  CHECK(again.output.find("4 cells, 0 to submit") != std::string::npos);
  CHECK(job_id_in(again.output).empty());

  const auto rows = cell_rows(exp);
  REQUIRE(rows.size() == 4);
  const fs::path slow = cell_file(rows, 3, dir / "out", "grid");
  REQUIRE_MESSAGE(wait_for_checkpoint(slow, 20, 40), "cell 3 never reached its step-20 checkpoint");
  const auto cancel = run_command("scancel " + job + "_3");  // SIGTERM, then SIGKILL after KillWait
  CHECK(cancel.exit_code == 0);
  REQUIRE_MESSAGE(slurm.wait_for_job(job, 40), "job " << job << " did not end");

  auto now = cell_rows(exp);
  REQUIRE(now.size() == 4);
  for (std::size_t i = 0; i < 3; ++i) CHECK(now[i].at("status") == "finished");
  CHECK(now[3].at("status") == "interrupted");  // never "failed"
  const auto missing = run_cli("missing " + exp);
  CHECK(missing.output == "3\n");
  // genlab missing's syntax (and a gapped one) is what sbatch --array accepts
  for (const std::string& array : {std::string("3"), format_cell_ranges({0, 2, 3, 5, 9})}) {
    CAPTURE(array);
    CHECK(run_command("sbatch --test-only --array=" + array + " --wrap=true").exit_code == 0);
  }
  CHECK(read_text(dir / "out" / "grid" / "slurm" / ("cell0." + job + ".out")).find("finished") != std::string::npos);

  const auto second = run_cli("submit --slurm " + exp);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  CHECK(second.output.find("1 to submit") != std::string::npos);
  CHECK(second.output.find("cells 3 (1 array tasks)") != std::string::npos);
  const std::string job2 = job_id_in(second.output);
  REQUIRE(!job2.empty());
  REQUIRE_MESSAGE(slurm.wait_for_job(job2, 40), "job " << job2 << " did not end");
  const std::string log = read_text(dir / "out" / "grid" / "slurm" / ("cell3." + job2 + ".out"));
  INFO(log);
  CHECK(log.find("resuming from the checkpoint at step") != std::string::npos);
  CHECK(read_run(slow).attrs.count("resumed_at") == 1);

  const auto third = run_cli("submit --slurm " + exp);
  CHECK(third.output.find("0 to submit") != std::string::npos);
  CHECK(job_id_in(third.output).empty());

  local_run.join();
  REQUIRE_MESSAGE(reference.exit_code == 0, reference.output);
  const auto done = cell_rows(exp), ref = cell_rows(local);
  REQUIRE(done.size() == 4);
  REQUIRE(ref.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(done[i].at("status") == "finished");
    CHECK(compare_runs(cell_file(done, i, dir / "out", "grid"),
                       cell_file(ref, i, dir / "local", "grid")) == "");
  }
  REQUIRE_MESSAGE(slurm.wait_for_job(vae_job, 60), "job " << vae_job << " did not end");
  REQUIRE_MESSAGE(vae_reference.exit_code == 0, vae_reference.output);
  const auto vae_done = cell_rows(vae, vae_sets("vae-out")), vae_ref = cell_rows(vae, vae_sets("vae-local"));
  REQUIRE(vae_done.size() == 4);
  REQUIRE(vae_ref.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(vae_done[i].at("status") == "finished");
    CHECK(compare_runs(cell_file(vae_done, i, dir / "vae-out", "smoke_vae"),
                       cell_file(vae_ref, i, dir / "vae-local", "smoke_vae")) == "");
  }
  MESSAGE("slurm test took " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s");
}
