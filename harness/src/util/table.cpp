// Table rendering: Markdown with padded columns (UTF-8 aware), RFC 4180 CSV, LaTeX tabular with
// escaping (and the symbols analyze uses: ±, Δ, ✗, — in LaTeX spelling).
#include "genlab/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

namespace genlab {

std::string format_number(double value, int significant) {
  if (std::isnan(value)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", significant, value);
  return buf;
}

namespace {
std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Symbols analyze puts in cells (UTF-8), in LaTeX spelling.
const std::pair<const char*, const char*> kLatexSymbols[] = {
    {"±", "$\\pm$"}, {"Δ", "$\\Delta$"}, {"✗", "$\\times$"}, {"—", "---"}, {"…", "\\ldots{}"}, {"×", "$\\times$"}, {"†", "$^\\dagger$"}};

std::string latex_cell(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    bool replaced = false;
    for (const auto& [utf8, latex] : kLatexSymbols) {
      if (s.compare(i, std::char_traits<char>::length(utf8), utf8) == 0) {
        out += latex;
        i += std::char_traits<char>::length(utf8) - 1;
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    switch (c) {
      case '_': case '%': case '&': case '#': case '$': case '{': case '}': out += '\\'; out += c; break;
      case '\\': out += "\\textbackslash{}"; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      default: out += c;
    }
  }
  return out;
}

// Display width of UTF-8 text: one column per code point (continuation bytes do not count).
std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string join_row(const std::vector<std::string>& cells, const std::string& sep,
                     std::string (*escape)(const std::string&)) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? sep : "") + escape(cells[i]);
  return out;
}
}  // namespace

std::string Table::render(TableFormat format) const {
  if (format == TableFormat::Csv) {
    std::string out = join_row(header, ",", csv_cell) + "\n";
    for (const auto& r : rows) out += join_row(r, ",", csv_cell) + "\n";
    return out;
  }
  if (format == TableFormat::Latex) {
    std::string out = "\\begin{tabular}{" + std::string(header.size(), 'l') + "}\n\\hline\n";
    out += join_row(header, " & ", latex_cell) + " \\\\\n\\hline\n";
    for (const auto& r : rows) out += join_row(r, " & ", latex_cell) + " \\\\\n";
    return out + "\\hline\n\\end{tabular}\n";
  }
  std::vector<std::size_t> width(header.size(), 3);
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = std::max(width[c], display_width(header[c]));
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], display_width(r[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (std::size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      out += " " + cell + std::string(width[c] - display_width(cell), ' ') + " |";
    }
    return out + "\n";
  };
  std::string out = line(header) + "|";
  for (auto w : width) out += std::string(w + 2, '-') + "|";
  out += "\n";
  for (const auto& r : rows) out += line(r);
  return out;
}

}  // namespace genlab
