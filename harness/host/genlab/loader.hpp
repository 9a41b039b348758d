// Finds and loads model plugins (Boost.DLL): the search path, the ABI check before anything
// else, and lifetime safety (the library outlives every object that came out of it).
// It does not validate hyper-parameters: the experiment spec does, with the returned schema.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "genlab/model.hpp"

namespace boost::dll {
class shared_library;
}

namespace genlab {

struct PluginInfo {
  std::filesystem::path file;
  std::string sha256;  // of the .so file, for provenance
  ModelDescription description;
};

// A loaded plugin. Models it creates hold a reference to the library, so they may outlive this.
class Plugin {
 public:
  const PluginInfo& info() const { return info_; }
  // A new model; its deleter keeps the library loaded until the model is gone.
  std::shared_ptr<Model> create() const;

 private:
  friend Plugin load_plugin_file(const std::filesystem::path& file);
  std::shared_ptr<boost::dll::shared_library> library_;  // declared before everything from it
  PluginInfo info_;
  Model* (*create_)() = nullptr;
};

// Directories searched, in order: GENLAB_PLUGIN_PATH (':'-separated), the build tree's plugin
// folder, the install prefix's lib/genlab/plugins, and the folder of the running executable's
// ../plugins and ../lib/genlab/plugins.
std::vector<std::filesystem::path> plugin_search_path();
// File name of plugin `name`: libgenlab_<name>.so
std::string plugin_file_name(const std::string& name);
// Loads plugin `name` from `explicit_path` if not empty, else from the search path. Throws
// PluginError naming the file, the symbol and both versions on an ABI mismatch, and listing
// the plugins found when `name` is unknown.
Plugin load_plugin(const std::string& name, const std::filesystem::path& explicit_path = {});
Plugin load_plugin_file(const std::filesystem::path& file);
// Every plugin found on the search path (for `genlab plugins`); files that fail to load are
// reported in `errors`.
std::vector<Plugin> discover_plugins(std::vector<std::string>* errors = nullptr);

// Runs fn(), turning any exception escaping a plugin into a PluginError that names the plugin
// (the message is copied while the library is still loaded).
template <class F>
auto call_plugin(const std::string& plugin_name, F&& fn) -> decltype(fn());

}  // namespace genlab

#include "genlab/detail/call_plugin.hpp"
