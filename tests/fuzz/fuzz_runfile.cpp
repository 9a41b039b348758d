// libFuzzer target: the run-file reader in-process (read_run with its block checksums,
// read_checkpoint, read_image). Every input must be read or be a StoreError; anything else is a
// finding. HDF5 itself is known to crash on some corrupt metadata, which is why genlab's commands
// read through isolated reader processes (read_runs_isolated): a crash here inside libhdf5 is
// HDF5's, one in genlab's frames is genlab's.
#include <cstdlib>

#include "fuzz_input.hpp"
#include "genlab/error.hpp"
#include "genlab/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::filesystem::path file = genlab::fuzz::input_file(data, size, ".h5");
  try {
    const genlab::RunSummary s = genlab::read_run(file);
    if (s.has_checkpoint) (void)genlab::read_checkpoint(file);
    for (const auto& [name, steps] : s.image_steps) {
      if (!steps.empty()) (void)genlab::read_image(file, name, steps.size() - 1);
    }
  } catch (const genlab::Error&) {
  } catch (...) {
    std::abort();
  }
  return 0;
}
