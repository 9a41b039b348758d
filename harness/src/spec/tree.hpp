// The spec's own document tree: TOML values plus where each was written. toml++ drops source
// regions on copy, and merging (extends, --set, grid cells) needs copies, so files are converted
// once into this tree. Tables keep their reading order (grid axes are ordered by it).
// It does not validate anything: sections.cpp and grid.cpp do.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "genlab/params.hpp"
#include "genlab/spec.hpp"

namespace genlab::spec {

struct NodeEntry;  // (key, value) of a table; a struct because clang rejects std::pair of an incomplete Node

struct Node {
  enum class Kind { Table, Array, Bool, Int, Float, String, DateTime };
  Kind kind = Kind::Table;
  Location at;      // where the value was written
  Location key_at;  // where its key was written (the value's own location inside arrays)
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0.0;
  std::string text;  // String, or the TOML spelling of a date/time
  std::vector<Node> items;                             // Array
  std::vector<NodeEntry> entries;                      // Table, in reading order

  bool is_table() const { return kind == Kind::Table; }
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);
  // Replaces the entry in place (keeping its position) or appends it.
  Node& put(const std::string& key, Node value);
  bool erase(std::string_view key);
};

struct NodeEntry {
  NodeEntry(std::string key, Node value) : first(std::move(key)), second(std::move(value)) {}
  std::string first;
  Node second;
};

Node make_table(const Location& at);

// Parses TOML text; `display` names the source in locations ("exp.toml", "--set a=1").
// Malformed TOML -> ConfigError "display:line:col: malformed TOML: <toml++ message>".
Node parse_toml(const std::string& text, const std::string& display);
// Reads and parses a file (ConfigError naming it if it cannot be read).
Node parse_toml_file(const std::string& path, const std::string& display);

// Deep merge: tables merge key by key, anything else in `over` replaces what `base` had.
void merge_into(Node& base, Node over);
// Sets `at` and `key_at` of the node and everything under it.
void relocate(Node& node, const Location& at);
// Dotted paths of every non-table value under `node` ("model.beta"), keys joined with '.'.
void leaf_paths(const Node& node, const std::string& prefix, std::vector<std::string>& out);

// "table", "array", "integer", "float", "bool", "string", "date/time".
const char* kind_name(Node::Kind kind);
// The value for messages: string "128", integer 3, float 0.5, array [1, 2], table.
std::string describe_node(const Node& node);

// A plugin-style value (bool, int, float, string, list of ints or of numbers); nullopt for
// tables, date/times and other arrays. An empty array is an empty int list.
std::optional<ParamValue> to_param_value(const Node& node);
Node from_param_value(const ParamValue& value, const Location& at);

// TOML text: inline value ("[1, 2]", "{ a = 1 }") and whole document (tables as [headers],
// entries in the node's order).
std::string render_value(const Node& node);
std::string render_document(const Node& root);

}  // namespace genlab::spec
