// libFuzzer target: the experiment-file parser and validator (load_experiment: TOML parsing,
// extends, sections, grid expansion). Every input must end in a located ConfigError or a spec;
// any other exception, a crash, a leak or runaway memory is a finding. It loads no plugin.
#include <cstdlib>

#include "fuzz_input.hpp"
#include "genlab/error.hpp"
#include "genlab/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::filesystem::path file = genlab::fuzz::input_file(data, size, ".toml");
  try {
    (void)genlab::load_experiment(file);
  } catch (const genlab::Error&) {  // ConfigError and the like: a clear, located rejection
  } catch (...) {
    std::abort();  // std::bad_alloc, std::out_of_range ...: not a message a user can act on
  }
  return 0;
}
