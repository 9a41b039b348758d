// analyze's statistics against reference values: t quantiles and CDF, the t interval, Welch's
// test and its difference interval, Holm's correction, the power calculation, the bootstrap's
// reproducibility, and the baseline comparison of a synthetic beta grid in every table format.
// Reference numbers were computed once with SciPy 1.10.1 (Debian 12 python3-scipy) by the
// calls quoted beside them and pasted as literals; Holm's values are worked by hand.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "fixtures.hpp"
#include "genlab/analysis/compare.hpp"
#include "genlab/analysis/report.hpp"
#include "genlab/analysis/stats.hpp"
#include "genlab/analysis/tables.hpp"
#include "genlab/error.hpp"

using namespace genlab;
using namespace genlab::analysis;
using namespace genlab::analysis::testing;

namespace {
const std::vector<double> kX = {2.1, 2.5, 1.9, 2.8, 2.3};
const std::vector<double> kY = {3.0, 3.4, 2.7, 3.9};
const std::vector<double> kBeta1 = {100, 102, 107}, kBeta2 = {90, 94}, kBeta4 = {80, 95};

// SciPy 1.10's t quantile (cephes stdtrit) is good to ~1e-11 relative: Boost.Math's is closer to
// the truth (df = 2 has the closed form checked below), so SciPy values are matched to 1e-9.
doctest::Approx close(double v) { return doctest::Approx(v).epsilon(1e-9); }
}  // namespace

TEST_CASE("stats: t quantile and CDF match SciPy, also at non-integer degrees of freedom") {
  CHECK(stats::t_quantile(0.975, 2) == close(4.302652729911275));           // scipy.stats.t.ppf(0.975, 2)
  // df = 2: t_p = (2p - 1) / sqrt(2 p (1 - p)) exactly
  CHECK(stats::t_quantile(0.975, 2) == doctest::Approx(0.95 / std::sqrt(2 * 0.975 * 0.025)).epsilon(1e-14));
  CHECK(stats::t_quantile(0.975, 3.5) == close(2.9400886379827775));        // scipy.stats.t.ppf(0.975, 3.5)
  CHECK(stats::t_cdf(-2.0, 2.7) == close(0.07471171903525094));             // scipy.stats.t.cdf(-2.0, 2.7)
  CHECK(stats::normal_quantile(0.975) == close(1.959963984540054));         // scipy.stats.norm.ppf(0.975)
  CHECK(stats::normal_quantile(0.8) == close(0.8416212335729143));          // scipy.stats.norm.ppf(0.8)
}

TEST_CASE("stats: the t interval of the mean matches scipy.stats.t.interval") {
  // scipy.stats.t.interval(0.95, 4, loc=np.mean(x), scale=scipy.stats.sem(x))
  const stats::Interval x = stats::t_interval(kX);
  CHECK(x.lo == close(1.886305410339126));
  CHECK(x.hi == close(2.7536945896608747));
  // the same for [100, 102, 107] (df 2): 103 ± 4.3027 * sqrt(13 / 3)
  const stats::Interval b = stats::t_interval(kBeta1);
  CHECK(b.lo == close(94.04331410463357));
  CHECK(b.hi == close(111.95668589536643));
  CHECK_FALSE(stats::t_interval({5.0}).valid());  // n < 2: no interval
  CHECK_FALSE(stats::t_interval({}).valid());
}

TEST_CASE("stats: Welch's test matches scipy.stats.ttest_ind(equal_var=False)") {
  const stats::Welch w = stats::welch_test(kX, kY);
  REQUIRE(w.tested);
  CHECK(w.t == close(-3.067786930106297));   // ttest_ind(x, y, equal_var=False).statistic
  CHECK(w.p == close(0.02739098074499744));  // .pvalue
  // Welch-Satterthwaite df, by hand in numpy: (va + vb)^2 / (va^2 / 4 + vb^2 / 3), va = var(x, ddof=1) / 5
  CHECK(w.df == close(5.064560233630569));
  CHECK(w.diff == close(2.32 - 3.25));
  // diff ± scipy.stats.t.ppf(0.975, df) * se (SciPy 1.10 has no confidence_interval() for Welch)
  CHECK(w.diff_ci.lo == close(-1.7062938290156706));
  CHECK(w.diff_ci.hi == close(-0.1537061709843297));

  const stats::Welch ab = stats::welch_test(kBeta1, kBeta2);
  CHECK(ab.t == close(3.81051177665153));    // ttest_ind([100, 102, 107], [90, 94], equal_var=False)
  CHECK(ab.p == close(0.03730302812759739));
  CHECK(ab.df == close(2.7352297592997807));

  const stats::Welch one = stats::welch_test({1.0}, kY);
  CHECK_FALSE(one.tested);
  CHECK(one.why_not == "n < 2");
  const stats::Welch flat = stats::welch_test({1.0, 1.0}, {2.0, 2.0, 2.0});
  CHECK_FALSE(flat.tested);
  CHECK(flat.why_not == "zero variance");
}

TEST_CASE("stats: Holm's step-down correction, worked by hand") {
  // sorted 0.005, 0.01, 0.03, 0.04 -> x4 = 0.02, x3 = 0.03, x2 = 0.06, x1 = 0.04 -> running max 0.06
  const std::vector<double> adjusted = stats::holm_adjust({0.01, 0.04, 0.03, 0.005});
  REQUIRE(adjusted.size() == 4);
  CHECK(adjusted[0] == close(0.03));
  CHECK(adjusted[1] == close(0.06));
  CHECK(adjusted[2] == close(0.06));
  CHECK(adjusted[3] == close(0.02));
  const std::vector<double> capped = stats::holm_adjust({0.6, 0.5, stats::kNaN});
  CHECK(capped[0] == 1.0);  // 2 * 0.5 = 1.0, then max(1.0, 0.6)
  CHECK(capped[1] == 1.0);
  CHECK(std::isnan(capped[2]));  // NaN is not a test and does not count in m
}

TEST_CASE("stats: seeds needed for 80% power by the normal approximation") {
  // (norm.ppf(0.975) + norm.ppf(0.8))^2 * (1 + 1) / 1^2 = 15.6978 -> 16 per group (the textbook value)
  CHECK(stats::seeds_needed(1.0, 1.0, 1.0) == std::optional<std::size_t>(16));
  CHECK(stats::seeds_needed(-2.0, 1.0, 1.0) == std::optional<std::size_t>(4));  // 3.92 -> 4
  CHECK(stats::seeds_needed(100.0, 1.0, 1.0) == std::optional<std::size_t>(2));  // never fewer than 2
  CHECK_FALSE(stats::seeds_needed(0.0, 1.0, 1.0).has_value());
}

TEST_CASE("stats: the percentile bootstrap is reproducible, stays in the data range and depends on its seed") {
  const stats::Bootstrap b;
  const stats::Interval first = stats::bootstrap_interval(kX, 0.95, b);
  // means of 5 resampled values sit on a coarse lattice: another seed may hit the same quantiles,
  // so the seed dependence is checked on 7 irregular values
  const std::vector<double> irregular = {2.13, 2.57, 1.91, 2.86, 2.34, 2.71, 1.99};
  const stats::Interval again = stats::bootstrap_interval(kX, 0.95, b);
  REQUIRE(first.valid());
  CHECK(first.lo == again.lo);  // bit for bit
  CHECK(first.hi == again.hi);
  CHECK(first.lo >= 1.9);
  CHECK(first.hi <= 2.8);
  CHECK(first.lo < stats::mean(kX));
  CHECK(first.hi > stats::mean(kX));
  // 5 seeds: the percentile interval is narrower than the t interval (it ignores the t tails)
  const stats::Interval t = stats::t_interval(kX);
  CHECK(first.hi - first.lo < t.hi - t.lo);
  stats::Bootstrap other = b;
  other.seed = 7;
  const stats::Interval base = stats::bootstrap_interval(irregular, 0.95, b);
  const stats::Interval moved = stats::bootstrap_interval(irregular, 0.95, other);
  CHECK((moved.lo != base.lo || moved.hi != base.hi));
  CHECK(std::fabs(moved.lo - base.lo) < 0.05);  // Monte Carlo error of 10,000 resamples
  const stats::Interval same = stats::bootstrap_interval({4.0, 4.0, 4.0}, 0.95, b);
  CHECK(same.lo == 4.0);
  CHECK(same.hi == 4.0);
  CHECK_FALSE(stats::bootstrap_interval({4.0}, 0.95, b).valid());
  const stats::Interval d = stats::bootstrap_difference(kX, kY, 0.95, b);
  CHECK(d.lo < -0.93);
  CHECK(d.hi > -0.93);
  CHECK(d.hi < 0);
}

namespace {
struct Grid {
  genlab::testing::TempDir dir{"stats"};
  std::vector<RunRecord> runs;
  Analysis a;
  Grid() {
    write_beta_grid(dir.path());
    runs = scan_runs(find_run_files({dir.path()}));
    Query q;
    q.metrics = {{"eval", "neg_elbo"}};
    a = aggregate(runs, q);
  }
};

StatsOptions with_baseline(bool seeds) {
  StatsOptions o;
  o.baseline = {parse_baseline("model.beta=1")};
  o.seeds_needed = seeds;
  return o;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  REQUIRE_MESSAGE(it != header.end(), "no column " << name);
  return static_cast<std::size_t>(it - header.begin());
}
}  // namespace

TEST_CASE("analyze --baseline: Welch against beta = 1, Holm over both comparisons, marks in every format") {
  Grid g;
  REQUIRE(g.a.groups.size() == 3);
  const Statistics st = compute_statistics(g.a, with_baseline(true));
  const CellStats& base = st.cell(0, "eval/neg_elbo");
  CHECK(base.is_baseline);
  CHECK(base.ci.lo == close(94.04331410463357));  // the t interval above
  const Comparison& b2 = *st.cell(1, "eval/neg_elbo").comparison;
  const Comparison& b4 = *st.cell(2, "eval/neg_elbo").comparison;
  // ttest_ind([90, 94], [100, 102, 107], equal_var=False).pvalue = 0.03730302812759739
  // ttest_ind([80, 95], [100, 102, 107], equal_var=False).pvalue = 0.2690575921422886
  CHECK(b2.welch.p == close(0.03730302812759739));
  CHECK(b4.welch.p == close(0.2690575921422886));
  CHECK(b2.welch.diff == close(-11.0));
  CHECK(b2.p_holm == close(2 * 0.03730302812759739));  // smallest of two: x2
  CHECK(b4.p_holm == close(0.2690575921422886));       // running max(0.0746, 0.269 x 1)
  CHECK_FALSE(b2.significant);                          // 0.037 alone would be; Holm says no
  CHECK(st.tests.at("eval/neg_elbo") == 2);
  REQUIRE(b2.seeds_needed.has_value());
  // 7.848879 * (8 + 13) / 121 = 1.362 -> at least 2
  CHECK(*b2.seeds_needed == 2);

  const Table md = group_table(g.a, {}, TableFormat::Markdown, &st);
  const std::size_t delta = column(md.header, "Δ vs beta=1 [95% CI]");
  const std::size_t p = column(md.header, "p (Holm)");
  CHECK(md.rows[0][delta] == "baseline");
  CHECK(md.rows[1][delta].starts_with("-11.0 ["));
  CHECK(md.rows[1][p] == "0.075");
  CHECK(md.rows[1][p].find(kSignificantMark) == std::string::npos);
  CHECK(md.rows[0][column(md.header, "95% CI")] == "[94.0, 112.0]");

  // a looser alpha makes beta = 2 significant: the mark appears in Markdown, LaTeX, CSV and HTML
  StatsOptions loose = with_baseline(false);
  loose.alpha = 0.1;
  const Statistics sl = compute_statistics(g.a, loose);
  CHECK(sl.cell(1, "eval/neg_elbo").comparison->significant);
  const std::string text = render_analysis(g.a, {}, TableFormat::Markdown, false, nullptr, &sl);
  CHECK(text.find(std::string("0.075 ") + kSignificantMark) != std::string::npos);
  CHECK(text.find("Holm-corrected") != std::string::npos);
  const std::string tex = group_table(g.a, {}, TableFormat::Latex, &sl).render(TableFormat::Latex);
  CHECK(tex.find("0.075 $^\\dagger$") != std::string::npos);
  CHECK(tex.find("95\\% CI") != std::string::npos);
  const Table csv = group_table(g.a, {}, TableFormat::Csv, &sl);
  CHECK(csv.rows[1][column(csv.header, "eval/neg_elbo_vs_base_significant")] == "1");
  CHECK(csv.rows[2][column(csv.header, "eval/neg_elbo_vs_base_significant")] == "0");
  CHECK(std::stod(csv.rows[1][column(csv.header, "eval/neg_elbo_vs_base_p")]) == close(0.03730302812759739));
  CHECK(csv.rows[0][column(csv.header, "eval/neg_elbo_vs_base_note")] == "baseline");
  const std::string html = html_table(group_table(g.a, {}, TableFormat::Markdown, &sl));
  CHECK(html.find("<td class=\"significant\">0.075 †</td>") != std::string::npos);
}

TEST_CASE("analyze --baseline: a one-seed cell says n < 2: no test and is left out of Holm's family") {
  genlab::testing::TempDir dir{"stats_one"};
  write_beta_grid(dir.path());
  synthetic::write_run(dir.path(), beta_run("b8s0", "8.0", 0, 70));
  const std::vector<RunRecord> runs = scan_runs(find_run_files({dir.path()}));
  Query q;
  q.metrics = {{"eval", "neg_elbo"}};
  const Analysis a = aggregate(runs, q);
  REQUIRE(a.groups.size() == 4);
  const Statistics st = compute_statistics(a, with_baseline(true));
  CHECK(st.tests.at("eval/neg_elbo") == 2);  // beta 2 and 4; beta 8 has one seed
  const Table md = group_table(a, {}, TableFormat::Markdown, &st);
  CHECK(md.rows[3][column(md.header, "p (Holm)")] == "n < 2: no test");
  CHECK(md.rows[3][column(md.header, "95% CI")] == "n < 2");
  CHECK_THROWS_AS(compute_statistics(a, [] {
                    StatsOptions o;
                    o.baseline = {parse_baseline("model.beta=3")};
                    return o;
                  }()),
                  ConfigError);
  CHECK_THROWS_AS(parse_baseline("model.beta"), ConfigError);
  CHECK_THROWS_AS(parse_baseline("model.beta!=1"), ConfigError);
  CHECK(parse_baseline("model.hidden=[400, 200]").second == "[400, 200]");
  CHECK_THROWS_AS(compute_statistics(a, [] {
                    StatsOptions o;
                    o.baseline = {parse_baseline("model.gamma=1")};
                    return o;
                  }()),
                  ConfigError);
}
