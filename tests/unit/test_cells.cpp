// Cell lists, Slurm array ranges and sbatch scripts, without a scheduler: the parts of
// scale-out that are pure functions (the Slurm test in tests/integration runs them for real).
#include <doctest/doctest.h>

#include "genlab/cells.hpp"
#include "genlab/error.hpp"
#include "genlab/slurm.hpp"

using namespace genlab;

TEST_CASE("cells: cell lists parse to sorted unique indices and print back as Slurm array ranges") {
  CHECK(parse_cell_list("3", 10, "--cells") == std::vector<std::size_t>{3});
  CHECK(parse_cell_list("7-9,3,8", 10, "--cells") == std::vector<std::size_t>{3, 7, 8, 9});
  CHECK(parse_cell_list("0-0", 1, "--cells") == std::vector<std::size_t>{0});
  CHECK(format_cell_ranges({}) == "");
  CHECK(format_cell_ranges({5}) == "5");
  CHECK(format_cell_ranges({0, 1, 2, 3, 7, 9, 10, 11, 12}) == "0-3,7,9-12");
  CHECK(format_cell_ranges({1, 3}) == "1,3");
  const std::vector<std::size_t> some{0, 2, 3, 4, 8, 11, 12};
  CHECK(parse_cell_list(format_cell_ranges(some), 13, "x") == some);
  CHECK_THROWS_WITH_AS(parse_cell_list("10", 10, "--cells"),
                       "--cells: cell 10 does not exist (the grid has 10 cells: 0-9)", ConfigError);
  CHECK_THROWS_AS(parse_cell_list("", 10, "--cells"), ConfigError);
  CHECK_THROWS_AS(parse_cell_list("1,,2", 10, "--cells"), ConfigError);
  CHECK_THROWS_AS(parse_cell_list("-3", 10, "--cells"), ConfigError);
  CHECK_THROWS_AS(parse_cell_list("5-2", 10, "--cells"), ConfigError);
  CHECK_THROWS_AS(parse_cell_list("1 ", 10, "--cells"), ConfigError);
}

TEST_CASE("cells: the sbatch script runs one cell per array task, quotes what reaches the shell, and splits at MaxArraySize") {
  SlurmJob common;
  common.genlab = "/opt/genlab/bin/genlab";
  common.experiment = "/home/me/exp's.toml";
  common.sets = {"model.beta=2", "data.path=/my data"};
  common.workdir = "/home/me";
  common.log_dir = "/home/me/results/e/slurm";
  common.job_name = "genlab-e-01234567";
  common.options.max_parallel = 4;
  common.options.time = "1:00:00";
  common.options.partition = "gpu";
  const auto jobs = slurm_jobs({0, 1, 2, 5, 1000, 1001, 1500, 2500}, common);
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].offset == 0);
  CHECK(jobs[0].cells == std::vector<std::size_t>{0, 1, 2, 5, 1000});
  CHECK(jobs[1].offset == 1001);
  CHECK(jobs[1].job_name == "genlab-e-01234567+1001");
  CHECK(jobs[1].cells == std::vector<std::size_t>{1001, 1500});
  CHECK(jobs[2].offset == 2002);
  const std::string s0 = sbatch_script(jobs[0]);
  CHECK(s0.rfind("#!/bin/bash\n", 0) == 0);
  CHECK(s0.find("#SBATCH --array=0-2,5,1000%4\n") != std::string::npos);
  CHECK(s0.find("#SBATCH --job-name=genlab-e-01234567\n") != std::string::npos);
  CHECK(s0.find("#SBATCH --output=/home/me/results/e/slurm/cell%a.%A.out\n") != std::string::npos);
  CHECK(s0.find("#SBATCH --chdir=/home/me\n") != std::string::npos);
  CHECK(s0.find("#SBATCH --partition=gpu\n") != std::string::npos);
  CHECK(s0.find("#SBATCH --time=1:00:00\n#SBATCH --signal=B:TERM@120\n") != std::string::npos);
  CHECK(s0.find("cell=$((SLURM_ARRAY_TASK_ID + 0))\n") != std::string::npos);
  CHECK(s0.find("exec '/opt/genlab/bin/genlab' run '/home/me/exp'\\''s.toml' --set 'model.beta=2' "
                "--set 'data.path=/my data' --cell \"$cell\" --no-progress\n") != std::string::npos);
  const std::string s1 = sbatch_script(jobs[1]);
  CHECK(s1.find("#SBATCH --array=0,499%4\n") != std::string::npos);  // cells 1001 and 1500
  CHECK(s1.find("#SBATCH --output=/home/me/results/e/slurm/cell%a+1001.%A.out\n") != std::string::npos);
  CHECK(s1.find("cell=$((SLURM_ARRAY_TASK_ID + 1001))\n") != std::string::npos);
}

TEST_CASE("cells: Slurm time limits are read in every sbatch spelling, and the SIGTERM grace fits inside them") {
  CHECK(slurm_time_seconds("30") == 1800);
  CHECK(slurm_time_seconds("30:15") == 1815);
  CHECK(slurm_time_seconds("2:00:00") == 7200);
  CHECK(slurm_time_seconds("1-12") == 129600);
  CHECK(slurm_time_seconds("1-0:30") == 88200);
  CHECK(slurm_time_seconds("2-1:02:03") == 2 * 86400 + 3723);
  CHECK(slurm_time_seconds("0") == 0);  // no limit
  CHECK(slurm_time_seconds("UNLIMITED") == 0);
  for (const char* bad : {"", "1:2:3:4", "a", "1h", "-5", "1-", ":30", "10:"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(slurm_time_seconds(bad), ConfigError);
  }
  SlurmJob job;
  job.cells = {0};
  job.options.time = "10:00";  // 600 s: a 120 s warning would be a fifth of the run
  CHECK(sbatch_script(job).find("#SBATCH --signal=B:TERM@60\n") != std::string::npos);
  job.options.time = "5";
  CHECK(sbatch_script(job).find("#SBATCH --signal=B:TERM@30\n") != std::string::npos);
  job.options.time = "1-0";
  CHECK(sbatch_script(job).find("#SBATCH --signal=B:TERM@120\n") != std::string::npos);
  job.options.time = "UNLIMITED";
  CHECK(sbatch_script(job).find("#SBATCH --time=UNLIMITED\n") != std::string::npos);
  CHECK(sbatch_script(job).find("--signal") == std::string::npos);
}
