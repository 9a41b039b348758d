// TOML text from the spec tree: inline values and whole documents with [table] headers. Used for
// the canonical config (whose bytes the run id hashes) and for the [reference] text; it writes
// entries in the node's order and never reorders (callers sort when they need to).
#include <string>

#include "spec/toml_text.hpp"
#include "spec/tree.hpp"

namespace genlab::spec {

std::string render_value(const Node& node) {
  switch (node.kind) {
    case Node::Kind::Bool: return node.boolean ? "true" : "false";
    case Node::Kind::Int: return std::to_string(node.integer);
    case Node::Kind::Float: return format_float(node.real);
    case Node::Kind::String: return quote_string(node.text);
    case Node::Kind::DateTime: return node.text;
    case Node::Kind::Array: {
      std::string out = "[";
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        if (i) out += ", ";
        out += render_value(node.items[i]);
      }
      return out + "]";
    }
    case Node::Kind::Table: {
      if (node.entries.empty()) return "{}";
      std::string out = "{ ";
      for (std::size_t i = 0; i < node.entries.size(); ++i) {
        if (i) out += ", ";
        out += format_key(node.entries[i].first) + " = " + render_value(node.entries[i].second);
      }
      return out + " }";
    }
  }
  return "";
}

namespace {
void render_table(const Node& table, const std::string& header, std::string& out) {
  std::string lines;
  bool has_subtables = false;
  for (const auto& [key, value] : table.entries) {
    if (value.is_table()) {
      has_subtables = true;
    } else {
      lines += format_key(key) + " = " + render_value(value) + "\n";
    }
  }
  if (header.empty()) {
    out += lines;
  } else if (!lines.empty() || !has_subtables) {
    if (!out.empty()) out += "\n";
    out += "[" + header + "]\n" + lines;
  }
  for (const auto& [key, value] : table.entries) {
    if (!value.is_table()) continue;
    const std::string name = format_key(key);
    render_table(value, header.empty() ? name : header + "." + name, out);
  }
}
}  // namespace

std::string render_document(const Node& root) {
  std::string out;
  render_table(root, "", out);
  return out;
}

}  // namespace genlab::spec
