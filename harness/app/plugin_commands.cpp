// `genlab test-plugin` and `genlab new-plugin`: argument meaning, output and exit codes. The
// contract itself is run_contract() in libgenlab (shared with the ctest contract test); the
// scaffold's plugin source is a bundled plugin's own source, renamed.
#include "plugin_commands.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string_view>

#include "commands.hpp"
#include "genlab/contract.hpp"
#include "genlab/data.hpp"
#include "genlab/error.hpp"
#include "genlab/version.hpp"

namespace fs = std::filesystem;

namespace genlab::cli {

const std::map<std::string, std::string_view>& plugin_templates();  // generated (plugin_templates.cpp.in)

namespace {

int test_plugin(const PluginCommands& c) {
  const bool temporary = c.work_dir.empty();
  const fs::path work = temporary ? fs::temp_directory_path() / ("genlab-test-plugin-" + std::to_string(getpid()))
                                  : fs::path(c.work_dir);
  if (fs::exists(work) && !fs::is_empty(work)) {
    throw ConfigError("--work-dir " + work.string() + " is not empty (the contract writes fresh run files there)");
  }
  ContractOptions o;
  o.experiment = c.experiment;
  o.data = c.data;
  o.sets = c.sets;
  o.work_dir = work;
  o.out = &std::cout;
  std::cout << "genlab test-plugin " << c.plugin << " (genlab " << version() << ")\n";
  const ContractReport r = run_contract(c.plugin, o);
  const auto failed = r.failed();
  std::cout << r.checks.size() << " checks: " << r.checks.size() - failed.size() << " passed, " << failed.size()
            << " failed";
  for (std::size_t i = 0; i < failed.size(); ++i) std::cout << (i ? ", " : " (") << failed[i];
  std::cout << (failed.empty() ? "" : ")") << "\n";
  if (temporary && (failed.empty() && !c.keep)) {
    fs::remove_all(work);
  } else {
    std::cout << "run files kept in " << work.string() << "\n";
  }
  return failed.empty() ? kOk : kRunsFailed;
}

// "my_wae" -> "MyWae"
std::string class_name_of(const std::string& name) {
  std::string out;
  bool upper = true;
  for (char ch : name) {
    if (ch == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
    upper = false;
  }
  return out;
}

// Every whole-word occurrence of `from` in `text` replaced by `to`.
std::string replace_word(std::string text, const std::string& from, const std::string& to) {
  auto is_word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
    const bool starts = pos == 0 || !is_word(text[pos - 1]);
    const bool ends = pos + from.size() == text.size() || !is_word(text[pos + from.size()]);
    if (starts && ends) {
      text.replace(pos, from.size(), to);
      pos += to.size();
    } else {
      pos += from.size();
    }
  }
  return text;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

// The bundled plugin `from` renamed to `name`: its class, its registered name (version 0.1.0)
// and the first line of its header comment.
std::string plugin_source(const std::string& from, const std::string& name) {
  std::string text(plugin_templates().at(from));
  const std::string head = "// Plugin \"" + from + "\":";
  if (text.rfind(head, 0) != 0) throw Error("template '" + from + "' does not start with " + head);
  text = "// Plugin \"" + name + "\" (scaffolded by genlab new-plugin from the bundled \"" + from +
         "\"; rewrite this description):" + text.substr(head.size());
  const std::string prefix = "{\"" + from + "\", \"";  // the description's {"vae", "1.1.0", ...
  const std::size_t at = text.find(prefix);
  if (at == std::string::npos) throw Error("template '" + from + "': no '" + prefix + "' in describe()");
  const std::size_t version_end = text.find('"', at + prefix.size());
  text.replace(at, version_end + 1 - at, "{\"" + name + "\", \"0.1.0\"");
  return replace_word(text, class_name_of(from), class_name_of(name));
}

constexpr std::string_view kCmakeLists = R"(# Builds the genlab model plugin "@NAME@" out of genlab's tree: libgenlab_@NAME@.so in the
# build folder. genlab_add_plugin() (from find_package(genlab)) sets C++20, hidden visibility
# and the file name the loader looks for.
#   cmake -S . -B build -DCMAKE_PREFIX_PATH=<genlab install prefix> && cmake --build build
cmake_minimum_required(VERSION 3.25)
project(@NAME@ LANGUAGES CXX)
find_package(genlab @VERSION@ REQUIRED)
genlab_add_plugin(@NAME@ @NAME@.cpp)
)";

// Every scaffold's smoke TOML starts so; the [data] table follows.
constexpr std::string_view kSmokeHead = R"(# Seconds-long run of plugin "@NAME@" (scaffolded by genlab new-plugin):
#   GENLAB_PLUGIN_PATH=build genlab run smoke.toml
[experiment]
name = "smoke_@NAME@"
seeds = [0]
output = "results"

[data]
)";

// The rest of the ae and vae templates' (Fashion-MNIST, their hidden / latent_dim keys).
constexpr std::string_view kSmoke = R"(name = "fashion_mnist"
limit = 512

[model]
plugin = "@NAME@"
hidden = [64]
latent_dim = 8

[train]
epochs = 2
batch_size = 64

[eval]
every_epochs = 1
samples = 16
iwae_k = 64
iwae_images = 64
)";

// The rest of the gan template's: 2-D points (ring8), its g_hidden / d_hidden keys, packing and
// k D steps, so the scaffold's first run has the adversarial metrics (modes, high quality, D accuracy).
constexpr std::string_view kGanSmoke = R"(name = "ring8"
limit = 2000

[model]
plugin = "@NAME@"
latent_dim = 2
g_hidden = [32, 32]
d_hidden = [32]
pack = 2
d_steps = 2

[train]
epochs = 2
batch_size = 100

[train.optimizer]
name = "adam"
lr = 2e-4
beta1 = 0.5

[eval]
every_epochs = 1
batch_size = 500
)";

constexpr std::string_view kReadme = R"(# Plugin @NAME@

Scaffolded by `genlab new-plugin @NAME@ --from @FROM@` from genlab's bundled `@FROM@` plugin;
edit `@NAME@.cpp` (its `describe()`, `init()`, `train_step()`, `evaluate()` and capabilities).

```sh
cmake -S . -B build -DCMAKE_PREFIX_PATH=<genlab install prefix>   # finds genlabConfig.cmake
cmake --build build                                               # -> build/libgenlab_@NAME@.so
genlab test-plugin build/libgenlab_@NAME@.so                      # the plugin contract, PASS/FAIL per check
GENLAB_PLUGIN_PATH=$PWD/build genlab plugins                      # listed with its hyper-parameters
GENLAB_PLUGIN_PATH=$PWD/build genlab run smoke.toml               # a seconds-long run -> results/
genlab analyze results
```

A `[model] path = "build/libgenlab_@NAME@.so"` line in an experiment file works instead of
`GENLAB_PLUGIN_PATH`. The plugin must be rebuilt for another genlab version (the loader says so).
)";

std::string fill(std::string_view text, const std::string& name, const std::string& from) {
  std::string s = replace_all(std::string(text), "@NAME@", name);
  s = replace_all(s, "@FROM@", from);
  const std::string v = version();
  return replace_all(s, "@VERSION@", v.substr(0, v.rfind('.')));  // major.minor: SameMinorVersion
}

int new_plugin(const PluginCommands& c) {
  bool valid = !c.name.empty() && std::islower(static_cast<unsigned char>(c.name[0]));
  for (char ch : c.name) valid = valid && (std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_');
  if (!valid) throw ConfigError("new-plugin: '" + c.name + "' is not a plugin name (lower case letter, then lower case letters, digits, '_')");
  if (!plugin_templates().count(c.from)) {
    throw ConfigError("new-plugin --from " + c.from + ": unknown template (choices: ae, vae, gan)");
  }
  const fs::path dir = c.dir.empty() ? fs::path(c.name) : fs::path(c.dir);
  if (fs::exists(dir) && !fs::is_empty(dir)) throw ConfigError("new-plugin: " + dir.string() + " exists and is not empty");
  fs::create_directories(dir);
  const std::string smoke = fill(kSmokeHead, c.name, c.from) + fill(c.from == "gan" ? kGanSmoke : kSmoke, c.name, c.from);
  const std::map<std::string, std::string> files = {{c.name + ".cpp", plugin_source(c.from, c.name)},
                                                    {"CMakeLists.txt", fill(kCmakeLists, c.name, c.from)},
                                                    {"smoke.toml", smoke},
                                                    {"README.md", fill(kReadme, c.name, c.from)}};
  for (const auto& [file, text] : files) {
    std::ofstream out(dir / file);
    out << text;
    if (!out) throw Error("new-plugin: cannot write " + (dir / file).string());
  }
  std::cout << "wrote plugin '" << c.name << "' (from " << c.from << ") in " << dir.string() << ":";
  for (const auto& [file, text] : files) std::cout << " " << file;
  std::cout << "\nnext: cmake -S " << dir.string() << " -B " << (dir / "build").string()
            << " && cmake --build " << (dir / "build").string() << " && genlab test-plugin "
            << (dir / "build" / ("libgenlab_" + c.name + ".so")).string() << "\n";
  return kOk;
}

}  // namespace

void add_plugin_commands(CLI::App& app, PluginCommands& c) {
  c.test = app.add_subcommand("test-plugin", "run the plugin contract on a plugin (PASS/FAIL per check): loads, "
                                             "trains, finite, deterministic, exact resume, capabilities...");
  c.test->add_option("plugin", c.plugin, "a plugin file (PATH.so) or a plugin name on the search path")->required();
  c.test->add_option("--experiment", c.experiment, "base the runs on this experiment file (default: generated)")
      ->check(CLI::ExistingFile);
  c.test->add_option("--data", c.data, "data set of the generated experiment: " + dataset_names_text() +
                                           " (default: fashion_invert for a plugin that translates, else fashion_mnist)");
  c.test->add_option("--set", c.sets, "override a key of the runs, e.g. --set model.hidden=[32] (repeatable)");
  c.test->add_option("--work-dir", c.work_dir, "write the run files here (default: a temporary folder, removed if all pass)");
  c.test->add_flag("--keep", c.keep, "keep the temporary folder");

  c.scaffold = app.add_subcommand("new-plugin", "write a plugin folder (source, CMakeLists.txt, smoke TOML, README) "
                                                "that builds out of tree against the installed genlab");
  c.scaffold->add_option("name", c.name, "plugin name (lower case, digits, '_')")->required();
  c.scaffold->add_option("--from", c.from, "the bundled plugin to start from: ae, vae, gan")->capture_default_str();
  c.scaffold->add_option("--dir", c.dir, "folder to create (default: ./NAME)");
}

bool run_plugin_commands(const PluginCommands& c, int& exit_code) {
  if (c.test && *c.test) {
    exit_code = test_plugin(c);
    return true;
  }
  if (c.scaffold && *c.scaffold) {
    exit_code = new_plugin(c);
    return true;
  }
  return false;
}

}  // namespace genlab::cli
