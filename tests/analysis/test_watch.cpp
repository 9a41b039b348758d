// analyze --watch: a report written while a grid runs shows a new evaluation after the next
// refresh. The watcher runs in a thread on a folder of synthetic run files; the test appends an
// evaluation to the running run and parses the rewritten HTML for it (and for the reload tag).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>

#include "fixtures.hpp"
#include "genlab/analysis/watch.hpp"
#include "genlab/error.hpp"

using namespace genlab;
using namespace genlab::analysis;
using namespace genlab::analysis::testing;

namespace {
// The cells of the first table row whose first cell is `first`, from the HTML text.
std::vector<std::string> row_cells(const std::string& html, const std::string& first) {
  std::vector<std::string> cells;
  const auto start = html.find("<td>" + first + "</td>");
  if (start == std::string::npos) return cells;
  const auto end = html.find("</tr>", start);
  for (auto pos = start; pos < end;) {
    const auto open = html.find('>', html.find("<td", pos)) + 1;
    const auto close = html.find("</td>", open);
    if (close > end) break;
    cells.push_back(html.substr(open, close - open));
    pos = close + 5;
  }
  return cells;
}

// Waits up to 60 s until `file` exists and `ready(text)` holds; returns the text.
std::string wait_for(const fs::path& file, const std::function<bool(const std::string&)>& ready) {
  for (int i = 0; i < 1200; ++i) {
    if (fs::exists(file)) {
      const std::string text = file_text(file);
      if (text.ends_with("</html>\n") && ready(text)) return text;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("timed out waiting for " << file);
  return "";
}
}  // namespace

TEST_CASE("analyze --watch: the report shows a running run's new evaluation after the next refresh") {
  genlab::testing::TempDir dir("watch");
  const fs::path results = dir / "results";
  write_beta_grid(results);
  AnalyzeOptions o;
  o.inputs = {results.string()};
  o.metrics = {"neg_elbo"};
  o.report_dir = (dir / "report").string();
  o.watch_s = 0.2;
  std::ostringstream out, err;
  std::atomic<bool> stop{false};
  std::thread watcher([&] { watch_analyze(o, out, err, [&] { return stop.load(); }); });
  struct Join {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Join() {
      stop = true;
      t.join();
    }
  } join{stop, watcher};

  const fs::path page = dir / "report" / "index.html";
  const std::string before = wait_for(page, [](const std::string& t) { return t.find("<td>b4s1</td>") != std::string::npos; });
  CHECK(before.find("<meta http-equiv=\"refresh\" content=\"1\">") != std::string::npos);  // 0.2 s rounds up to 1
  CHECK(before.find("id=\"live\"") != std::string::npos);
  std::vector<std::string> cells = row_cells(before, "b4s1");  // run, model.beta, seed, status, step, ...
  REQUIRE(cells.size() > 4);
  CHECK(cells[4] == "100");
  CHECK(before.find("88 ± 11 (2)*") != std::string::npos);  // (80 + 95) / 2

  {  // the running run logs its second evaluation
    RunWriter w = RunWriter::open_existing(results / "b4s1.h5");
    w.append_eval(200, 2.0, {{"neg_elbo", 77.0}, {"kl", 1.7}});
    w.commit();
  }
  const std::string after = wait_for(page, [](const std::string& t) {
    const auto c = row_cells(t, "b4s1");
    return c.size() > 4 && c[4] == "200";
  });
  CHECK(after.find("78.5 ± 2.1 (2)*") != std::string::npos);  // (80 + 77) / 2, std 3 / sqrt(2)
  CHECK(after.find("88 ± 11 (2)*") == std::string::npos);
  CHECK(err.str().find("watch: report rewritten") != std::string::npos);
}

TEST_CASE("analyze --watch: needs a report folder and a positive period") {
  AnalyzeOptions o;
  o.watch_s = 1;
  CHECK_THROWS_AS(watch_analyze(o, std::cout, std::cerr, [] { return true; }), ConfigError);
  CHECK(parse_watch_seconds("") == 5.0);
  CHECK(parse_watch_seconds("2.5") == 2.5);
  CHECK_THROWS_AS(parse_watch_seconds("0"), ConfigError);
  CHECK_THROWS_AS(parse_watch_seconds("soon"), ConfigError);
}
