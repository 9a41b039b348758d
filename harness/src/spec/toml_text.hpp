// TOML spellings of scalars and keys, shared by the parameter printer, the canonical config and
// the [reference] re-rendering. Output is deterministic (shortest round-trip floats), so the
// same values give the same bytes on every machine. It does not parse anything.
#pragma once
#include <string>
#include <string_view>

namespace genlab::spec {

// Shortest text that reads back to the same double, always with a '.' or an exponent so TOML
// reads it as a float: 1.0, 0.001, 1e-08, 2.5e+20, inf, -inf, nan.
std::string format_float(double value);
// A TOML basic string with its quotes: "a\"b\n".
std::string quote_string(std::string_view text);
// The key as written in TOML: bare when it is [A-Za-z0-9_-]+, otherwise quoted.
std::string format_key(std::string_view key);
bool is_bare_key(std::string_view key);

}  // namespace genlab::spec
