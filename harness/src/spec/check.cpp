// One checker for every configurable value: harness keys ([train], [eval], ...) and plugin
// hyper-parameters both go through check_param, so messages read the same everywhere:
// "exp.toml:12:8: model.beta must be > 0 (got -1)". It does not decide which keys exist.
#include "spec/check.hpp"

#include <cmath>

#include "genlab/error.hpp"

namespace genlab::spec {

void Errors::add(const Location& at, const std::string& message) {
  messages_.push_back(at.prefix() + message);
}

void Errors::throw_if_any() const {
  if (messages_.empty()) return;
  std::string all;
  for (const std::string& m : messages_) all += (all.empty() ? "" : "\n") + m;
  throw ConfigError(all);
}

std::string expected_phrase(ParamType type) {
  switch (type) {
    case ParamType::Bool: return "a bool";
    case ParamType::Int: return "an integer";
    case ParamType::Float: return "a number";
    case ParamType::String: return "a string";
    case ParamType::IntList: return "an array of integers";
    case ParamType::FloatList: return "an array of numbers";
  }
  return "?";
}

std::string describe_value(const ParamValue& value) {
  static const char* const kinds[] = {"bool", "integer", "float", "string", "array", "array"};
  return std::string(kinds[value.index()]) + " " + param_value_str(value);
}

namespace {
// The value converted to `type`, or nullopt when TOML's type does not fit.
std::optional<ParamValue> convert(ParamType type, const ParamValue& given) {
  using IntList = std::vector<std::int64_t>;
  using FloatList = std::vector<double>;
  switch (type) {
    case ParamType::Bool:
      if (std::holds_alternative<bool>(given)) return given;
      break;
    case ParamType::Int:
      if (std::holds_alternative<std::int64_t>(given)) return given;
      break;
    case ParamType::Float:
      if (std::holds_alternative<double>(given)) return given;
      if (const auto* i = std::get_if<std::int64_t>(&given)) return static_cast<double>(*i);
      break;
    case ParamType::String:
      if (std::holds_alternative<std::string>(given)) return given;
      break;
    case ParamType::IntList:
      if (std::holds_alternative<IntList>(given)) return given;
      break;
    case ParamType::FloatList:
      if (std::holds_alternative<FloatList>(given)) return given;
      if (const auto* l = std::get_if<IntList>(&given)) return FloatList(l->begin(), l->end());
      break;
  }
  return std::nullopt;
}

bool all_finite(const ParamValue& value) {
  if (const auto* d = std::get_if<double>(&value)) return std::isfinite(*d);
  if (const auto* l = std::get_if<std::vector<double>>(&value)) {
    for (const double v : *l) {
      if (!std::isfinite(v)) return false;
    }
  }
  return true;
}

// Written so that NaN fails every bound.
bool in_range(const ParamSpec& spec, double v) {
  if (spec.min && !(spec.min_exclusive ? v > *spec.min : v >= *spec.min)) return false;
  if (spec.max && !(spec.max_exclusive ? v < *spec.max : v <= *spec.max)) return false;
  return true;
}

// The i-th element of a list value as written ("0", not "0.0", for an int list read as floats).
std::string element_str(const ParamValue& list, std::size_t i) {
  if (const auto* il = std::get_if<std::vector<std::int64_t>>(&list)) return std::to_string((*il)[i]);
  return param_value_str(ParamValue(std::get<std::vector<double>>(list)[i]));
}

// Range check of `value` (already converted); messages show `given`, the value as written.
bool check_bounds(const ParamSpec& spec, const ParamValue& value, const ParamValue& given,
                  const std::string& qualified, const Location& at, Errors& errors) {
  if (!spec.min && !spec.max) return true;
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    if (in_range(spec, static_cast<double>(*i))) return true;
  } else if (const auto* d = std::get_if<double>(&value)) {
    if (in_range(spec, *d)) return true;
  } else {
    std::vector<double> items;
    if (const auto* il = std::get_if<std::vector<std::int64_t>>(&value)) {
      items.assign(il->begin(), il->end());
    } else if (const auto* dl = std::get_if<std::vector<double>>(&value)) {
      items = *dl;
    }
    bool ok = true;
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (in_range(spec, items[k])) continue;
      errors.add(at, qualified + "[" + std::to_string(k) + "] must be " + param_range_str(spec) +
                         " (got " + element_str(given, k) + ")");
      ok = false;
    }
    return ok;
  }
  errors.add(at, qualified + " must be " + param_range_str(spec) + " (got " +
                     param_value_str(given) + ")");
  return false;
}

bool check_choice(const ParamSpec& spec, const ParamValue& value, const std::string& qualified,
                  const Location& at, Errors& errors) {
  const auto* s = std::get_if<std::string>(&value);
  if (!s || spec.choices.empty()) return true;
  for (const std::string& c : spec.choices) {
    if (c == *s) return true;
  }
  std::string list;
  for (const std::string& c : spec.choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
  std::string message = qualified + " must be one of " + list + " (got \"" + *s + "\")";
  const std::string near = nearest_key(*s, spec.choices);
  if (!near.empty()) message += "; did you mean \"" + near + "\"?";
  errors.add(at, message);
  return false;
}
}  // namespace

std::optional<ParamValue> check_param(const ParamSpec& spec, const ParamValue& given,
                                      const std::string& qualified, const Location& at,
                                      Errors& errors) {
  std::optional<ParamValue> value = convert(spec.type, given);
  if (!value) {
    errors.add(at, qualified + " must be " + expected_phrase(spec.type) + " (got " +
                       describe_value(given) + ")");
    return std::nullopt;
  }
  if (!all_finite(*value)) {  // inf and nan pass no schema: every number has a finite range
    errors.add(at, qualified + " must be a finite number (got " + param_value_str(given) + ")");
    return std::nullopt;
  }
  const bool bounds_ok = check_bounds(spec, *value, given, qualified, at, errors);
  const bool choice_ok = check_choice(spec, *value, qualified, at, errors);
  if (!bounds_ok || !choice_ok) return std::nullopt;
  return value;
}

}  // namespace genlab::spec
