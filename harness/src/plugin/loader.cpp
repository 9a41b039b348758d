// Plugin discovery and loading through Boost.DLL: run-time search path, ABI check first, then
// the build stamp, shadowing, lifetime safety.
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
#include "genlab/version.hpp"

namespace fs = std::filesystem;

namespace genlab {

std::string capabilities_str(unsigned capabilities) {
  static const std::pair<unsigned, const char*> names[] = {
      {kReconstructs, "reconstructs"}, {kEncodes, "encodes"},           {kSamples, "samples"},
      {kConditional, "conditional"},   {kDiscriminates, "discriminates"}, {kTranslates, "translates"},
      {kClassifies, "classifies"},     {kImportanceWeights, "importance weights"},
      {kGaussianPosterior, "gaussian posterior"}, {kStandardNormalPrior, "N(0, I) prior"}};
  std::string out;
  for (const auto& [bit, name] : names) {
    if (capabilities & bit) out += (out.empty() ? "" : ", ") + std::string(name);
  }
  return out.empty() ? "none" : out;
}

const char* output_range_str(OutputRange range) {
  switch (range) {
    case OutputRange::Unit: return "unit (0, 1)";
    case OutputRange::Symmetric: return "symmetric [-1, 1]";
    case OutputRange::Unbounded: return "unbounded";
  }
  return "?";
}

const MetricCard* find_metric_card(const ModelDescription& d, const std::string& metric) {
  for (const MetricCard& c : d.metric_cards) {
    if (c.name == metric) return &c;
  }
  return nullptr;
}

std::string plugin_file_name(const std::string& name) { return "libgenlab_" + name + ".so"; }

std::vector<PluginDir> plugin_search_dirs() {
  std::vector<PluginDir> dirs;
  std::set<fs::path> seen;
  auto add = [&](const fs::path& dir, const char* origin) {
    std::error_code ec;
    const fs::path key = fs::weakly_canonical(dir, ec);
    if (seen.insert(ec ? dir : key).second) dirs.push_back({dir, origin});
  };
  if (const char* env = std::getenv("GENLAB_PLUGIN_PATH")) {
    std::stringstream ss(env);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty()) add(dir, "GENLAB_PLUGIN_PATH");
    }
  }
  boost::system::error_code ec;
  const auto lib = boost::dll::this_line_location(ec);  // libgenlab.so itself
  if (!ec) add(fs::path(lib.parent_path().string()) / "genlab" / "plugins", "beside libgenlab");
  const auto exe = boost::dll::program_location(ec);
  if (!ec) add(fs::path(exe.parent_path().string()) / ".." / "lib" / "genlab" / "plugins", "beside the executable");
  return dirs;
}

std::vector<fs::path> plugin_search_path() {
  std::vector<fs::path> out;
  for (const auto& d : plugin_search_dirs()) out.push_back(d.dir);
  return out;
}

std::string shadowing_warning(const PluginInfo& info) {
  if (info.shadowed.empty()) return "";
  std::string msg = "plugin '" + info.description.name + "': using " + info.file.string() + "; it shadows";
  for (const auto& f : info.shadowed) msg += " " + f.string();
  return msg + " (first in the search path wins; see GENLAB_PLUGIN_PATH)";
}

namespace {
// The string a plugin's stamp symbol returns, or throws naming the file and the symbol.
std::string stamp_of(boost::dll::shared_library& lib, const fs::path& file, const char* symbol) {
  if (!lib.has(symbol)) {
    throw PluginError("plugin " + file.string() + " lacks the symbol " + symbol +
                      " (built without GENLAB_REGISTER_MODEL of this genlab?)");
  }
  const char* value = lib.get_alias<plugin_abi::StampFn>(symbol)();
  return value ? value : "";
}

void check_stamp(const fs::path& file, const char* symbol, const char* what, const std::string& plugin_value,
                 const std::string& own_value) {
  if (plugin_value == own_value) return;
  throw PluginError("plugin " + file.string() + " was built with " + what + " '" + plugin_value + "' (symbol " +
                    symbol + "), but this genlab is '" + own_value + "'; rebuild the plugin against this genlab");
}
}  // namespace

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
  check_stamp(file, "genlab_sdk_version", "genlab version", stamp_of(lib, file, "genlab_sdk_version"), version());
  check_stamp(file, "genlab_compiler_abi", "compiler ABI", stamp_of(lib, file, "genlab_compiler_abi"),
              GENLAB_COMPILER_ABI);
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
  const auto dirs = plugin_search_dirs();
  std::vector<fs::path> candidates;
  for (const auto& d : dirs) {
    const fs::path candidate = d.dir / plugin_file_name(name);
    if (fs::exists(candidate)) candidates.push_back(candidate);
  }
  if (!candidates.empty()) {
    Plugin p = load_plugin_file(candidates.front());
    p.info_.shadowed.assign(candidates.begin() + 1, candidates.end());
    return p;
  }
  std::set<std::string> available;
  for (const auto& p : discover_plugins()) available.insert(p.info().description.name);
  const char* env = std::getenv("GENLAB_PLUGIN_PATH");
  std::string msg = "unknown plugin '" + name + "': no " + plugin_file_name(name) + " in any folder searched:";
  for (const auto& d : dirs) msg += " " + d.dir.string() + " (" + d.origin + ")";
  msg += "; GENLAB_PLUGIN_PATH is " + (env ? "'" + std::string(env) + "'" : std::string("not set"));
  msg += "; [model] path is not set (it names a .so file directly); available:";
  for (const auto& a : available) msg += " " + a;
  if (available.empty()) msg += " none";
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
        const std::string& name = p.info().description.name;
        if (seen_names.insert(name).second) {
          found.push_back(std::move(p));
        } else {
          for (auto& f : found) {
            if (f.info().description.name == name) f.info_.shadowed.push_back(p.info().file);
          }
        }
      } catch (const Error& e) {
        if (errors) errors->push_back(e.what());
      }
    }
  }
  return found;
}

}  // namespace genlab
