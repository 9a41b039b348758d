// genlab's error types: one base class so that `main` can map every failure to an exit code.
// It does not print or exit: library code throws, the CLI decides what to do.
#pragma once
#include <stdexcept>
#include <string>

namespace genlab {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A tensor operation got operands it cannot combine; the message names the op and the shapes.
struct ShapeError : Error {
  using Error::Error;
};
// A configuration value is malformed, unknown, mistyped or out of range; the message has its location.
struct ConfigError : Error {
  using Error::Error;
};
// A data file is missing or corrupt.
struct DataError : Error {
  using Error::Error;
};
// A plugin is missing, of another ABI, or threw.
struct PluginError : Error {
  using Error::Error;
};
// Reading or writing a run file failed.
struct StoreError : Error {
  using Error::Error;
};

}  // namespace genlab
