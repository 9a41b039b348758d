// Run files with known values for the analyze tests, written through the store API: a beta
// axis with hand-computable means, a diverged run, a running run, an unreadable file and a
// metric whose attributes differ. It asserts nothing itself.
#pragma once
#include <cmath>
#include <fstream>
#include <sstream>
#include <limits>
#include <string>
#include <vector>

#include "support/run_helpers.hpp"
#include "synthetic_runs.hpp"

namespace genlab::analysis::testing {

namespace fs = std::filesystem;
using synthetic::Run;

inline const double kNan = std::numeric_limits<double>::quiet_NaN();

// A run of the beta grid: evaluations at steps 100, 200, 300 (epochs 1, 2, 3); neg_elbo goes
// first + 10, first + 5, final (so final != best only when final > first + 5).
inline Run beta_run(const std::string& id, const std::string& beta, std::int64_t seed, double final_value,
                    const std::string& status = "finished") {
  Run r;
  r.run_id = id;
  r.seed = seed;
  r.status = status;
  r.grid = {{"model.beta", beta}, {"model.latent_dim", "10"}};
  r.eval_steps = {100, 200, 300};
  r.eval["neg_elbo"] = {final_value + 10, final_value + 5, final_value};
  r.eval["kl"] = {1.0, 2.0, 3.0 + static_cast<double>(seed)};
  r.eval_attrs["neg_elbo"] = {{"split", std::string("test")}, {"n", std::int64_t{1000}}, {"definition", std::string("-ELBO")}};
  r.eval_attrs["kl"] = {{"split", std::string("test")}, {"n", std::int64_t{1000}}};
  r.train_steps = {50, 100, 150, 200, 250, 300};
  r.train["loss"] = {6, 5, 4, 3, 2, 1};
  return r;
}

// beta=1.0: finals 100, 102, 107 (mean 103, std sqrt(13)); beta=2.0: 90, 94 finished (mean 92,
// std sqrt(8)) and seed 2 diverged (1e9, must not count); beta=4.0: seed 0 finished 80,
// seed 1 running with only its first evaluation (85 + 10 = 95 at epoch 1).
inline void write_beta_grid(const fs::path& dir) {
  using synthetic::write_run;
  write_run(dir, beta_run("b1s0", "1.0", 0, 100));
  write_run(dir, beta_run("b1s1", "1.0", 1, 102));
  write_run(dir, beta_run("b1s2", "1.0", 2, 107));
  write_run(dir, beta_run("b2s0", "2.0", 0, 90));
  write_run(dir, beta_run("b2s1", "2.0", 1, 94));
  Run diverged = beta_run("b2s2", "2.0", 2, 1e9, "diverged");
  diverged.message = "evaluation at step 300 is not finite: neg_elbo";
  write_run(dir, diverged);
  write_run(dir, beta_run("b4s0", "4.0", 0, 80));
  Run running = beta_run("b4s1", "4.0", 1, 85, "running");
  running.eval_steps = {100};
  running.eval["neg_elbo"] = {95};
  running.eval["kl"] = {1.5};
  write_run(dir, running);
}

inline std::string file_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace genlab::analysis::testing
