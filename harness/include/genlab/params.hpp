// Hyper-parameters as plugins see them: a schema (name, type, default, range, doc) and resolved
// values. toml++ types never cross into plugins; the experiment spec converts and validates.
// It does not parse files and does not know where a value came from (the spec keeps locations).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace genlab {

enum class ParamType { Bool, Int, Float, String, IntList, FloatList };

using ParamValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::int64_t>,
                                std::vector<double>>;

struct ParamSpec {
  std::string name;             // "beta", "hidden"
  ParamType type;
  ParamValue default_value;
  std::optional<double> min;    // inclusive bounds for Int/Float and for list elements
  std::optional<double> max;
  std::vector<std::string> choices;  // allowed values of a String parameter (empty = any)
  std::string doc;              // one line
  bool min_exclusive = false;   // min is a strict bound: value > min (messages say "> 0")
  bool max_exclusive = false;   // max is a strict bound: value < max

  // Chainable refinements, e.g. float_param("beta", 1.0, "KL weight").greater_than(0).
  ParamSpec at_least(double bound) const;      // >= bound
  ParamSpec greater_than(double bound) const;  // >  bound
  ParamSpec at_most(double bound) const;       // <= bound
  ParamSpec less_than(double bound) const;     // <  bound
  ParamSpec one_of(std::vector<std::string> allowed) const;  // String parameters only
};

// Builders for the common cases (prefer them to aggregate initialisation).
ParamSpec bool_param(std::string name, bool default_value, std::string doc);
ParamSpec int_param(std::string name, std::int64_t default_value, std::string doc);
ParamSpec float_param(std::string name, double default_value, std::string doc);
ParamSpec string_param(std::string name, std::string default_value, std::string doc);
ParamSpec int_list_param(std::string name, std::vector<std::int64_t> default_value, std::string doc);
ParamSpec float_list_param(std::string name, std::vector<double> default_value, std::string doc);

using Schema = std::vector<ParamSpec>;

const char* param_type_name(ParamType type);  // "bool", "int", "float", "string", "int list", ...
std::string param_value_str(const ParamValue& value);  // TOML-like: 2, 0.5, "relu", [400, 200]
// The schema entry called `name`, or nullptr.
const ParamSpec* find_param(const Schema& schema, const std::string& name);
// The bounds as a phrase: "> 0", ">= 0 and < 1", "<= 10"; "" when unbounded.
std::string param_range_str(const ParamSpec& spec);

// Resolved values: every schema entry present (defaults filled), validated by the spec.
class Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, ParamValue> values) : values_(std::move(values)) {}
  // Fills every schema default not present in `given`.
  static Params with_defaults(const Schema& schema, std::map<std::string, ParamValue> given);

  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const ParamValue& at(const std::string& name) const;  // throws ConfigError naming the key
  bool get_bool(const std::string& name) const;
  std::int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;      // an int value is accepted
  const std::string& get_string(const std::string& name) const;
  std::vector<std::int64_t> get_int_list(const std::string& name) const;
  std::vector<double> get_float_list(const std::string& name) const;
  void set(const std::string& name, ParamValue value) { values_[name] = std::move(value); }
  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  std::map<std::string, ParamValue> values_;
};

}  // namespace genlab
