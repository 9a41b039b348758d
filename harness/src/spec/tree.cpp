// The spec document tree (tree.hpp): conversion from toml++ with locations, merging and
// conversion to plugin values. The only spec file besides overrides.cpp that includes toml++.
// It does not render TOML (render.cpp) and does not validate.
#include "spec/tree.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "genlab/error.hpp"
#include "spec/toml_text.hpp"

namespace genlab::spec {

// ---- Node ----
const Node* Node::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

Node* Node::find(std::string_view key) {
  for (auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

Node& Node::put(const std::string& key, Node value) {
  if (Node* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  entries.emplace_back(key, std::move(value));
  return entries.back().second;
}

bool Node::erase(std::string_view key) {
  const auto it = std::find_if(entries.begin(), entries.end(),
                               [&](const auto& e) { return e.first == key; });
  if (it == entries.end()) return false;
  entries.erase(it);
  return true;
}

Node make_table(const Location& at) {
  Node t;
  t.kind = Node::Kind::Table;
  t.at = at;
  t.key_at = at;
  return t;
}

// ---- from toml++ ----
namespace {
Location location_of(const toml::source_region& region, const std::string& display) {
  if (region.begin.line == 0) return {display};
  return {display + ":" + std::to_string(region.begin.line) + ":" +
          std::to_string(region.begin.column)};
}

template <class V>
std::string toml_spelling(const V& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

Node convert(const toml::node& in, const std::string& display, const Location& key_at) {
  Node out;
  out.at = location_of(in.source(), display);
  out.key_at = key_at;
  if (const auto* table = in.as_table()) {
    out.kind = Node::Kind::Table;
    std::vector<std::pair<const toml::key*, const toml::node*>> order;
    for (const auto& [key, value] : *table) order.emplace_back(&key, &value);
    // toml++ iterates tables by key; reading order is the key's position in the file.
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      const auto& pa = a.first->source().begin;
      const auto& pb = b.first->source().begin;
      return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
    });
    for (const auto& [key, value] : order) {
      Location kat = location_of(key->source(), display);
      if (key->source().begin.line == 0) kat = location_of(value->source(), display);
      out.entries.emplace_back(std::string(key->str()), convert(*value, display, kat));
    }
  } else if (const auto* array = in.as_array()) {
    out.kind = Node::Kind::Array;
    for (const auto& item : *array) {
      out.items.push_back(convert(item, display, location_of(item.source(), display)));
    }
  } else if (const auto* s = in.as_string()) {
    out.kind = Node::Kind::String;
    out.text = s->get();
  } else if (const auto* i = in.as_integer()) {
    out.kind = Node::Kind::Int;
    out.integer = i->get();
  } else if (const auto* f = in.as_floating_point()) {
    out.kind = Node::Kind::Float;
    out.real = f->get();
  } else if (const auto* b = in.as_boolean()) {
    out.kind = Node::Kind::Bool;
    out.boolean = b->get();
  } else if (const auto* d = in.as_date()) {
    out.kind = Node::Kind::DateTime;
    out.text = toml_spelling(d->get());
  } else if (const auto* t = in.as_time()) {
    out.kind = Node::Kind::DateTime;
    out.text = toml_spelling(t->get());
  } else if (const auto* dt = in.as_date_time()) {
    out.kind = Node::Kind::DateTime;
    out.text = toml_spelling(dt->get());
  }
  return out;
}
}  // namespace

namespace {
constexpr std::size_t kMaxSpecBytes = 1 << 20;  // experiment files are a few KB
constexpr std::size_t kMaxKeyDepth = 32;        // [a.b.c] or a.b.c = 1: components of one key

// The number of components of the key that line [first, end) defines ([a.b] header or a.b = ...),
// 0 when the line is not a key (array items, string contents). Quoted parts are skipped.
std::size_t key_components(const std::string& text, std::size_t first, std::size_t end) {
  const bool header = text[first] == '[';
  std::size_t depth = 1;
  char quote = 0;
  for (std::size_t i = first + (header ? 1 : 0); i < end; ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '.') {
      ++depth;
    } else if (header ? c == ']' : c == '=') {
      return depth;
    } else if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ' || c == '\t' ||
                 (header && c == '[' && i == first + 1))) {
      return 0;  // not a key
    }
  }
  return 0;
}

// Refuses keys nested deeper than kMaxKeyDepth before toml++ builds (and recursively destroys)
// the tables: a 20,000-component [a.a.a...] header would overflow the stack.
void check_key_depth(const std::string& text, const std::string& display) {
  std::size_t line = 1, start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::size_t first = text.find_first_not_of(" \t", start);
    if (first < end) {
      const std::size_t depth = key_components(text, first, end);
      if (depth > kMaxKeyDepth) {
        throw ConfigError(display + ":" + std::to_string(line) + ":" + std::to_string(first - start + 1) +
                          ": a key nested " + std::to_string(depth) + " tables deep (the limit is " +
                          std::to_string(kMaxKeyDepth) + ")");
      }
    }
    start = end + 1;
    ++line;
  }
}
}  // namespace

Node parse_toml(const std::string& text, const std::string& display) {
  check_key_depth(text, display);
  try {
    const toml::table table = toml::parse(text, display);
    return convert(table, display, {display});
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    throw ConfigError(display + ":" + std::to_string(begin.line) + ":" +
                      std::to_string(begin.column) + ": malformed TOML: " +
                      std::string(e.description()));
  }
}

Node parse_toml_file(const std::string& path, const std::string& display) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(display + ": is a folder, not an experiment file");
  }
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {  // /dev/zero, a FIFO
    throw ConfigError(display + ": not a regular file, not an experiment file");
  }
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxSpecBytes) {
    throw ConfigError(display + ": " + std::to_string(size) + " bytes is too large for an experiment file (the limit is " +
                      std::to_string(kMaxSpecBytes) + ")");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(display + ": cannot open experiment file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_toml(text.str(), display);
}

// ---- merging ----
void merge_into(Node& base, Node over) {
  if (!base.is_table() || !over.is_table()) {
    base = std::move(over);
    return;
  }
  for (auto& [key, value] : over.entries) {
    Node* existing = base.find(key);
    if (existing && existing->is_table() && value.is_table()) {
      merge_into(*existing, std::move(value));
    } else {
      base.put(key, std::move(value));
    }
  }
}

void relocate(Node& node, const Location& at) {
  node.at = at;
  node.key_at = at;
  for (auto& item : node.items) relocate(item, at);
  for (auto& [key, value] : node.entries) relocate(value, at);
}

void leaf_paths(const Node& node, const std::string& prefix, std::vector<std::string>& out) {
  if (!node.is_table()) {
    out.push_back(prefix);
    return;
  }
  for (const auto& [key, value] : node.entries) {
    leaf_paths(value, prefix.empty() ? key : prefix + "." + key, out);
  }
}

// ---- descriptions and plugin values ----
const char* kind_name(Node::Kind kind) {
  switch (kind) {
    case Node::Kind::Table: return "table";
    case Node::Kind::Array: return "array";
    case Node::Kind::Bool: return "bool";
    case Node::Kind::Int: return "integer";
    case Node::Kind::Float: return "float";
    case Node::Kind::String: return "string";
    case Node::Kind::DateTime: return "date/time";
  }
  return "?";
}

std::string describe_node(const Node& node) {
  if (node.is_table()) return "table";
  return std::string(kind_name(node.kind)) + " " + render_value(node);
}

std::optional<ParamValue> to_param_value(const Node& node) {
  switch (node.kind) {
    case Node::Kind::Bool: return ParamValue(node.boolean);
    case Node::Kind::Int: return ParamValue(node.integer);
    case Node::Kind::Float: return ParamValue(node.real);
    case Node::Kind::String: return ParamValue(node.text);
    case Node::Kind::Array: break;
    default: return std::nullopt;
  }
  bool any_float = false;
  for (const Node& item : node.items) {
    if (item.kind == Node::Kind::Float) {
      any_float = true;
    } else if (item.kind != Node::Kind::Int) {
      return std::nullopt;
    }
  }
  if (!any_float) {
    std::vector<std::int64_t> ints;
    for (const Node& item : node.items) ints.push_back(item.integer);
    return ParamValue(std::move(ints));
  }
  std::vector<double> reals;
  for (const Node& item : node.items) {
    reals.push_back(item.kind == Node::Kind::Float ? item.real : static_cast<double>(item.integer));
  }
  return ParamValue(std::move(reals));
}

namespace {
Node scalar(Node::Kind kind, const Location& at) {
  Node n;
  n.kind = kind;
  n.at = at;
  n.key_at = at;
  return n;
}

struct ToNode {
  const Location& at;
  Node operator()(bool v) const {
    Node n = scalar(Node::Kind::Bool, at);
    n.boolean = v;
    return n;
  }
  Node operator()(std::int64_t v) const {
    Node n = scalar(Node::Kind::Int, at);
    n.integer = v;
    return n;
  }
  Node operator()(double v) const {
    Node n = scalar(Node::Kind::Float, at);
    n.real = v;
    return n;
  }
  Node operator()(const std::string& v) const {
    Node n = scalar(Node::Kind::String, at);
    n.text = v;
    return n;
  }
  template <class T>
  Node operator()(const std::vector<T>& v) const {
    Node n = scalar(Node::Kind::Array, at);
    for (const T& x : v) n.items.push_back((*this)(x));
    return n;
  }
};
}  // namespace

Node from_param_value(const ParamValue& value, const Location& at) {
  return std::visit(ToNode{at}, value);
}

}  // namespace genlab::spec
