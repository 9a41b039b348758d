// run_spec_of_config: the /config text goes to a uniquely named temporary TOML file (removed
// at once) and through load_experiment like any experiment file.
#include "genlab/stored_config.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "genlab/error.hpp"

namespace fs = std::filesystem;

namespace genlab {

RunSpec run_spec_of_config(const std::string& config_text, const std::string& origin) {
  static std::atomic<unsigned> counter{0};
  const fs::path tmp = fs::temp_directory_path() /
                       ("genlab-stored-config-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + ".toml");
  std::ofstream(tmp) << config_text;
  struct Remove {
    fs::path path;
    ~Remove() {
      std::error_code ec;
      fs::remove(path, ec);
    }
  } remove{tmp};
  try {
    Experiment e = load_experiment(tmp);
    if (e.runs.size() != 1) throw ConfigError("it describes " + std::to_string(e.runs.size()) + " runs, not one");
    return std::move(e.runs.front());
  } catch (const ConfigError& err) {
    throw ConfigError(origin + ": its /config cannot be read back: " + err.what());
  }
}

}  // namespace genlab
