// analyze's output formats and paper references: CSV parsed back by an RFC 4180 reader (numbers
// at full precision), LaTeX checked by its structure, Markdown columns aligned, and [reference]
// entries (all three spellings, with grid conditions) printed beside the measured values.
#include <doctest/doctest.h>

#include <algorithm>

#include "fixtures.hpp"
#include "genlab/analysis/aggregate.hpp"
#include "genlab/analysis/reference.hpp"
#include "genlab/analysis/tables.hpp"
#include "genlab/error.hpp"

using namespace genlab;
using namespace genlab::analysis;
using namespace genlab::analysis::testing;

namespace {
// RFC 4180: quoted fields may hold commas, quotes ("") and newlines.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\n') {
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  REQUIRE_FALSE(quoted);
  if (any || !row.empty()) rows.push_back(row);
  return rows;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  REQUIRE_MESSAGE(it != header.end(), "no column " << name);
  return static_cast<std::size_t>(it - header.begin());
}

struct Grid {
  genlab::testing::TempDir dir{"analyze-fmt"};
  std::vector<RunRecord> runs;
  Grid() {
    write_beta_grid(dir.path());
    runs = scan_runs(find_run_files({dir.path()}));
  }
};

std::size_t count_unescaped(const std::string& line, char c) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < line.size(); ++i) n += line[i] == c && (i == 0 || line[i - 1] != '\\');
  return n;
}
}  // namespace

TEST_CASE("analyze: CSV parses back with exact numbers, one row per group") {
  Grid g;
  const Analysis a = aggregate(g.runs, Query{});
  std::string side;
  const std::string csv = render_analysis(a, {}, TableFormat::Csv, false, &side);
  const auto rows = parse_csv(csv);
  REQUIRE(rows.size() == 4);  // header + 3 groups
  const auto& h = rows[0];
  for (const auto& r : rows) CHECK(r.size() == h.size());
  const std::size_t mean = column(h, "eval/neg_elbo_mean"), sd = column(h, "eval/neg_elbo_std"), n = column(h, "eval/neg_elbo_n");
  CHECK(std::stod(rows[1][mean]) == 103.0);
  CHECK(std::stod(rows[1][sd]) == doctest::Approx(std::sqrt(13.0)).epsilon(1e-15));
  CHECK(rows[1][n] == "3");
  CHECK(rows[2][column(h, "excluded")] == "1");
  CHECK(rows[3][column(h, "running")] == "1");
  CHECK(rows[1][column(h, "model.beta")] == "1.0");
  // The summary and marks went to the side channel, not into the CSV.
  CHECK(side.find("excluded: b2s2") != std::string::npos);
  CHECK(csv.find("±") == std::string::npos);

  const auto run_rows = parse_csv(render_analysis(a, {}, TableFormat::Csv, true, nullptr));
  REQUIRE(run_rows.size() == 9);  // header + 8 runs (every status)
  const std::size_t status = column(run_rows[0], "status");
  std::size_t diverged = 0;
  for (const auto& r : run_rows) diverged += r[status] == "diverged";
  CHECK(diverged == 1);
}

TEST_CASE("analyze: LaTeX output is a well-formed tabular with escaped cells") {
  Grid g;
  const Analysis a = aggregate(g.runs, Query{});
  const std::string tex = group_table(a, {}, TableFormat::Latex).render(TableFormat::Latex);
  std::vector<std::string> lines;
  std::stringstream s(tex);
  for (std::string line; std::getline(s, line);) lines.push_back(line);
  REQUIRE(lines.size() >= 7);
  const std::size_t cols = group_table(a, {}, TableFormat::Latex).header.size();
  CHECK(lines.front() == "\\begin{tabular}{" + std::string(cols, 'l') + "}");
  CHECK(lines.back() == "\\end{tabular}");
  std::size_t body = 0;
  for (const std::string& line : lines) {
    if (!line.ends_with("\\\\")) continue;
    ++body;
    CHECK(count_unescaped(line, '&') == cols - 1);
    CHECK(count_unescaped(line, '_') == 0);  // model.latent_dim would break LaTeX unescaped
  }
  CHECK(body == 4);  // header + 3 groups
  CHECK(tex.find("103.0 $\\pm$ 3.6 (3)") != std::string::npos);
  CHECK(tex.find("eval/neg\\_elbo") != std::string::npos);
  CHECK(tex.find("±") == std::string::npos);
  // The whole LaTeX output keeps its notes as comments.
  const std::string all = render_analysis(a, {}, TableFormat::Latex, false, nullptr);
  std::stringstream lines_all(all);
  for (std::string line; std::getline(lines_all, line);) {
    if (line.empty() || line[0] == '%' || line[0] == '\\' || line.ends_with("\\\\")) continue;
    FAIL_CHECK("LaTeX output line is neither table nor comment: " << line);
  }
}

TEST_CASE("analyze: Markdown columns line up with UTF-8 cells") {
  Grid g;
  const std::string md = group_table(aggregate(g.runs, Query{}), {}, TableFormat::Markdown).render();
  std::stringstream s(md);
  std::vector<std::size_t> bars;
  for (std::string line; std::getline(s, line);) {
    std::vector<std::size_t> pos;
    std::size_t col = 0;
    for (unsigned char c : line) {
      if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
      if (c == '|') pos.push_back(col);
      ++col;
    }
    if (bars.empty()) bars = pos;
    CHECK(pos == bars);
  }
  CHECK(md.find("± 3.6") != std::string::npos);
}

TEST_CASE("analyze: reference table entries in their three spellings") {
  const auto refs = parse_references(R"([reference]
source = "Paper A, Table 1"
neg_elbo = 100.0
"eval/kl" = { value = 2.5, source = "Paper B" }
iwae = [ { value = -90, where = { "model.beta" = 1.0 } }, { value = -80, where = { model = { beta = 2 } } } ]
)", "exp.toml");
  REQUIRE(refs.size() == 4);  // toml++ orders keys by name: eval/kl, iwae (2), neg_elbo
  auto of = [&](const std::string& metric) {
    std::vector<const Reference*> out;
    for (const Reference& r : refs) {
      if (r.metric.full() == metric) out.push_back(&r);
    }
    return out;
  };
  REQUIRE(of("eval/neg_elbo").size() == 1);
  CHECK(of("eval/neg_elbo")[0]->value == 100.0);
  CHECK(of("eval/neg_elbo")[0]->source == "Paper A, Table 1");
  REQUIRE(of("eval/kl").size() == 1);
  CHECK(of("eval/kl")[0]->value == 2.5);
  CHECK(of("eval/kl")[0]->source == "Paper B");
  const auto iwae = of("eval/iwae");
  REQUIRE(iwae.size() == 2);
  CHECK(iwae[0]->value == -90);
  CHECK(iwae[0]->source == "Paper A, Table 1");  // the table's default source
  CHECK(iwae[0]->where == std::vector<std::pair<std::string, std::string>>{{"model.beta", "1.0"}});
  CHECK(iwae[1]->where == std::vector<std::pair<std::string, std::string>>{{"model.beta", "2"}});

  const auto array_form = parse_references(R"toml([[reference]]
metric = "eval/neg_elbo"
value = 95.5
source = "Kingma & Welling (2014)"
)toml", "exp.toml");
  REQUIRE(array_form.size() == 1);
  CHECK(array_form[0].value == 95.5);
  CHECK_THROWS_AS(parse_references("[reference]\nneg_elbo = \"high\"\n", "exp.toml"), ConfigError);
  CHECK_THROWS_AS(parse_references("[[reference]]\nvalue = 1\n", "exp.toml"), ConfigError);
}

TEST_CASE("analyze: paper numbers printed next to the measured values with the difference") {
  Grid g;
  const Analysis a = aggregate(g.runs, Query{});
  const auto refs = parse_references(R"([reference]
source = "Paper A"
neg_elbo = [ { value = 100.0, where = { "model.beta" = 1 } }, { value = 95.0, where = { "model.beta" = 2 } } ]
)", "exp.toml");
  const Table t = group_table(a, refs, TableFormat::Markdown);
  const std::size_t m = column(t.header, "eval/neg_elbo");
  REQUIRE(t.header.at(m + 1) == "paper");
  REQUIRE(t.header.at(m + 2) == "Δ");
  CHECK(t.rows[0][m + 1] == "100 [1]");
  CHECK(t.rows[0][m + 2] == "+3.0");   // 103.0 - 100
  CHECK(t.rows[1][m + 1] == "95 [1]");
  CHECK(t.rows[1][m + 2] == "-3.0");   // 92.0 - 95
  CHECK(t.rows[2][m + 1].empty());     // beta = 4: no paper number
  const auto notes = footnotes(a, refs);
  CHECK(std::find(notes.begin(), notes.end(), "[1] Paper A") != notes.end());

  const auto rows = parse_csv(group_table(a, refs, TableFormat::Csv).render(TableFormat::Csv));
  CHECK(std::stod(rows[1][column(rows[0], "eval/neg_elbo_paper")]) == 100.0);
  CHECK(std::stod(rows[1][column(rows[0], "eval/neg_elbo_diff")]) == doctest::Approx(3.0));
  CHECK(rows[1][column(rows[0], "eval/neg_elbo_source")] == "Paper A");
}
