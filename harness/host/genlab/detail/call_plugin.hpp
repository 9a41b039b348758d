// Implementation of genlab::call_plugin (loader.hpp): exceptions from plugin code become
// PluginError naming the plugin; genlab's own ConfigError and PluginError keep their type and
// message. Every error is re-thrown as a new object made here: one thrown by plugin code carries
// the plugin's own type info and destructor (hidden visibility), which die with its library, so
// rethrowing the original crashed once the runner had unloaded the plugin.
#pragma once
#include <exception>
#include <string>

#include "genlab/error.hpp"

namespace genlab {

template <class F>
auto call_plugin(const std::string& plugin_name, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const ConfigError& e) {
    throw ConfigError(e.what());
  } catch (const PluginError& e) {
    throw PluginError(e.what());
  } catch (const std::exception& e) {
    throw PluginError("plugin '" + plugin_name + "': " + std::string(e.what()));
  } catch (...) {
    throw PluginError("plugin '" + plugin_name + "': unknown exception");
  }
}

}  // namespace genlab
