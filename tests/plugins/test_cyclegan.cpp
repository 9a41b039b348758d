// The cyclegan plugin beyond the generic contract: a smoke run writes every translation metric
// with its card and both translation grids, reproduces and resumes bitwise (the image pools are
// in the checkpoint), fashion_edges has no B->A ground truth, the paired baseline trains on
// data.paired and refuses unpaired batches, a bad lambda_id is refused naming the key, and the
// U-Net-skip generators (g_skips) reproduce and resume bitwise too.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "genlab/error.hpp"
#include "genlab/executor.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
const fs::path kSmoke = fs::path(GENLAB_SOURCE_DIR) / "experiments" / "smoke" / "cyclegan.toml";

RunResult run_cyclegan(const fs::path& out, std::vector<std::string> extra) {
  std::vector<std::string> sets = {"experiment.output=\"" + out.string() + "\"", "run.checkpoint_every_epochs=0",
                                   "run.checkpoint_every_steps=3"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  const Experiment e = load_and_validate(kSmoke, sets);
  REQUIRE(e.runs.size() == 1);
  return run_one(e.runs[0], RunnerOptions{});
}

// Why a run did not finish: the exception's message, or the failed run's (the runner reports a
// plugin's error either way, depending on where it was thrown); "" if it finished.
std::string failure_of(const fs::path& out, std::vector<std::string> extra) {
  try {
    const RunResult r = run_cyclegan(out, std::move(extra));
    return r.status == RunStatus::Finished ? "" : r.message;
  } catch (const std::exception& e) {
    return e.what();
  }
}
// Runs `sets` again into dir/again (same bits as `reference`), then stopped after step 3 and
// resumed into dir/resumed (same bits again).
void check_repeats_and_resumes(const fs::path& dir, const std::vector<std::string>& sets, const fs::path& reference) {
  const RunResult again = run_cyclegan(dir / "again", sets);
  CHECK_MESSAGE(compare_runs(reference, again.file) == "", compare_runs(reference, again.file));
  std::vector<std::string> stop = sets;
  stop.push_back("run.stop_after_steps=3");
  CHECK(run_cyclegan(dir / "resumed", stop).status == RunStatus::Interrupted);
  const RunResult resumed = run_cyclegan(dir / "resumed", sets);
  REQUIRE(resumed.status == RunStatus::Finished);
  CHECK_MESSAGE(compare_runs(reference, resumed.file) == "", compare_runs(reference, resumed.file));
}
}  // namespace

TEST_CASE("cyclegan: translation metrics with cards and grids, reproducible, bitwise resume with pools") {
  TempDir dir("cyclegan-smoke");
  const RunResult a = run_cyclegan(dir / "a", {});
  REQUIRE_MESSAGE(a.status == RunStatus::Finished, a.message);
  const RunSummary s = read_run(a.file);
  for (const char* k : {"cycle_l1_ab", "cycle_l1_ba", "gt_mse_ab", "gt_l1_ab", "identity_mse_ab", "identity_l1_ab",
                        "gt_mse_ba", "gt_l1_ba", "identity_mse_ba", "identity_l1_ba", "d_acc_a", "d_acc_b",
                        "d_acc_a_real", "d_acc_b_fake"}) {
    INFO(k);
    REQUIRE(s.eval.count(k) == 1);
    CHECK(s.eval.at(k).size() == 2);  // steps 3 and 6
    for (double v : s.eval.at(k)) CHECK(std::isfinite(v));
    const AttrMap& card = s.eval_attrs.at(k);
    for (const char* field : {"definition", "unit", "better", "paper", "n"}) CHECK(card.count(field) == 1);
  }
  // the identity baseline does not depend on the model: one value at every evaluation
  CHECK(s.eval.at("identity_mse_ab")[0] == s.eval.at("identity_mse_ab")[1]);
  for (const char* k : {"g_loss", "d_loss", "cycle_l1", "identity_l1"}) CHECK(s.train.count(k) == 1);
  for (const char* img : {"translations_ab", "translations_ba"}) {
    CHECK(std::find(s.image_names.begin(), s.image_names.end(), img) != s.image_names.end());
  }
  check_repeats_and_resumes(dir.path(), {}, a.file);
}

TEST_CASE("cyclegan: fashion_edges has only A->B ground truth, and batch norm with minimax runs") {
  TempDir dir("cyclegan-edges");
  const RunResult r = run_cyclegan(dir / "out", {"data.name=\"fashion_edges\"", "model.norm=\"batch\"",
                                                 "model.loss=\"minimax\"", "model.lambda_id=0"});
  REQUIRE_MESSAGE(r.status == RunStatus::Finished, r.message);
  const RunSummary s = read_run(r.file);
  CHECK(s.eval.count("gt_mse_ab") == 1);
  CHECK(s.eval.count("gt_mse_ba") == 0);
  CHECK(s.train.at("identity_l1")[0] == 0.0);  // lambda_id = 0: the identity loss is not computed
}

TEST_CASE("cyclegan: the paired baseline trains on data.paired and refuses unpaired batches") {
  TempDir dir("cyclegan-paired");
  const RunResult r = run_cyclegan(dir / "ok", {"model.mode=\"paired\"", "data.paired=true"});
  REQUIRE_MESSAGE(r.status == RunStatus::Finished, r.message);
  CHECK(read_run(r.file).eval.count("gt_mse_ab") == 1);
  const std::string bad = failure_of(dir / "bad", {"model.mode=\"paired\""});
  CHECK_MESSAGE(bad.find("needs a paired training set (data.paired = true)") != std::string::npos, bad);
}

TEST_CASE("cyclegan: lambda_id below 0 other than -1 is refused") {
  TempDir dir("cyclegan-lambda");
  const std::string why = failure_of(dir / "out", {"model.lambda_id=-0.5"});
  CHECK_MESSAGE(why.find("model.lambda_id must be >= 0, or -1") != std::string::npos, why);
}

TEST_CASE("cyclegan: U-Net skips (g_skips) train to finite metrics, reproduce and resume bitwise") {
  TempDir dir("cyclegan-skips");
  const std::vector<std::string> skips = {"model.g_skips=true", "model.norm=\"batch\""};
  const RunResult a = run_cyclegan(dir / "a", skips);
  REQUIRE_MESSAGE(a.status == RunStatus::Finished, a.message);
  const RunSummary s = read_run(a.file);
  for (const char* k : {"gt_mse_ab", "gt_mse_ba", "cycle_l1_ab", "cycle_l1_ba"}) {
    INFO(k);
    REQUIRE(s.eval.count(k) == 1);
    for (double v : s.eval.at(k)) CHECK(std::isfinite(v));
  }
  // the skips widen the decoder's last two layers: a different net from the plain generator's
  const RunResult plain = run_cyclegan(dir / "plain", {"model.norm=\"batch\""});
  REQUIRE(plain.status == RunStatus::Finished);
  CHECK(read_run(plain.file).eval.at("gt_mse_ab") != s.eval.at("gt_mse_ab"));
  check_repeats_and_resumes(dir.path(), skips, a.file);
}

TEST_CASE("cyclegan: a lambda_cycle ramp changes training and resumes bitwise across the ramp") {
  TempDir dir("cyclegan-ramp");
  const std::vector<std::string> ramp = {"model.lambda_cycle_ramp_steps=5", "model.lambda_id=0"};
  const RunResult a = run_cyclegan(dir / "a", ramp);
  REQUIRE_MESSAGE(a.status == RunStatus::Finished, a.message);
  const RunResult flat = run_cyclegan(dir / "flat", {"model.lambda_id=0"});
  REQUIRE(flat.status == RunStatus::Finished);
  // step 0's g_loss has no cycle term under the ramp, the full one without it
  CHECK(read_run(a.file).train.at("g_loss")[0] < read_run(flat.file).train.at("g_loss")[0]);
  check_repeats_and_resumes(dir.path(), ramp, a.file);  // the stop after step 3 is inside the ramp (steps 0-4)
}
