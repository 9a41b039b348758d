// Grid reading and enumeration (grid.hpp). Axis keys may be written quoted ("model.beta" = [..])
// or as TOML dotted keys (model.beta = [..]); both mean the same axis. It checks structure
// (arrays, equal zip lengths, valid and unique keys), not the values.
#include "spec/grid.hpp"

#include <map>

#include "genlab/error.hpp"
#include "spec/sections.hpp"

namespace genlab::spec {

namespace {
std::vector<std::string> split(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (auto dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    parts.push_back(key.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(key.substr(start));
  return parts;
}

// The axes of one table ([grid.product] or one [[grid.zip]]), dotted sub-tables flattened.
void collect_axes(const Node& table, const std::string& prefix, const std::string& where,
                  std::vector<GridAxis>& out, Errors& errors) {
  for (const auto& [name, node] : table.entries) {
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (node.is_table()) {
      collect_axes(node, key, where, out, errors);
      continue;
    }
    if (const std::string problem = grid_axis_problem(key); !problem.empty()) {
      errors.add(node.key_at, problem);
      continue;
    }
    if (node.kind != Node::Kind::Array || node.items.empty()) {
      errors.add(node.at, where + " axis '" + key + "' must be a non-empty array of values (got " +
                              describe_node(node) + ")");
      continue;
    }
    out.push_back(GridAxis{key, split(key), node.items, node.key_at});
  }
}

bool is_fixed(const std::vector<std::string>& fixed, const std::string& key) {
  for (const std::string& f : fixed) {
    if (f == key) return true;
  }
  return false;
}

std::vector<GridAxis> without_fixed(std::vector<GridAxis> axes, const std::vector<std::string>& fixed) {
  std::vector<GridAxis> kept;
  for (GridAxis& a : axes) {
    if (!is_fixed(fixed, a.key)) kept.push_back(std::move(a));
  }
  return kept;
}

void read_product(const Node& product, const std::vector<std::string>& fixed, GridPlan& plan,
                  Errors& errors) {
  if (!product.is_table()) {
    errors.add(product.at, "grid.product must be a table of axes (got " + describe_node(product) + ")");
    return;
  }
  std::vector<GridAxis> axes;
  collect_axes(product, "", "grid.product", axes, errors);
  for (GridAxis& a : without_fixed(std::move(axes), fixed)) plan.dims.push_back(GridDim{{std::move(a)}});
}

void read_zip_group(const Node& group, std::size_t number, const std::vector<std::string>& fixed,
                    GridPlan& plan, Errors& errors) {
  const std::string name = "grid.zip #" + std::to_string(number);
  if (!group.is_table()) {
    errors.add(group.at, name + " must be a table of axes (got " + describe_node(group) + ")");
    return;
  }
  std::vector<GridAxis> axes;
  collect_axes(group, "", name, axes, errors);
  for (const GridAxis& a : axes) {
    if (a.values.size() == axes.front().values.size()) continue;
    errors.add(a.at, name + ": zipped axes must have the same length ('" + axes.front().key +
                         "' has " + std::to_string(axes.front().values.size()) + " values, '" +
                         a.key + "' has " + std::to_string(a.values.size()) + ")");
    return;
  }
  axes = without_fixed(std::move(axes), fixed);
  if (!axes.empty()) plan.dims.push_back(GridDim{std::move(axes)});
}

void check_unique(const GridPlan& plan, Errors& errors) {
  std::map<std::string, Location> seen;
  for (const GridDim& d : plan.dims) {
    for (const GridAxis& a : d.axes) {
      const auto [it, fresh] = seen.emplace(a.key, a.at);
      if (!fresh) {
        errors.add(a.at, "grid axis '" + a.key + "' is already an axis (" + it->second.where + ")");
      }
    }
  }
}

void set_path(Node& doc, const GridAxis& axis, const Node& value) {
  Node* table = &doc;
  for (std::size_t i = 0; i + 1 < axis.path.size(); ++i) {
    Node* next = table->find(axis.path[i]);
    if (!next) {
      next = &table->put(axis.path[i], make_table(axis.at));
    } else if (!next->is_table()) {
      std::string prefix;
      for (std::size_t j = 0; j <= i; ++j) prefix += (j ? "." : "") + axis.path[j];
      throw ConfigError(axis.at.prefix() + "grid axis '" + axis.key + "' needs " + prefix +
                        " to be a table, but it is " + describe_node(*next) + " (" +
                        next->at.where + ")");
    }
    table = next;
  }
  Node placed = value;
  placed.key_at = axis.at;  // "unknown key" errors point at the axis, type errors at the value
  table->put(axis.path.back(), std::move(placed));
}
}  // namespace

GridPlan read_grid(const Node* grid, const std::vector<std::string>& fixed, Errors& errors) {
  GridPlan plan;
  if (!grid) return plan;
  if (!grid->is_table()) {
    errors.add(grid->at, "grid must be a table (got " + describe_node(*grid) + ")");
    return plan;
  }
  for (const auto& [key, node] : grid->entries) {
    if (key == "product") {
      read_product(node, fixed, plan, errors);
    } else if (key == "zip") {
      if (node.kind == Node::Kind::Array) {
        for (std::size_t g = 0; g < node.items.size(); ++g) {
          read_zip_group(node.items[g], g + 1, fixed, plan, errors);
        }
      } else {
        read_zip_group(node, 1, fixed, plan, errors);  // a single [grid.zip] table
      }
    } else {
      errors.add(node.key_at, unknown_key_message("grid." + key, {"grid.product", "grid.zip"}, {}));
    }
  }
  check_unique(plan, errors);
  return plan;
}

std::vector<std::vector<std::size_t>> grid_cells(const GridPlan& plan) {
  std::vector<std::vector<std::size_t>> cells;
  std::vector<std::size_t> cell(plan.dims.size(), 0);
  for (const GridDim& d : plan.dims) {
    if (d.size() == 0) return cells;
  }
  while (true) {
    cells.push_back(cell);
    // Odometer: advance the last dimension, carry to the left.
    std::size_t dim = plan.dims.size();
    while (dim > 0) {
      --dim;
      if (++cell[dim] < plan.dims[dim].size()) break;
      cell[dim] = 0;
      if (dim == 0) return cells;
    }
    if (plan.dims.empty()) return cells;
  }
}

Node apply_cell(const Node& doc, const GridPlan& plan, const std::vector<std::size_t>& cell) {
  Node out = doc;
  for (std::size_t d = 0; d < plan.dims.size(); ++d) {
    for (const GridAxis& axis : plan.dims[d].axes) set_path(out, axis, axis.values[cell[d]]);
  }
  return out;
}

std::string coordinate_text(const Node& value) {
  return value.kind == Node::Kind::String ? value.text : render_value(value);
}

}  // namespace genlab::spec
