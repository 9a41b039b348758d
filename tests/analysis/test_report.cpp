// `genlab analyze` end to end through the CLI: the table on stdout, CSV on stdout with notes on
// stderr, paper numbers from --experiment, exit codes for an empty folder and a mistyped axis,
// and the HTML report: one self-contained file (PNG data URIs only) with the table, the
// excluded run, plots, the image sheet and provenance.
#include <doctest/doctest.h>

#include <algorithm>


#include "fixtures.hpp"
#include "genlab/analysis/report.hpp"

using namespace genlab;
using namespace genlab::analysis;
using namespace genlab::analysis::testing;
using genlab::testing::run_cli;

namespace {
void write_grid_with_samples(const fs::path& dir) {
  write_beta_grid(dir);
  synthetic::Run r = beta_run("img", "1.0", 3, 103);
  synthetic::Image img;
  img.shape = {8, 8};
  img.pixels.assign(64, 200);
  r.images["samples"] = {img};
  synthetic::write_run(dir, r);
}
}  // namespace

TEST_CASE("analyze CLI: Markdown table, CSV, references and exit codes") {
  genlab::testing::TempDir dir("analyze-cli");
  write_beta_grid(dir / "results");
  const std::string results = (dir / "results").string();
  auto r = run_cli("analyze " + results);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("| model.beta |") != std::string::npos);
  CHECK(r.output.find("103.0 ± 3.6 (3)") != std::string::npos);
  CHECK(r.output.find("b2s2") != std::string::npos);

  r = genlab::testing::run_command("{ " + std::string(GENLAB_CLI) + " analyze " + results +
                                    " --format csv --metric eval/neg_elbo 2>/dev/null; }");  // stdout only
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.rfind("model.beta,runs,finished,running,excluded,eval/neg_elbo_mean,eval/neg_elbo_std,eval/neg_elbo_n,"
                        "eval/neg_elbo_ci_lo,eval/neg_elbo_ci_hi\n", 0) == 0);
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 4);

  r = run_cli("analyze " + results + " --metric neg_elbo --baseline model.beta=1 --seeds-needed");
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("| 95% CI ") != std::string::npos);
  CHECK(r.output.find("Δ vs beta=1 [95% CI]") != std::string::npos);
  CHECK(r.output.find("| baseline ") != std::string::npos);
  CHECK(r.output.find("seeds for 80% power") != std::string::npos);
  r = run_cli("analyze " + results + " --metric neg_elbo --ci bootstrap");
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("95% CI (bootstrap)") != std::string::npos);
  CHECK(run_cli("analyze " + results + " --ci normal").exit_code == 2);
  CHECK(run_cli("analyze " + results + " --baseline model.gamma=1").exit_code == 2);
  CHECK(run_cli("analyze " + results + " --seeds-needed").exit_code == 2);

  const std::string exp = genlab::testing::write_file(dir / "exp.toml", R"([experiment]
name = "synthetic"
[model]
plugin = "vae"
[reference]
source = "Paper A, Table 2"
neg_elbo = 100.0
)");
  r = run_cli("analyze " + results + " --experiment " + exp + " --metric neg_elbo --at best");
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("| paper") != std::string::npos);
  CHECK(r.output.find("[1] Paper A, Table 2") != std::string::npos);
  CHECK(r.output.find("best eval/neg_elbo = its lowest value") != std::string::npos);

  fs::create_directories(dir / "empty");
  r = run_cli("analyze " + (dir / "empty").string());
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("no run files") != std::string::npos);

  r = run_cli("analyze " + results + " --by model.betta");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("did you mean 'model.beta'") != std::string::npos);
  r = run_cli("analyze " + results + " --at last");
  CHECK(r.exit_code == 2);
  r = run_cli("analyze " + (dir / "missing").string());
  CHECK(r.exit_code == 2);
}

TEST_CASE("analyze CLI: --report writes one self-contained HTML page") {
  genlab::testing::TempDir dir("analyze-report");
  write_grid_with_samples(dir / "results");
  const auto r = run_cli("analyze " + (dir / "results").string() + " --report " + (dir / "report").string());
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  const fs::path index = dir / "report" / "index.html";
  REQUIRE(fs::exists(index));
  const std::string html = file_text(index);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("</html>") != std::string::npos);
  CHECK(html.find("<th>eval/neg_elbo</th>") != std::string::npos);
  CHECK(html.find("103.0 ± 2.9 (4)") != std::string::npos);  // 100, 102, 107 and the extra run's 103
  CHECK(html.find("<tr class=\"excluded\">") != std::string::npos);
  CHECK(html.find("b2s2") != std::string::npos);
  CHECK(html.find("0123abcd") != std::string::npos);  // provenance: commit
  CHECK(html.find("testhost") != std::string::npos);  // ... and host
  // Self-contained: every src/href is a data URI; nothing is fetched.
  std::size_t images = 0;
  for (const std::string attr : {"src=\"", "href=\""}) {
    for (auto at = html.find(attr); at != std::string::npos; at = html.find(attr, at + 1)) {
      CHECK(html.compare(at + attr.size(), 22, "data:image/png;base64,") == 0);
      ++images;
    }
  }
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  if (r.output.find("gnuplot not found") == std::string::npos) {
    CHECK(images >= 5);  // curves of 2 metrics, 2 versus plots, the samples sheet
    CHECK(html.find("learning curves of eval/neg_elbo") != std::string::npos);
  }
  CHECK(html.find("image sheet &#39;samples&#39;") == std::string::npos);
  CHECK(html.find("image sheet 'samples'") != std::string::npos);
}

TEST_CASE("analyze: base64 and HTML escaping used by the report") {
  CHECK(base64("Man") == "TWFu");
  CHECK(base64("Ma") == "TWE=");
  CHECK(base64("M") == "TQ==");
  CHECK(base64("") == "");
  CHECK(html_escape("a<b & \"c\">") == "a&lt;b &amp; &quot;c&quot;&gt;");
}
