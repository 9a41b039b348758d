// The bytes of one libFuzzer input as a file: genlab's readers take paths, so each input is
// written to a per-process scratch file (in /dev/shm when it exists) before it is read.
// It does not keep inputs (libFuzzer's corpus and crash files do).
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace genlab::fuzz {

inline std::filesystem::path input_file(const uint8_t* data, std::size_t size, const std::string& suffix) {
  const std::filesystem::path dir = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  const std::filesystem::path file = dir / ("genlab-fuzz-" + std::to_string(::getpid()) + suffix);
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return file;
}

}  // namespace genlab::fuzz
