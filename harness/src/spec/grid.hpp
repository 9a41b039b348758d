// The [grid] table: product axes (cartesian) and zip groups (axes that move together), read and
// checked, then enumerated as cells. Order: product axes in file order, then zip groups in file
// order, the last one fastest; seeds (experiment.cpp) are innermost. It does not validate the
// values themselves: each cell is validated as a whole document, with the grid's locations.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "spec/check.hpp"
#include "spec/tree.hpp"

namespace genlab::spec {

struct GridAxis {
  std::string key;                // "model.beta"
  std::vector<std::string> path;  // {"model", "beta"}
  std::vector<Node> values;       // each with its own location in the grid table
  Location at;                    // where the axis key was written
};

// One dimension of the grid: a product axis (one GridAxis) or a zip group (several, same length).
struct GridDim {
  std::vector<GridAxis> axes;
  std::size_t size() const { return axes.empty() ? 0 : axes.front().values.size(); }
};

struct GridPlan {
  std::vector<GridDim> dims;
};

// Reads `grid` (may be null). Axes whose key is in `fixed` (set with --set) are dropped: the
// override fixes that key for every cell.
GridPlan read_grid(const Node* grid, const std::vector<std::string>& fixed, Errors& errors);

// Every cell as one value index per dimension, last dimension fastest. No dims: one empty cell.
std::vector<std::vector<std::size_t>> grid_cells(const GridPlan& plan);

// Writes the cell's values into a copy of the document (creating tables as needed).
Node apply_cell(const Node& doc, const GridPlan& plan, const std::vector<std::size_t>& cell);

// The grid coordinate text of a value: TOML spelling, strings unquoted ("ring8", "2.0", "[400]").
std::string coordinate_text(const Node& value);

}  // namespace genlab::spec
