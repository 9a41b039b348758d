// Implementation of genlab::call_plugin (loader.hpp): exceptions from plugin code become
// PluginError naming the plugin; genlab's own ConfigError passes through unchanged so its
// location survives.
#pragma once
#include <exception>
#include <string>

#include "genlab/error.hpp"

namespace genlab {

template <class F>
auto call_plugin(const std::string& plugin_name, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const ConfigError&) {
    throw;
  } catch (const PluginError&) {
    throw;
  } catch (const std::exception& e) {
    throw PluginError("plugin '" + plugin_name + "': " + std::string(e.what()));
  } catch (...) {
    throw PluginError("plugin '" + plugin_name + "': unknown exception");
  }
}

}  // namespace genlab
