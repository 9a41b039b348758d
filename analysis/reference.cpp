// The [reference] table of an experiment file, read with toml++ into Reference entries, and
// the match of an entry to a group by its grid condition. It does not load the experiment
// file (the caller passes RunSpec::reference_toml from load_experiment).
#include "genlab/analysis/reference.hpp"

#include <charconv>
#include <toml++/toml.h>

#include "genlab/error.hpp"

namespace genlab::analysis {

namespace {
std::string where_of(const toml::source_region& at, const std::string& origin) {
  return origin + ":" + std::to_string(at.begin.line) + ":" + std::to_string(at.begin.column) + ": ";
}

std::optional<double> number_of(const toml::node& node) {
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = node.as_floating_point()) return f->get();
  return std::nullopt;
}

std::string value_text(const toml::node& node) {
  if (const auto* s = node.as_string()) return s->get();
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, f->get());
    std::string text(buf, r.ptr);
    if (text.find_first_of(".eEni") == std::string::npos) text += ".0";  // TOML spelling: 1.0
    return text;
  }
  if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* a = node.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + value_text(*a->get(i));
    return out + "]";
  }
  return "?";
}

// where = { "model.latent_dim" = 20 } or nested tables { model = { latent_dim = 20 } }.
void flatten_where(const toml::table& table, const std::string& prefix,
                   std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& [key, node] : table) {
    const std::string name = prefix + std::string(key.str());
    if (const auto* sub = node.as_table()) {
      flatten_where(*sub, name + ".", out);
    } else {
      out.emplace_back(name, value_text(node));
    }
  }
}

Reference entry(const toml::table& t, MetricRef metric, const std::string& default_source, const std::string& origin) {
  Reference r;
  r.metric = std::move(metric);
  const toml::node* value = t.get("value");
  const auto number = value ? number_of(*value) : std::nullopt;
  if (!number) {
    throw ConfigError(where_of(t.source(), origin) + "reference for " + r.metric.full() + ": needs a number 'value'");
  }
  r.value = *number;
  r.source = t["source"].value_or(default_source);
  if (const auto* where = t.get_as<toml::table>("where")) flatten_where(*where, "", r.where);
  return r;
}

MetricRef metric_at(const std::string& name, const toml::source_region& at, const std::string& origin) {
  try {
    return parse_metric(name);
  } catch (const ConfigError& e) {
    throw ConfigError(where_of(at, origin) + "reference: " + e.what());
  }
}

void read_metric(const std::string& key, const toml::node& node, const std::string& default_source,
                 const std::string& origin, std::vector<Reference>& out) {
  const MetricRef metric = metric_at(key, node.source(), origin);
  if (const auto number = number_of(node)) {
    out.push_back({metric, *number, default_source, {}});
  } else if (const auto* t = node.as_table()) {
    out.push_back(entry(*t, metric, default_source, origin));
  } else if (const auto* a = node.as_array()) {
    for (const auto& item : *a) {
      const auto* item_table = item.as_table();
      if (!item_table) throw ConfigError(where_of(item.source(), origin) + "reference." + key + ": expected tables { value = ..., where = {...} }");
      out.push_back(entry(*item_table, metric, default_source, origin));
    }
  } else {
    throw ConfigError(where_of(node.source(), origin) + "reference." + key + ": expected a number or { value = ..., source = ... }");
  }
}
}  // namespace

std::vector<Reference> parse_references(const std::string& toml_text, const std::string& origin) {
  std::vector<Reference> out;
  if (toml_text.empty()) return out;
  toml::table doc;
  try {
    doc = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    throw ConfigError(origin + ": [reference]: " + std::string(e.description()));
  }
  const toml::node* node = doc.get("reference");
  if (node == nullptr) return out;
  if (const auto* array = node->as_array()) {  // [[reference]] metric = ..., value = ...
    for (const auto& item : *array) {
      const auto* t = item.as_table();
      const auto name = t ? (*t)["metric"].value<std::string>() : std::nullopt;
      if (!name) throw ConfigError(where_of(item.source(), origin) + "[[reference]] entries need metric = \"...\" and value = N");
      out.push_back(entry(*t, metric_at(*name, item.source(), origin), "", origin));
    }
    return out;
  }
  const auto* table = node->as_table();
  if (table == nullptr) throw ConfigError(origin + ": reference must be a table or an array of tables");
  const std::string default_source = (*table)["source"].value_or(std::string());
  for (const auto& [key, value] : *table) {
    if (key.str() == "source") continue;
    // A bare dotted key (eval.neg_elbo = 1) arrives as a nested table: metric "eval/neg_elbo".
    const auto* sub = value.as_table();
    if (sub && (key.str() == "eval" || key.str() == "train") && !sub->contains("value")) {
      for (const auto& [name, inner] : *sub) read_metric(std::string(key.str()) + "/" + std::string(name.str()), inner, default_source, origin, out);
      continue;
    }
    read_metric(std::string(key.str()), value, default_source, origin, out);
  }
  return out;
}

const Reference* find_reference(const std::vector<Reference>& refs, const MetricRef& metric, const Group& group) {
  const Reference* best = nullptr;
  for (const Reference& r : refs) {
    if (!(r.metric == metric)) continue;
    bool ok = true;
    for (const auto& [key, want] : r.where) {
      bool any_run = false;
      for (const RunRecord* run : group.runs) {
        if (!run->pooled()) continue;
        any_run = true;
        const auto v = run_value(*run, key);
        ok = ok && v && same_value(*v, want);
      }
      ok = ok && any_run;
    }
    if (ok && (!best || r.where.size() > best->where.size())) best = &r;
  }
  return best;
}

}  // namespace genlab::analysis
