// The plugin author's subcommands: `genlab test-plugin` (the plugin contract, per-check
// PASS/FAIL) and `genlab new-plugin` (an out-of-tree plugin folder from a bundled plugin).
// main.cpp registers them with add_plugin_commands() and runs them with run_plugin_commands().
#pragma once
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace genlab::cli {

struct PluginCommands {
  CLI::App* test = nullptr;
  CLI::App* scaffold = nullptr;
  // test-plugin
  std::string plugin;  // PATH.so or NAME
  std::string experiment, data, work_dir;
  std::vector<std::string> sets;
  bool keep = false;
  // new-plugin
  std::string name, from = "vae", dir;
};

void add_plugin_commands(CLI::App& app, PluginCommands& c);
// Runs the selected plugin subcommand; false if neither was selected.
bool run_plugin_commands(const PluginCommands& c, int& exit_code);

}  // namespace genlab::cli
