// Hyper-parameter schemas and resolved values (params.hpp): builders, printing and typed getters.
// Validation of given values against a schema lives in check.cpp (it needs locations); this file
// only fills defaults and reads values back, throwing ConfigError on a wrong type.
#include "genlab/params.hpp"

#include <cmath>
#include <utility>

#include "genlab/error.hpp"
#include "spec/toml_text.hpp"

namespace genlab {

// ---- ParamSpec refinements ----
ParamSpec ParamSpec::at_least(double bound) const {
  ParamSpec s = *this;
  s.min = bound;
  s.min_exclusive = false;
  return s;
}
ParamSpec ParamSpec::greater_than(double bound) const {
  ParamSpec s = *this;
  s.min = bound;
  s.min_exclusive = true;
  return s;
}
ParamSpec ParamSpec::at_most(double bound) const {
  ParamSpec s = *this;
  s.max = bound;
  s.max_exclusive = false;
  return s;
}
ParamSpec ParamSpec::less_than(double bound) const {
  ParamSpec s = *this;
  s.max = bound;
  s.max_exclusive = true;
  return s;
}
ParamSpec ParamSpec::one_of(std::vector<std::string> allowed) const {
  ParamSpec s = *this;
  s.choices = std::move(allowed);
  return s;
}

// ---- builders ----
namespace {
ParamSpec make(std::string name, ParamType type, ParamValue value, std::string doc) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = type;
  s.default_value = std::move(value);
  s.doc = std::move(doc);
  return s;
}
}  // namespace

ParamSpec bool_param(std::string name, bool default_value, std::string doc) {
  return make(std::move(name), ParamType::Bool, default_value, std::move(doc));
}
ParamSpec int_param(std::string name, std::int64_t default_value, std::string doc) {
  return make(std::move(name), ParamType::Int, default_value, std::move(doc));
}
ParamSpec float_param(std::string name, double default_value, std::string doc) {
  return make(std::move(name), ParamType::Float, default_value, std::move(doc));
}
ParamSpec string_param(std::string name, std::string default_value, std::string doc) {
  return make(std::move(name), ParamType::String, std::move(default_value), std::move(doc));
}
ParamSpec int_list_param(std::string name, std::vector<std::int64_t> default_value, std::string doc) {
  return make(std::move(name), ParamType::IntList, std::move(default_value), std::move(doc));
}
ParamSpec float_list_param(std::string name, std::vector<double> default_value, std::string doc) {
  return make(std::move(name), ParamType::FloatList, std::move(default_value), std::move(doc));
}

// ---- printing ----
const char* param_type_name(ParamType type) {
  switch (type) {
    case ParamType::Bool: return "bool";
    case ParamType::Int: return "int";
    case ParamType::Float: return "float";
    case ParamType::String: return "string";
    case ParamType::IntList: return "int list";
    case ParamType::FloatList: return "float list";
  }
  return "?";
}

namespace {
std::string int_str(std::int64_t v) { return std::to_string(v); }

template <class T, class F>
std::string list_str(const std::vector<T>& items, F&& one) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += one(items[i]);
  }
  return out + "]";
}

struct ValuePrinter {
  std::string operator()(bool v) const { return v ? "true" : "false"; }
  std::string operator()(std::int64_t v) const { return int_str(v); }
  std::string operator()(double v) const { return spec::format_float(v); }
  std::string operator()(const std::string& v) const { return spec::quote_string(v); }
  std::string operator()(const std::vector<std::int64_t>& v) const { return list_str(v, int_str); }
  std::string operator()(const std::vector<double>& v) const {
    return list_str(v, [](double x) { return spec::format_float(x); });
  }
};
}  // namespace

std::string param_value_str(const ParamValue& value) { return std::visit(ValuePrinter{}, value); }

const ParamSpec* find_param(const Schema& schema, const std::string& name) {
  for (const ParamSpec& s : schema) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string param_range_str(const ParamSpec& spec) {
  // Whole bounds print as integers ("> 0", not "> 0.0"), whatever the parameter's type.
  auto bound = [](double b) {
    const bool whole = std::isfinite(b) && b == std::floor(b) && std::fabs(b) < 1e15;
    return whole ? int_str(static_cast<std::int64_t>(b)) : spec::format_float(b);
  };
  std::string out;
  if (spec.min) out = (spec.min_exclusive ? "> " : ">= ") + bound(*spec.min);
  if (spec.max) {
    if (!out.empty()) out += " and ";
    out += (spec.max_exclusive ? "< " : "<= ") + bound(*spec.max);
  }
  return out;
}

// ---- Params ----
Params Params::with_defaults(const Schema& schema, std::map<std::string, ParamValue> given) {
  for (const ParamSpec& s : schema) given.try_emplace(s.name, s.default_value);
  return Params(std::move(given));
}

const ParamValue& Params::at(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) {
    std::string known;
    for (const auto& [key, value] : values_) known += (known.empty() ? "" : ", ") + key;
    throw ConfigError("hyper-parameter '" + name + "' is not set (set: " +
                      (known.empty() ? "none" : known) + ")");
  }
  return it->second;
}

namespace {
const char* held_type(const ParamValue& v) {
  static const char* const names[] = {"bool", "int", "float", "string", "int list", "float list"};
  return names[v.index()];
}

[[noreturn]] void wrong_type(const std::string& name, const ParamValue& v, const char* wanted) {
  throw ConfigError("hyper-parameter '" + name + "' is " + held_type(v) + " " +
                    param_value_str(v) + ", not " + wanted);
}
}  // namespace

bool Params::get_bool(const std::string& name) const {
  const ParamValue& v = at(name);
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  wrong_type(name, v, "a bool");
}

std::int64_t Params::get_int(const std::string& name) const {
  const ParamValue& v = at(name);
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  wrong_type(name, v, "an int");
}

double Params::get_float(const std::string& name) const {
  const ParamValue& v = at(name);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  wrong_type(name, v, "a float");
}

const std::string& Params::get_string(const std::string& name) const {
  const ParamValue& v = at(name);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  wrong_type(name, v, "a string");
}

std::vector<std::int64_t> Params::get_int_list(const std::string& name) const {
  const ParamValue& v = at(name);
  if (const auto* l = std::get_if<std::vector<std::int64_t>>(&v)) return *l;
  wrong_type(name, v, "an int list");
}

std::vector<double> Params::get_float_list(const std::string& name) const {
  const ParamValue& v = at(name);
  if (const auto* l = std::get_if<std::vector<double>>(&v)) return *l;
  if (const auto* l = std::get_if<std::vector<std::int64_t>>(&v)) {
    return std::vector<double>(l->begin(), l->end());
  }
  wrong_type(name, v, "a float list");
}

}  // namespace genlab
