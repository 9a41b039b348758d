// Finds and loads model plugins (Boost.DLL): the search path (computed at run time from where
// libgenlab and the executable are, never frozen at configure time), the ABI and build-stamp
// checks before anything else, shadowing reports, and lifetime safety (the library outlives
// every object that came out of it).
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
  // Files of the same plugin name further down the search path, hidden by `file` (the first
  // found wins); empty when the plugin was given by [model] path or found once.
  std::vector<std::filesystem::path> shadowed;
};
// "plugin 'vae': using /a/libgenlab_vae.so; it shadows /b/libgenlab_vae.so", or "" if none.
std::string shadowing_warning(const PluginInfo& info);

// A loaded plugin. Models it creates hold a reference to the library, so they may outlive this.
class Plugin {
 public:
  const PluginInfo& info() const { return info_; }
  // A new model; its deleter keeps the library loaded until the model is gone.
  std::shared_ptr<Model> create() const;

 private:
  friend Plugin load_plugin_file(const std::filesystem::path& file);
  friend Plugin load_plugin(const std::string& name, const std::filesystem::path& explicit_path);
  friend std::vector<Plugin> discover_plugins(std::vector<std::string>* errors);
  std::shared_ptr<boost::dll::shared_library> library_;  // declared before everything from it
  PluginInfo info_;
  Model* (*create_)() = nullptr;
};

// One folder of the search path and why it is searched.
struct PluginDir {
  std::filesystem::path dir;
  std::string origin;  // "GENLAB_PLUGIN_PATH", "beside libgenlab", "beside the executable"
};
// Folders searched, in order, without duplicates: GENLAB_PLUGIN_PATH (':'-separated), then
// genlab/plugins beside the loaded libgenlab.so (<prefix>/lib/genlab/plugins when installed,
// build/<preset>/lib/genlab/plugins in a build tree), then <exe>/../lib/genlab/plugins.
std::vector<PluginDir> plugin_search_dirs();
std::vector<std::filesystem::path> plugin_search_path();  // the folders of plugin_search_dirs()
// File name of plugin `name`: libgenlab_<name>.so
std::string plugin_file_name(const std::string& name);
// Loads plugin `name` from `explicit_path` ([model] path) if not empty, else from the search
// path. Throws PluginError naming the file, the symbol and both values on an ABI, genlab
// version or compiler ABI mismatch, and, when `name` is unknown, every folder searched (with
// why), the state of GENLAB_PLUGIN_PATH and [model] path, and the plugins found.
Plugin load_plugin(const std::string& name, const std::filesystem::path& explicit_path = {});
// Loads one file (ABI version, then build stamp, then the factory and description).
Plugin load_plugin_file(const std::filesystem::path& file);
// Every plugin found on the search path (for `genlab plugins`), the first of each name, with the
// later ones in info().shadowed; files that fail to load are reported in `errors`.
std::vector<Plugin> discover_plugins(std::vector<std::string>* errors = nullptr);

// Runs fn(), turning any exception escaping a plugin into a PluginError that names the plugin
// (the message is copied while the library is still loaded).
template <class F>
auto call_plugin(const std::string& plugin_name, F&& fn) -> decltype(fn());

}  // namespace genlab

#include "genlab/detail/call_plugin.hpp"
