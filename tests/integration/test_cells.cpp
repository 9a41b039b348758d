// Cells as the unit of work: `genlab cells` (index, id, coordinates, status), `genlab missing`
// (Slurm --array ranges), `run --cell/--cells`, `--dry-run` with a shard, the Slurm + --jobs
// bug (children must not re-shard), and the same bits whichever way a grid is split.
#include <doctest/doctest.h>

#include <cstdlib>

#include "genlab/run_lock.hpp"
#include "support/tiny_grid.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
std::string statuses(const std::vector<std::map<std::string, std::string>>& rows) {
  std::string s;
  for (const auto& r : rows) s += (s.empty() ? "" : " ") + r.at("status");
  return s;
}
}  // namespace

TEST_CASE("cells: cells lists every cell with its status, missing prints Slurm ranges, --cells runs exactly those") {
  TempDir dir("cells");
  const std::string exp = tiny_grid(dir / "four.toml", "four", dir / "out", kTinyWidths, "[0, 1]");
  auto rows = cell_rows(exp);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].at("index") == "0");
  CHECK(rows[3].at("index") == "3");
  CHECK(rows[0].at("model.width") == "4");
  CHECK(rows[1].at("seed") == "1");
  CHECK(rows[2].at("model.width") == "8");
  CHECK(rows[0].at("run_id").size() == 12);
  CHECK(statuses(rows) == "missing missing missing missing");
  CHECK(run_cli("missing " + exp).output == "0-3\n");

  const auto two = run_cli("run " + exp + " --cells 1,3 --no-progress");
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  CHECK(run_counts(two.output).finished == 2);
  rows = cell_rows(exp);
  CHECK(statuses(rows) == "missing finished missing finished");
  CHECK(run_cli("missing " + exp).output == "0,2\n");

  // stopped after 10 steps ([run] is not part of the run id): unfinished, nobody writes it
  REQUIRE(run_cli("run " + exp + " --cell 0 --set run.stop_after_steps=10 --no-progress").exit_code == 0);
  rows = cell_rows(exp);
  CHECK(statuses(rows) == "interrupted finished missing finished");
  CHECK(run_cli("missing " + exp).output == "0,2\n");
  {  // a held lock: running, with who holds it
    const auto lock = RunLock::try_acquire(cell_file(rows, 2, dir / "out", "four"));
    REQUIRE(lock.has_value());
    rows = cell_rows(exp);
    CHECK(rows[2].at("status") == "running");
    CHECK(rows[2].at("detail") == "pid " + std::to_string(::getpid()) + " on host " + host_name());
  }
  const auto json = run_cli("cells " + exp + " --format json");
  CHECK(json.exit_code == 0);
  CHECK(json.output.find(R"({"index": 1, "run_id": ")" + rows[1].at("run_id") +
                         R"(", "grid": {"model.width": "4", "seed": "1"}, "status": "finished")") != std::string::npos);
  CHECK(json.output.find(R"("status": "interrupted")") != std::string::npos);

  const auto rest = run_cli("run " + exp + " --cells 0-2 --no-progress");
  INFO(rest.output);
  CHECK(rest.exit_code == 0);
  const RunCounts c = run_counts(rest.output);
  CHECK(c.finished == 2);  // 0 (resumed) and 2
  CHECK(c.already == 1);
  CHECK(run_command("(" + std::string(GENLAB_CLI) + " missing " + exp + " 2>/dev/null)").output.empty());  // stdout
  CHECK(run_cli("missing " + exp).output == "genlab: all 4 cells of 'four' are finished or diverged\n");
  CHECK(statuses(cell_rows(exp)) == "finished finished finished finished");
}

TEST_CASE("cells: bad cell lists are refused with the option and the valid range") {
  TempDir dir("cells-bad");
  const std::string exp = tiny_grid(dir / "four.toml", "four", dir / "out", kTinyWidths, "[0, 1]");
  const auto out_of_range = run_cli("run " + exp + " --cell 4");
  CHECK(out_of_range.exit_code == 2);
  CHECK(out_of_range.output.find("--cells: cell 4 does not exist (the grid has 4 cells: 0-3)") != std::string::npos);
  const auto backwards = run_cli("run " + exp + " --cells 3-1");
  CHECK(backwards.exit_code == 2);
  CHECK(backwards.output.find("range '3-1' in '3-1' runs backwards") != std::string::npos);
  const auto junk = run_cli("run " + exp + " --cells 1,x");
  CHECK(junk.exit_code == 2);
  CHECK(junk.output.find("'x' in '1,x' is not a cell index") != std::string::npos);
  const auto both = run_cli("run " + exp + " --cells 1 --shard 0/2");
  CHECK(both.exit_code == 2);
  CHECK(both.output.find("--cell/--cells and --shard cannot be combined") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("cells: --dry-run lists only the cells of --shard or --cells") {
  TempDir dir("cells-dry");
  const std::string exp = tiny_grid(dir / "four.toml", "four", dir / "out", kTinyWidths, "[0, 1]");
  const auto rows = cell_rows(exp);
  REQUIRE(rows.size() == 4);
  const auto shard = run_cli("run " + exp + " --dry-run --shard 1/2");
  INFO(shard.output);
  CHECK(shard.exit_code == 0);
  CHECK(shard.output.find("2 of 4 runs") != std::string::npos);
  CHECK(shard.output.find(rows[1].at("run_id")) != std::string::npos);
  CHECK(shard.output.find(rows[3].at("run_id")) != std::string::npos);
  CHECK(shard.output.find(rows[0].at("run_id")) == std::string::npos);
  CHECK(shard.output.find(rows[2].at("run_id")) == std::string::npos);
  const auto cells = run_cli("run " + exp + " --dry-run --cells 2");
  CHECK(cells.output.find("1 of 4 runs") != std::string::npos);
  CHECK(cells.output.find(rows[2].at("run_id")) != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("cells: --shard with --jobs inside a Slurm array task runs its shard (the children do not re-shard)") {
  TempDir dir("cells-slurm-jobs");
  const std::string exp = tiny_grid(dir / "four.toml", "four", dir / "out", kTinyWidths, "[0, 1]");
  const auto rows = cell_rows(exp);
  REQUIRE(rows.size() == 4);
  // Task 1 of 4 of an array: the children used to read it and skip their own run.
  const auto r = run_command("env SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=4 " + std::string(GENLAB_CLI) + " run " +
                             exp + " --shard 0/2 --jobs 2 --no-progress");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  const RunCounts c = run_counts(r.output);
  CHECK(c.finished == 2);
  CHECK(c.failed == 0);
  CHECK(statuses(cell_rows(exp)) == "finished missing finished missing");
}

TEST_CASE("cells: cells run one by one, by shards, in children or by Slurm variables give the bits of --jobs 1") {
  TempDir dir("cells-bits");
  const std::string whole = tiny_grid(dir / "whole.toml", "four", dir / "a", kTinyWidths, "[0, 1]");
  const std::string split = tiny_grid(dir / "split.toml", "four", dir / "b", kTinyWidths, "[0, 1]");
  REQUIRE(run_cli("run " + whole + " --jobs 1 --no-progress").exit_code == 0);
  REQUIRE(run_cli("run " + split + " --cells 0,3 --jobs 2 --no-progress").exit_code == 0);
  REQUIRE(run_cli("run " + split + " --shard 1/2 --no-progress").exit_code == 0);  // 1 (3 is done)
  REQUIRE(run_command("env SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4 " + std::string(GENLAB_CLI) + " run " + split +
                      " --no-progress").exit_code == 0);  // 2
  const auto a = cell_rows(whole), b = cell_rows(split);
  REQUIRE(a.size() == 4);
  REQUIRE(b.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(a[i].at("run_id") == b[i].at("run_id"));
    CHECK(b[i].at("status") == "finished");
    CHECK(compare_runs(cell_file(a, i, dir / "a", "four"), cell_file(b, i, dir / "b", "four")) == "");
  }
}

TEST_CASE("cells: submit --dry-run writes the sbatch script of the cells to do without Slurm, and submit without sbatch says so") {
  TempDir dir("cells-submit");
  const std::string exp = tiny_grid(dir / "four.toml", "four", dir / "out", kTinyWidths, "[0, 1]");
  REQUIRE(run_cli("run " + exp + " --cell 1 --no-progress").exit_code == 0);
  const std::string no_slurm = "env PATH=/nonexistent " + std::string(GENLAB_CLI);
  const auto dry = run_command(no_slurm + " submit --slurm " + exp + " --set model.sleep_ms=0 --max-parallel 2 --dry-run");
  INFO(dry.output);
  CHECK(dry.exit_code == 0);
  CHECK(dry.output.find("warning: squeue is not on PATH; queued cells were not excluded") != std::string::npos);
  CHECK(dry.output.find("4 cells, 3 to submit (0 running, 0 queued, 1 done)") != std::string::npos);
  CHECK(dry.output.find("#SBATCH --array=0,2-3%2\n") != std::string::npos);
  CHECK(dry.output.find(" --set 'model.sleep_ms=0' --cell \"$cell\" --no-progress\n") != std::string::npos);
  std::size_t scripts = 0;
  for (const auto& e : fs::directory_iterator(dir / "out" / "four" / "slurm")) scripts += e.path().extension() == ".sbatch";
  CHECK(scripts == 1);
  const auto real = run_command(no_slurm + " submit --slurm " + exp);
  CHECK(real.exit_code != 0);
  CHECK(real.output.find("cannot run sbatch: it is not on PATH") != std::string::npos);
}
