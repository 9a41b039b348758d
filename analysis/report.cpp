// The self-contained HTML report: sections rendered from an Analysis and its tables, PNGs
// inlined as data URIs so the single index.html can be mailed or opened from disk. It
// contains no script and loads nothing from anywhere (a live one only reloads itself).
#include "genlab/analysis/report.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

#include "genlab/analysis/tables.hpp"
#include "genlab/error.hpp"

namespace genlab::analysis {

namespace fs = std::filesystem;

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static const char* const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t left = bytes.size() - i;
    std::uint32_t v = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (left > 1) v |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
    if (left > 2) v |= static_cast<std::uint8_t>(bytes[i + 2]);
    out += digits[(v >> 18) & 63];
    out += digits[(v >> 12) & 63];
    out += left > 1 ? digits[(v >> 6) & 63] : '=';
    out += left > 2 ? digits[v & 63] : '=';
  }
  return out;
}

std::string html_table(const Table& t, const std::string& css_class) {
  std::string out = "<table" + (css_class.empty() ? std::string() : " class=\"" + css_class + "\"") + ">\n<thead><tr>";
  for (const std::string& h : t.header) out += "<th>" + html_escape(h) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows) {
    bool excluded = false, running = false;
    for (const std::string& cell : row) {
      excluded = excluded || cell.find(kExcludedMark) != std::string::npos;
      running = running || cell.ends_with(kRunningMark);
    }
    out += excluded ? "<tr class=\"excluded\">" : running ? "<tr class=\"running\">" : "<tr>";
    for (const std::string& cell : row) {
      const bool significant = cell.find(kSignificantMark) != std::string::npos;
      out += (significant ? "<td class=\"significant\">" : "<td>") + html_escape(cell) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::vector<std::pair<std::string, std::size_t>> attribute_values(const Analysis& a, const std::vector<std::string>& keys) {
  std::map<std::string, std::size_t> counts;
  for (const Group& g : a.groups) {
    for (const RunRecord* r : g.runs) {
      std::string value;
      for (const std::string& k : keys) {
        const auto it = r->data.attrs.find(k);
        std::string v = it == r->data.attrs.end() ? std::string() : attr_to_string(it->second);
        if (k.ends_with("sha256") && v.size() > 16) v = v.substr(0, 16) + "…";
        if (!v.empty()) value += (value.empty() ? "" : " ") + v;
      }
      ++counts[value.empty() ? "(not recorded)" : value];
    }
  }
  return {counts.begin(), counts.end()};
}

namespace {
const char* const kStyle = R"(body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:2em auto;max-width:1400px;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;white-space:nowrap}
th{background:#f0f0f0}tbody tr:nth-child(even){background:#fafafa}
tr.excluded{background:#fde2e2 !important}td.significant{font-weight:bold;background:#dff0d8}tr.running{background:#fff6d5 !important}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
figure img{max-width:100%;border:1px solid #ddd}figcaption{font-size:.85em;color:#555}
.warn{color:#a40000}.meta{color:#555;font-size:.9em}code{background:#f4f4f4;padding:0 .2em}
ul.notes{font-size:.9em})";

std::string figure_html(const Figure& f) {
  std::ifstream in(f.png, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in) throw Error("report: cannot read " + f.png.string());
  return "<figure><img alt=\"" + html_escape(f.title) + "\" src=\"data:image/png;base64," + base64(bytes.str()) +
         "\"><figcaption>" + html_escape(f.title) + (f.caption.empty() ? "" : ": " + html_escape(f.caption)) +
         "</figcaption></figure>\n";
}

std::string provenance_html(const Analysis& a) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> rows = {
      {"genlab version, commit", {"genlab_version", "git_commit"}},
      {"plugin, version, file hash", {"plugin", "plugin_version", "plugin_sha256"}},
      {"host", {"host"}},
      {"compiler", {"compiler"}},
      {"BLAS, threads", {"blas", "blas_threads"}},
      {"float mode", {"float_mode"}},
      {"experiment", {"experiment"}}};
  Table t;
  t.header = {"what", "value", "runs"};
  for (const auto& [what, keys] : rows) {
    for (const auto& [value, n] : attribute_values(a, keys)) t.rows.push_back({what, value, std::to_string(n)});
  }
  return html_table(t, "provenance");
}

// <meta http-equiv="refresh">: the page reloads itself, no script needed.
std::string refresh_html(double seconds) {
  if (!(seconds > 0)) return "";
  const long s = std::max(1L, std::lround(seconds));
  return "<meta http-equiv=\"refresh\" content=\"" + std::to_string(s) + "\">\n";
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}
}  // namespace

fs::path write_report(const fs::path& dir, const ReportInput& in) {
  const Analysis& a = *in.analysis;
  static const std::vector<Reference> no_refs;
  const std::vector<Reference>& refs = in.references ? *in.references : no_refs;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("report: cannot create " + dir.string() + ": " + ec.message());
  std::string experiments;
  for (const auto& [name, n] : attribute_values(a, {"experiment"})) experiments += (experiments.empty() ? "" : ", ") + name;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>genlab analyze: " +
                  html_escape(experiments) + "</title>\n" + refresh_html(in.refresh_s) + "<style>\n" + kStyle +
                  "\n</style>\n</head>\n<body>\n";
  h += "<h1>genlab analyze: " + html_escape(experiments.empty() ? "no runs" : experiments) + "</h1>\n";
  h += "<p class=\"meta\">" + html_escape(now_utc()) + " &middot; <code>" + html_escape(in.command) + "</code><br>results: ";
  for (std::size_t i = 0; i < in.inputs.size(); ++i) h += (i ? ", " : "") + std::string("<code>") + html_escape(in.inputs[i]) + "</code>";
  h += "</p>\n<p>" + html_escape(summary_line(a)) + "</p>\n";
  if (in.refresh_s > 0) {
    h += "<p class=\"meta\" id=\"live\">live report: rewritten by <code>genlab analyze --watch</code> as run files change; "
         "this page reloads every " + format_number(in.refresh_s, 4) + " s</p>\n";
  }
  for (const std::string& w : in.warnings) h += "<p class=\"warn\">" + html_escape(w) + "</p>\n";
  h += "<h2 id=\"results\">Results</h2>\n" + html_table(group_table(a, refs, TableFormat::Markdown, in.statistics), "results");
  h += "<ul class=\"notes\">\n";
  for (const std::string& n : footnotes(a, refs, in.statistics)) h += "<li>" + html_escape(n) + "</li>\n";
  h += "</ul>\n";
  const Table excluded = excluded_table(a);
  if (!excluded.rows.empty()) h += "<h2 id=\"excluded\">Not in the means</h2>\n" + html_table(excluded, "excluded");
  if (!in.plots.empty()) {
    h += "<h2 id=\"plots\">Plots</h2>\n";
    for (const Figure& f : in.plots) h += figure_html(f);
  }
  if (!in.sheets.empty()) {
    h += "<h2 id=\"images\">Image sheets</h2>\n";
    for (const Figure& f : in.sheets) h += figure_html(f);
  }
  h += "<h2 id=\"provenance\">Provenance</h2>\n" + provenance_html(a);
  h += "<h2 id=\"runs\">Runs</h2>\n<details><summary>every run (" + std::to_string(a.matched) + ")</summary>\n" +
       html_table(runs_table(a, TableFormat::Markdown), "runs") + "</details>\n</body>\n</html>\n";
  const fs::path file = dir / "index.html";
  std::ofstream out(file, std::ios::binary);
  out << h;
  out.close();
  if (!out) throw Error("report: cannot write " + file.string());
  return file;
}

}  // namespace genlab::analysis
