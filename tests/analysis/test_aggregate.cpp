// analyze's grouping and pooling on run files with known values: default axes, mean and
// sample std against hand-computed numbers, final/best/epoch selection, a diverged run listed
// and kept out of the means, a running run marked, an unreadable file listed, --where, and a
// metric whose attributes differ never pooled.
#include <doctest/doctest.h>

#include <algorithm>

#include <fstream>

#include "fixtures.hpp"
#include "genlab/analysis/aggregate.hpp"
#include "genlab/analysis/tables.hpp"
#include "genlab/error.hpp"

using namespace genlab;
using namespace genlab::analysis;
using namespace genlab::analysis::testing;

namespace {
struct Scanned {
  genlab::testing::TempDir dir{"analyze"};
  std::vector<RunRecord> runs;
  void scan() { runs = scan_runs(find_run_files({dir.path()})); }
};

const Group& group_of(const Analysis& a, const std::string& beta) {
  for (const Group& g : a.groups) {
    if (same_value(g.coords.at(0), beta)) return g;
  }
  FAIL("no group beta=" << beta);
  return a.groups.front();
}
}  // namespace

TEST_CASE("analyze: groups by the varying axis and pools seeds into hand-computed mean and std") {
  Scanned s;
  write_beta_grid(s.dir.path());
  s.scan();
  REQUIRE(s.runs.size() == 8);
  const Analysis a = aggregate(s.runs, Query{});
  CHECK(a.axes == std::vector<std::string>{"model.beta"});  // latent_dim is constant, seed is pooled
  REQUIRE(a.groups.size() == 3);
  CHECK(a.groups[0].coords[0] == "1.0");
  CHECK(a.groups[2].coords[0] == "4.0");  // numeric order
  CHECK(a.metrics == std::vector<MetricRef>{{"eval", "kl"}, {"eval", "neg_elbo"}});

  const Pooled& b1 = group_of(a, "1").metrics.at("eval/neg_elbo");
  CHECK(b1.n() == 3);
  CHECK(b1.mean == doctest::Approx(103.0).epsilon(1e-12));
  CHECK(b1.std == doctest::Approx(std::sqrt(13.0)).epsilon(1e-12));  // ((-3)^2 + (-1)^2 + 4^2) / 2
  CHECK_FALSE(b1.includes_running);

  const Group& g2 = group_of(a, "2");
  const Pooled& b2 = g2.metrics.at("eval/neg_elbo");
  CHECK(b2.n() == 2);  // the diverged seed is not pooled
  CHECK(b2.mean == doctest::Approx(92.0).epsilon(1e-12));
  CHECK(b2.std == doctest::Approx(std::sqrt(8.0)).epsilon(1e-12));
  CHECK(g2.runs.size() == 3);  // ... but it is still in its group
  CHECK(g2.count("diverged") == 1);
  CHECK(g2.pooled_runs() == 2);

  const Pooled& b4 = group_of(a, "4").metrics.at("eval/neg_elbo");
  CHECK(b4.n() == 2);
  CHECK(b4.mean == doctest::Approx(87.5).epsilon(1e-12));  // 80 finished, 95 flushed by the running run
  CHECK(b4.std == doctest::Approx(std::sqrt(2 * 7.5 * 7.5)).epsilon(1e-12));
  CHECK(b4.includes_running);
}

TEST_CASE("analyze: the diverged run is listed with a visible mark and the cells show the marks") {
  Scanned s;
  write_beta_grid(s.dir.path());
  s.scan();
  const Analysis a = aggregate(s.runs, Query{});
  const Table excluded = excluded_table(a);
  REQUIRE(excluded.rows.size() == 1);
  CHECK(excluded.rows[0][0] == "b2s2");
  CHECK(excluded.rows[0][3] == std::string("diverged ") + kExcludedMark);
  CHECK(excluded.rows[0][4].find("not finite") != std::string::npos);

  const Table t = group_table(a, {}, TableFormat::Markdown);
  REQUIRE(t.rows.size() == 3);
  const auto col = static_cast<std::size_t>(std::find(t.header.begin(), t.header.end(), "eval/neg_elbo") - t.header.begin());
  REQUIRE(col < t.header.size());
  CHECK(t.rows[0][col] == "103.0 ± 3.6 (3)");
  CHECK(t.rows[1][1] == std::string("2 +1 diverged ") + kExcludedMark);
  CHECK(t.rows[1][col] == "92.0 ± 2.8 (2)");
  CHECK(t.rows[2][1] == std::string("2 (1 running") + kRunningMark + ")");
  CHECK(t.rows[2][col] == std::string("88 ± 11 (2)") + kRunningMark);

  std::string side;
  const std::string text = render_analysis(a, {}, TableFormat::Markdown, false, &side);
  CHECK(text.find("8 run files: 6 finished, 1 running, 1 diverged") != std::string::npos);
  CHECK(text.find("b2s2") != std::string::npos);
  CHECK(text.find("not in the means") != std::string::npos);
}

TEST_CASE("analyze: final, best, min, max and epoch:N pick the documented evaluation") {
  Scanned s;
  synthetic::Run r = beta_run("r0", "1.0", 0, 100);
  r.eval["neg_elbo"] = {120, 95, 100};  // best (lowest) is the middle one
  r.eval["accuracy"] = {0.5, 0.9, 0.8};
  synthetic::write_run(s.dir.path(), r);
  ScanOptions keep_loss;
  keep_loss.train_columns = {"loss"};
  s.runs = scan_runs(find_run_files({s.dir.path()}), keep_loss);
  const RunSummary& d = s.runs.at(0).data;
  const MetricRef nelbo{"eval", "neg_elbo"}, acc{"eval", "accuracy"};
  CHECK(pick(d, nelbo, parse_at("final"))->value == 100);
  CHECK(pick(d, nelbo, parse_at("best"))->value == 95);
  CHECK(pick(d, nelbo, parse_at("best"))->step == 200);
  CHECK(pick(d, acc, parse_at("best"))->value == 0.9);  // higher is better for accuracy
  CHECK(pick(d, nelbo, parse_at("max"))->value == 120);
  CHECK(pick(d, acc, parse_at("min"))->value == 0.5);
  CHECK(pick(d, nelbo, parse_at("epoch:1"))->value == 120);
  CHECK(pick(d, nelbo, parse_at("epoch:2.5"))->value == 95);  // last at or before epoch 2.5
  CHECK_FALSE(pick(d, nelbo, parse_at("epoch:4")).has_value());  // the run never got there
  CHECK(pick(d, nelbo, parse_at("step:300"))->value == 100);
  REQUIRE(pick(d, MetricRef{"train", "loss"}, parse_at("final")).has_value());
  CHECK(pick(d, MetricRef{"train", "loss"}, parse_at("final"))->value == 1);
  CHECK(pick(d, MetricRef{"train", "loss"}, parse_at("epoch:1"))->value == 5);  // train step 100 = epoch 1
  CHECK_FALSE(pick(d, MetricRef{"eval", "nope"}, parse_at("final")).has_value());
  CHECK_THROWS_AS(parse_at("last"), ConfigError);
  CHECK_THROWS_AS(parse_metric("foo/bar"), ConfigError);
}

TEST_CASE("analyze: NaN rows of other splits are skipped when picking the final value") {
  Scanned s;
  synthetic::Run r = beta_run("r0", "1.0", 0, 100);
  // Two rows per evaluation, as the runner writes them with a validation split: the test row
  // (val_* NaN) and then the validation row (test metrics NaN).
  r.eval_steps = {100, 100, 200, 200};
  r.eval["neg_elbo"] = {110, kNan, 100, kNan};
  r.eval["val_neg_elbo"] = {kNan, 111, kNan, 101};
  r.eval["kl"] = {1, kNan, 2, kNan};
  synthetic::write_run(s.dir.path(), r);
  s.scan();
  const Analysis a = aggregate(s.runs, Query{});
  CHECK(a.groups.at(0).metrics.at("eval/neg_elbo").mean == 100);
  // Validation metrics are left out of the default columns, with a note saying so.
  CHECK(a.groups.at(0).metrics.count("eval/val_neg_elbo") == 0);
  REQUIRE_FALSE(a.notes.empty());
  CHECK(a.notes.front() == "validation-split metrics not shown (ask with --metric): val_neg_elbo");
  Query q;
  q.metrics = {parse_metric("val_neg_elbo")};
  CHECK(aggregate(s.runs, q).groups.at(0).metrics.at("eval/val_neg_elbo").mean == 101);
}

TEST_CASE("analyze: --by, --where and an unknown axis") {
  Scanned s;
  write_beta_grid(s.dir.path());
  s.scan();
  Query q;
  q.where = {parse_condition("model.beta=1,4")};
  Analysis a = aggregate(s.runs, q);
  REQUIRE(a.groups.size() == 2);
  CHECK(a.matched == 5);
  q.where = {parse_condition("model.beta!=1.0"), parse_condition("status=finished")};
  a = aggregate(s.runs, q);
  CHECK(a.matched == 3);  // b2s0, b2s1, b4s0

  Query by;
  by.by = std::vector<std::string>{"model.latent_dim"};
  a = aggregate(s.runs, by);
  REQUIRE(a.groups.size() == 1);
  CHECK(a.groups[0].metrics.at("eval/neg_elbo").n() == 7);

  by.by = std::vector<std::string>{};  // one group
  CHECK(aggregate(s.runs, by).groups.at(0).label({}) == "all runs");

  by.by = std::vector<std::string>{"model.betta"};
  try {
    aggregate(s.runs, by);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("did you mean 'model.beta'") != std::string::npos);
  }
}

TEST_CASE("analyze: values whose metric attributes differ are not pooled and the attribute is named") {
  Scanned s;
  for (int seed = 0; seed < 3; ++seed) {
    synthetic::Run r = beta_run("k" + std::to_string(seed), "1.0", seed, 100 + seed);
    r.eval["iwae"] = {kNan, kNan, -90.0 - seed};
    r.eval_attrs["iwae"] = {{"split", std::string("test")}, {"k", std::int64_t{seed == 2 ? 100 : 5000}}};
    synthetic::write_run(s.dir.path(), r);
  }
  s.scan();
  Query q;
  q.metrics = {parse_metric("eval/iwae"), parse_metric("neg_elbo")};
  const Analysis a = aggregate(s.runs, q);
  REQUIRE(a.groups.size() == 2);  // one cell, two attribute sets
  std::map<std::string, const Group*> by_variant;
  for (const Group& g : a.groups) by_variant[g.variant] = &g;
  REQUIRE(by_variant.count("eval/iwae k=5000"));
  REQUIRE(by_variant.count("eval/iwae k=100"));
  CHECK(by_variant["eval/iwae k=5000"]->metrics.at("eval/iwae").n() == 2);
  CHECK(by_variant["eval/iwae k=5000"]->metrics.at("eval/iwae").mean == doctest::Approx(-90.5));
  CHECK(by_variant["eval/iwae k=100"]->metrics.at("eval/iwae").n() == 1);
  CHECK(by_variant["eval/iwae k=100"]->metrics.at("eval/iwae").mean == -92);
  bool noted = false;
  for (const std::string& n : a.notes) noted = noted || (n.find("eval/iwae not pooled") != std::string::npos && n.find("'k'") != std::string::npos);
  CHECK(noted);
  const Table t = group_table(a, {}, TableFormat::Markdown);
  CHECK(std::find(t.header.begin(), t.header.end(), "metric attributes") != t.header.end());
}

TEST_CASE("analyze: an unreadable file and a run being written are listed, not dropped") {
  Scanned s;
  write_beta_grid(s.dir.path());
  genlab::testing::write_file(s.dir / "broken.h5", "this is not HDF5");
  genlab::testing::write_file(s.dir / "sub" / "b9s0.h5.tmp", "a writer's temporary file is skipped");
  // A live run: one committed evaluation, one more pending (not flushed, so not visible).
  synthetic::Run live = beta_run("live", "8.0", 0, 70, "running");
  live.eval_steps = {100};
  live.eval["neg_elbo"] = {75};
  live.eval["kl"] = {1};
  const fs::path file = synthetic::write_run(s.dir.path() / "sub", live);
  RunWriter w = RunWriter::open_existing(file);
  w.append_eval(200, 2.0, {{"neg_elbo", 1.0}});
  s.scan();
  REQUIRE(s.runs.size() == 10);
  const Analysis a = aggregate(s.runs, Query{});
  REQUIRE(a.unreadable.size() == 1);
  CHECK(a.unreadable[0]->file.filename() == "broken.h5");
  const Table excluded = excluded_table(a);
  CHECK(excluded.rows.back()[3] == std::string("unreadable ") + kExcludedMark);
  const Group& g8 = group_of(a, "8");
  CHECK(g8.metrics.at("eval/neg_elbo").mean == 75);  // what was flushed
  CHECK(g8.metrics.at("eval/neg_elbo").includes_running);
  CHECK(summary_line(a).find("1 unreadable") != std::string::npos);
}

TEST_CASE("analyze: mean +- std cells round to the std's second significant digit") {
  CHECK(mean_std_cell(pool({95.1, 95.5, 96.0})) == "95.53 ± 0.45 (3)");
  CHECK(mean_std_cell(pool({1000, 1200})) == "1100 ± 141 (2)");
  CHECK(mean_std_cell(pool({0.00123})) == "0.0012300 (1)");
  CHECK(mean_std_cell(pool({})) == "—");
  const Pooled p = pool({2.0, 2.0});
  CHECK(p.std == 0);
  CHECK(mean_std_cell(p) == "2 ± 0 (2)");
}

TEST_CASE("analyze: per-run attributes (seconds, kl_per_dim, classifier path) do not split a pool") {
  Scanned s;
  for (int seed = 0; seed < 3; ++seed) {
    synthetic::Run r = beta_run("p" + std::to_string(seed), "1.0", seed, 100 + seed);
    r.eval["iwae"] = {kNan, kNan, -90.0 - seed};
    r.eval_attrs["iwae"] = {{"k", std::int64_t{5000}}, {"seconds", 100.0 + seed},
                            {"kl_per_dim", "[" + std::to_string(seed) + "]"},
                            {"classifier", "/tmp/c" + std::to_string(seed) + ".h5"}};
    synthetic::write_run(s.dir.path(), r);
  }
  s.scan();
  Query q;
  q.metrics = {parse_metric("eval/iwae")};
  const Analysis a = aggregate(s.runs, q);
  REQUIRE(a.groups.size() == 1);
  CHECK(a.groups[0].metrics.at("eval/iwae").n() == 3);
  CHECK(a.groups[0].metrics.at("eval/iwae").mean == doctest::Approx(-91.0));
  for (const std::string& n : a.notes) CHECK_MESSAGE(n.find("seconds") == std::string::npos, n);
}

TEST_CASE("analyze: FID scores of one classifier identity pool across its file hashes, other identities split") {
  Scanned s;
  // seeds 0 and 1 scored by two trainings of the same classifier (same id, different files);
  // seed 2 by another classifier
  const std::vector<std::string> ids = {"id-a", "id-a", "id-b"};
  for (int seed = 0; seed < 3; ++seed) {
    synthetic::Run r = beta_run("f" + std::to_string(seed), "1.0", seed, 100 + seed);
    r.eval["fid"] = {kNan, kNan, 10.0 + seed};
    r.eval_attrs["fid"] = {{"n", std::int64_t{1000}},
                           {"classifier_sha256", std::string(64, static_cast<char>('0' + seed))},
                           {"classifier_id", ids[static_cast<std::size_t>(seed)]}};
    synthetic::write_run(s.dir.path(), r);
  }
  s.scan();
  Query q;
  q.metrics = {parse_metric("eval/fid")};
  const Analysis a = aggregate(s.runs, q);
  REQUIRE(a.groups.size() == 2);  // id-a (seeds 0, 1) and id-b (seed 2)
  CHECK(a.groups[0].variant.find("classifier_id=id-a") != std::string::npos);
  CHECK(a.groups[0].variant.find("classifier_sha256") == std::string::npos);
  CHECK(a.groups[0].metrics.at("eval/fid").n() == 2);
  CHECK(a.groups[0].metrics.at("eval/fid").mean == doctest::Approx(10.5));
  CHECK(a.groups[1].metrics.at("eval/fid").n() == 1);
  for (const std::string& n : a.notes) CHECK_MESSAGE(n.find("classifier_sha256") == std::string::npos, n);
}
