// Validation shared by the harness sections and plugin hyper-parameters: one ParamSpec checker
// (type, range, choices), unknown-key messages with suggestions, and an error collector so a
// file with several mistakes reports them all at once. It does not know TOML or sections.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "genlab/params.hpp"
#include "genlab/spec.hpp"

namespace genlab::spec {

// Collects located messages; throw_if_any() throws one ConfigError with all of them, one a line.
class Errors {
 public:
  void add(const Location& at, const std::string& message);
  bool empty() const { return messages_.empty(); }
  void throw_if_any() const;

 private:
  std::vector<std::string> messages_;
};

// "a bool", "an integer", "a number", "a string", "a list of integers", "a list of numbers".
std::string expected_phrase(ParamType type);
// For messages: string "128", integer 3, float 0.5, list [1, 2].
std::string describe_value(const ParamValue& value);

// Converts `given` to spec.type (int -> float, int list -> float list) and checks range and
// choices. On failure records "<qualified> must be ... (got ...)" at `at` and returns nullopt.
std::optional<ParamValue> check_param(const ParamSpec& spec, const ParamValue& given,
                                      const std::string& qualified, const Location& at,
                                      Errors& errors);

// "unknown key 'train.batchsize'; did you mean 'train.batch_size'?" -- the nearest of
// `siblings` (qualified keys of the same table), else a key elsewhere with the same last
// component from `everywhere`, else the list of valid keys in the table.
std::string unknown_key_message(const std::string& qualified,
                                const std::vector<std::string>& siblings,
                                const std::vector<std::string>& everywhere);

}  // namespace genlab::spec
