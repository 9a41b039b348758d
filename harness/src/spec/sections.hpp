// Reading one resolved document (a grid cell, extends and --set applied, [grid] removed) into a
// RunSpec: every harness section checked against its Schema, cross-checks between keys, plugin
// hyper-parameters kept as written. It does not expand grids or compute run ids.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "genlab/spec.hpp"
#include "spec/check.hpp"
#include "spec/tree.hpp"

namespace genlab::spec {

// Fills everything of the RunSpec except seed, run_id, config_text, grid, index, output_file;
// `seeds` gets the experiment's seeds. `file` is the spec file's display name (for errors
// without a line, such as a missing required key).
RunSpec read_sections(const Node& doc, const std::string& file, std::vector<std::uint64_t>& seeds,
                      Errors& errors);

// Every valid harness key, qualified ("train.optimizer.lr"), plus table names ("train.optimizer").
const std::vector<std::string>& all_harness_keys();

// Empty if `key` may be a grid axis; otherwise the reason (with a suggestion when mistyped).
std::string grid_axis_problem(const std::string& key);

}  // namespace genlab::spec
