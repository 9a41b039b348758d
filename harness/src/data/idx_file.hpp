// IDX files (the MNIST family's format), plain or gzip-compressed, read with zlib: big-endian
// magic number and dimensions, then unsigned bytes. Decoded arrays are cached per file in-process.
// It does not know which files make up a data set (fashion_mnist.cpp does).
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

namespace genlab::data_detail {

struct IdxArray {
  std::vector<std::size_t> dims;   // e.g. {60000, 28, 28}
  std::vector<std::uint8_t> bytes; // product(dims) values, row-major
};

// Reads an IDX file of unsigned bytes whose magic number must be `magic` (2051 for 3-D images,
// 2049 for 1-D labels). Throws DataError naming the file: unreadable, bad magic, implausible
// dimensions, truncated, longer than its header says, or corrupt gzip data. Cached: a second call
// for an unchanged file (same size and modification time) returns the same array.
std::shared_ptr<const IdxArray> read_idx(const std::filesystem::path& file, std::uint32_t magic);

}  // namespace genlab::data_detail
