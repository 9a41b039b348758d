// Plugin discovery and loading through Boost.DLL: search path, ABI check first, lifetime safety.
// It does not call into a model beyond describe() and the factory.
#include "genlab/loader.hpp"

#include <cstdlib>
#include <set>
#include <sstream>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "genlab/error.hpp"
#include "genlab/hash.hpp"
#include "genlab/plugin.hpp"

namespace fs = std::filesystem;

namespace genlab {

std::string capabilities_str(unsigned capabilities) {
  static const std::pair<unsigned, const char*> names[] = {
      {kReconstructs, "reconstructs"}, {kEncodes, "encodes"},           {kSamples, "samples"},
      {kConditional, "conditional"},   {kDiscriminates, "discriminates"}, {kTranslates, "translates"},
      {kClassifies, "classifies"},     {kImportanceWeights, "importance weights"}};
  std::string out;
  for (const auto& [bit, name] : names) {
    if (capabilities & bit) out += (out.empty() ? "" : ", ") + std::string(name);
  }
  return out.empty() ? "none" : out;
}

std::string plugin_file_name(const std::string& name) { return "libgenlab_" + name + ".so"; }

std::vector<fs::path> plugin_search_path() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("GENLAB_PLUGIN_PATH")) {
    std::stringstream ss(env);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty()) dirs.emplace_back(dir);
    }
  }
  dirs.emplace_back(GENLAB_BUILD_PLUGIN_DIR);
  dirs.emplace_back(GENLAB_INSTALL_PLUGIN_DIR);
  boost::system::error_code ec;
  const auto exe_dir = boost::dll::program_location(ec).parent_path();
  if (!ec) {
    dirs.push_back(fs::path(exe_dir.string()) / ".." / "plugins");
    dirs.push_back(fs::path(exe_dir.string()) / ".." / "lib" / "genlab" / "plugins");
  }
  return dirs;
}

Plugin load_plugin_file(const fs::path& file) {
  if (!fs::exists(file)) throw PluginError("plugin file " + file.string() + " does not exist");
  Plugin plugin;
  try {
    plugin.library_ = std::make_shared<boost::dll::shared_library>(
        boost::dll::fs::path(file.string()), boost::dll::load_mode::rtld_now);
  } catch (const std::exception& e) {
    throw PluginError("cannot load plugin " + file.string() + ": " + e.what());
  }
  auto& lib = *plugin.library_;
  if (!lib.has("genlab_abi_version")) {
    throw PluginError(file.string() + " is not a genlab plugin (no symbol genlab_abi_version; "
                      "did it use GENLAB_REGISTER_MODEL?)");
  }
  const int abi = lib.get_alias<plugin_abi::AbiVersionFn>("genlab_abi_version")();
  if (abi != kPluginAbiVersion) {
    throw PluginError("plugin " + file.string() + " was built with genlab plugin ABI version " +
                      std::to_string(abi) + " (symbol genlab_abi_version), but this genlab expects " +
                      std::to_string(kPluginAbiVersion) + "; rebuild the plugin against this genlab");
  }
  for (const char* symbol : {"genlab_create_model", "genlab_describe_model"}) {
    if (!lib.has(symbol)) {
      throw PluginError("plugin " + file.string() + " lacks the symbol " + symbol);
    }
  }
  plugin.create_ = &lib.get_alias<plugin_abi::CreateFn>("genlab_create_model");
  auto& describe = lib.get_alias<plugin_abi::DescribeFn>("genlab_describe_model");
  plugin.info_.file = fs::canonical(file);
  plugin.info_.sha256 = sha256_file(file);
  plugin.info_.description = call_plugin(file.filename().string(), [&] { return describe(); });
  return plugin;
}

std::shared_ptr<Model> Plugin::create() const {
  Model* raw = call_plugin(info_.description.name, [&] { return create_(); });
  // The deleter owns a reference to the library: the code of ~Model stays mapped until it ran.
  return std::shared_ptr<Model>(raw, [library = library_](Model* m) { delete m; });
}

Plugin load_plugin(const std::string& name, const fs::path& explicit_path) {
  if (!explicit_path.empty()) {
    Plugin p = load_plugin_file(explicit_path);
    if (p.info().description.name != name) {
      throw PluginError("plugin file " + explicit_path.string() + " holds model '" +
                        p.info().description.name + "', not '" + name + "'");
    }
    return p;
  }
  const auto dirs = plugin_search_path();
  for (const auto& dir : dirs) {
    const fs::path candidate = dir / plugin_file_name(name);
    if (fs::exists(candidate)) return load_plugin_file(candidate);
  }
  std::set<std::string> available;
  for (const auto& p : discover_plugins()) available.insert(p.info().description.name);
  std::string msg = "unknown plugin '" + name + "': no " + plugin_file_name(name) + " in";
  for (const auto& dir : dirs) msg += " " + dir.string();
  msg += "; available:";
  for (const auto& a : available) msg += " " + a;
  if (available.empty()) msg += " none (set GENLAB_PLUGIN_PATH or [model] path)";
  throw PluginError(msg);
}

std::vector<Plugin> discover_plugins(std::vector<std::string>* errors) {
  std::vector<Plugin> found;
  std::set<std::string> seen_names;
  for (const auto& dir : plugin_search_path()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const auto fname = entry.path().filename().string();
      if (fname.rfind("libgenlab_", 0) == 0 && entry.path().extension() == ".so") {
        files.push_back(entry.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      try {
        Plugin p = load_plugin_file(file);
        if (seen_names.insert(p.info().description.name).second) found.push_back(std::move(p));
      } catch (const Error& e) {
        if (errors) errors->push_back(e.what());
      }
    }
  }
  return found;
}

}  // namespace genlab
