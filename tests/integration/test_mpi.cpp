// genlab run --mpi under a real mpirun (Open MPI, loopback only, as root): 3 ranks, a 5-cell
// grid with one cell whose plugin segfaults. The 4 others finish bitwise identical to a local
// --jobs 1 run, the crash is reported, the exit code is non-zero, and idle ranks do not spin.
#include <doctest/doctest.h>

#include <sys/resource.h>

#include <chrono>
#include <regex>
#include <thread>

#include "support/tiny_grid.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
// cell 2 crashes at step 2; cell 3 sleeps 50 ms per step (2 s) while the other ranks wait
const char* kGrid = "[[grid.zip]]\n\"model.width\" = [2, 4, 6, 8, 10]\n"
                    "\"model.crash\" = [false, false, true, false, false]\n"
                    "\"model.sleep_ms\" = [0, 0, 0, 50, 0]\n";

double children_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}
}  // namespace

TEST_CASE("mpi: mpirun -n 3 runs a grid with a crashing cell: 4 cells as a local run, the crash reported, exit code 1") {
  const std::string mpiexec = GENLAB_TEST_MPIEXEC;
  REQUIRE_MESSAGE(!mpiexec.empty(), "genlab was built without Open MPI: install it (.ci/install-deps: openmpi-bin "
                                    "libopenmpi-dev) and re-run cmake");
  TempDir dir("mpi");
  const std::string exp = tiny_grid(dir / "grid.toml", "grid", dir / "out", kGrid);
  const std::string local = tiny_grid(dir / "local.toml", "grid", dir / "local", kGrid);
  // As root in a container, more ranks than cores, loopback only (../shared/SCALE_OUT.md).
  const std::string env = "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
                          "OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_oob_tcp_if_include=lo "
                          "OMPI_MCA_btl_tcp_if_include=lo "
                          "LSAN_OPTIONS=suppressions=" GENLAB_CLUSTER_SCRIPTS "/openmpi.lsan.supp ";  // dev preset
  CommandResult ref_run;  // the local reference meanwhile (without the crashing cell: --jobs 1 is in-process)
  std::thread reference([&] { ref_run = run_cli("run " + local + " --cells 0,1,3,4 --jobs 1 --no-progress"); });
  const double cpu0 = children_cpu_s();
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_command(env + mpiexec + " -n 3 --bind-to none " + GENLAB_CLI + " run " + exp + " --mpi --no-progress");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = children_cpu_s() - cpu0;
  INFO(r.output);
  MESSAGE("mpirun -n 3: " << wall << " s wall, " << cpu << " s CPU (all ranks and cells)");
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("genlab: 5 cells over 2 MPI worker ranks") != std::string::npos);
  CHECK(r.output.find("5 runs: 4 finished, 0 already finished, 0 diverged, 0 interrupted, 1 failed") != std::string::npos);
  const std::regex segfault("killed by (signal 11|SIGSEGV)");  // the executor's wording may change
  CHECK(std::regex_search(r.output, segfault));
  CHECK(r.output.find("[rank 1] cell ") != std::string::npos);  // both workers got cells
  CHECK(r.output.find("[rank 2] cell ") != std::string::npos);
  // While cell 3 sleeps ~2 s, two ranks only wait: spinning would cost about a core each. (The
  // CPU time counts the local reference run too: a few tenths of a second.)
  CHECK(wall > 2.0);
  CHECK(cpu < 0.6 * wall);

  const auto rows = cell_rows(exp);
  REQUIRE(rows.size() == 5);
  CHECK(rows[2].at("status") == "failed");
  CHECK(std::regex_search(rows[2].at("detail"), segfault));
  reference.join();
  REQUIRE_MESSAGE(ref_run.exit_code == 0, ref_run.output);
  const auto ref = cell_rows(local);
  REQUIRE(ref.size() == 5);
  for (const std::size_t i : {0u, 1u, 3u, 4u}) {
    CAPTURE(i);
    CHECK(rows[i].at("status") == "finished");
    CHECK(compare_runs(cell_file(rows, i, dir / "out", "grid"),
                       cell_file(ref, i, dir / "local", "grid")) == "");
  }
}
