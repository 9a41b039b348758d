// The extends chain and --set overrides (load.hpp). Cycle detection compares canonical paths,
// so "./a.toml" and "a.toml" are the same file. Overrides are parsed by toml++ itself
// ("key = value"), so quoting and dotted keys behave exactly as in a file.
#include "spec/load.hpp"

#include "genlab/error.hpp"
#include "spec/toml_text.hpp"

namespace genlab::spec {

namespace {
std::string chain_text(const std::vector<std::string>& names, const std::string& last) {
  std::string out;
  for (const std::string& n : names) out += n + " -> ";
  return out + last;
}

// The path cycle detection compares (never throws: a path it cannot resolve stays as written).
std::filesystem::path identity_of(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(file, ec);
  return ec ? file.lexically_normal() : canonical;
}

Node load_chain(const std::filesystem::path& file, const std::string& display,
                std::vector<std::filesystem::path>& seen, std::vector<std::string>& names) {
  Node doc = parse_toml_file(file.string(), display);
  seen.push_back(identity_of(file));
  names.push_back(display);
  const Node* extends = doc.find("extends");
  if (!extends) return doc;
  if (extends->kind != Node::Kind::String) {
    throw ConfigError(extends->at.prefix() + "extends must be a string path (got " +
                      describe_node(*extends) + ")");
  }
  const std::filesystem::path base = file.parent_path() / extends->text;
  const std::string base_display = base.lexically_normal().string();
  const std::filesystem::path canonical = identity_of(base);
  for (const auto& s : seen) {
    if (s == canonical) {
      throw ConfigError(extends->at.prefix() + "extends cycle: " + chain_text(names, base_display));
    }
  }
  std::error_code ec;
  if (!std::filesystem::exists(base, ec)) {
    throw ConfigError(extends->at.prefix() + "extends: cannot find " + quote_string(base_display));
  }
  if (!std::filesystem::is_regular_file(base, ec)) {  // "", ".", "/", /dev/zero
    throw ConfigError(extends->at.prefix() + "extends: " + quote_string(base_display) + " is " +
                      (std::filesystem::is_directory(base, ec) ? "a folder" : "not a regular file") +
                      ", not an experiment file");
  }
  doc.erase("extends");
  Node merged = load_chain(base, base_display, seen, names);
  merge_into(merged, std::move(doc));
  return merged;
}

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t");
  return s.substr(begin, end - begin + 1);
}

// `key = value` as TOML, or with the value as a bare string when that does not parse.
Node parse_override(const std::string& key, const std::string& value, const Location& at) {
  try {
    return parse_toml(key + " = " + value + "\n", at.where);
  } catch (const ConfigError&) {
  }
  try {
    return parse_toml(key + " = " + quote_string(value) + "\n", at.where);
  } catch (const ConfigError&) {
    throw ConfigError(at.prefix() + "cannot read the key " + quote_string(key) +
                      " (write dotted keys such as model.beta)");
  }
}
}  // namespace

Node load_document(const std::filesystem::path& file) {
  std::vector<std::filesystem::path> seen;
  std::vector<std::string> names;
  return load_chain(file, file.string(), seen, names);
}

std::vector<std::string> apply_overrides(Node& doc, const std::vector<std::string>& overrides) {
  std::vector<std::string> fixed;
  for (const std::string& text : overrides) {
    const Location at{"--set " + text};
    const auto eq = text.find('=');
    if (eq == std::string::npos || trim(text.substr(0, eq)).empty()) {
      throw ConfigError(at.prefix() + "expected key=value, such as model.beta=2");
    }
    Node parsed = parse_override(trim(text.substr(0, eq)), trim(text.substr(eq + 1)), at);
    relocate(parsed, at);
    std::vector<std::string> paths;
    leaf_paths(parsed, "", paths);
    for (const std::string& p : paths) {
      if (p == "extends") throw ConfigError(at.prefix() + "extends cannot be overridden");
      if (p.rfind("grid.", 0) != 0) fixed.push_back(p);
    }
    merge_into(doc, std::move(parsed));
  }
  return fixed;
}

}  // namespace genlab::spec
