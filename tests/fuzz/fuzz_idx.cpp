// libFuzzer target: the IDX reader (read_idx, plain or gzip-compressed) as both an image file
// (magic 2051) and a label file (2049). Every input must be an array or a DataError naming the
// file; anything else is a finding. It does not assemble data sets (load_data does).
#include <cstdlib>

#include "data/idx_file.hpp"
#include "fuzz_input.hpp"
#include "genlab/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::filesystem::path file = genlab::fuzz::input_file(data, size, ".idx");
  for (const std::uint32_t magic : {2051u, 2049u}) {
    try {
      (void)genlab::data_detail::read_idx(file, magic);
    } catch (const genlab::DataError&) {
    } catch (...) {
      std::abort();
    }
  }
  return 0;
}
