// A small text table rendered as aligned Markdown, CSV or LaTeX, used by `genlab run`'s summary,
// `genlab show` and `genlab analyze`. It does not format numbers: cells arrive as strings.
#pragma once
#include <string>
#include <vector>

namespace genlab {

enum class TableFormat { Markdown, Csv, Latex };

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string render(TableFormat format = TableFormat::Markdown) const;
};

std::string format_number(double value, int significant = 5);  // "244.31", "1.2e-05", "nan"

}  // namespace genlab
