// Test helper for the spec suites: a fresh temporary folder per test with small TOML files,
// removed afterwards. It does not know the spec format; tests write the text they check.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.hpp"

namespace genlab_test {

// The shared temporary folder, plus writing experiment files into it.
class TempDir : public genlab::testing::TempDir {
 public:
  TempDir() : genlab::testing::TempDir("spec") {}
  // Writes `text` to <dir>/<name> (creating sub-folders) and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const std::filesystem::path file = path() / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }
};

// The smallest valid experiment.
inline const char* kMinimal = R"([experiment]
name = "t"
[model]
plugin = "vae"
)";

}  // namespace genlab_test
