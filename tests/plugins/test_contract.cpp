// The plugin contract, run for every plugin found in the build's plugin folder with its
// experiments/smoke/<name>.toml, through run_contract(), the code behind `genlab test-plugin`:
// loads, describes, trains, finite, deterministic, exact resume, names, checkpoint round trip,
// declared capabilities. A new plugin is picked up without editing this file. Also the loader's
// refusals (ABI, genlab version), its search path and shadowing reports.
#include <doctest/doctest.h>

#include <cstdlib>
#include <sstream>

#include "genlab/contract.hpp"
#include "genlab/executor.hpp"
#include "genlab/loader.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {

std::vector<Plugin> built_plugins() {
  std::vector<Plugin> plugins;
  for (const auto& entry : fs::directory_iterator(GENLAB_PLUGIN_DIR)) {
    if (entry.path().extension() == ".so") plugins.push_back(load_plugin_file(entry.path()));
  }
  return plugins;
}

// Sets an environment variable for one scope.
struct ScopedEnv {
  ScopedEnv(const char* name, const std::string& value) : name_(name) { setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { unsetenv(name_); }
  const char* name_;
};

}  // namespace

TEST_CASE("plugin contract: every built plugin passes every check (run_contract, as genlab test-plugin)") {
  const auto plugins = built_plugins();
  REQUIRE(plugins.size() >= 2);  // at least ae and vae
  for (const auto& plugin : plugins) {
    const std::string name = plugin.info().description.name;
    INFO("plugin " << name);
    const fs::path smoke = fs::path(GENLAB_SOURCE_DIR) / "experiments" / "smoke" / (name + ".toml");
    REQUIRE_MESSAGE(fs::exists(smoke), "every plugin needs a smoke experiment: " << smoke.string());
    TempDir dir("contract-" + name);
    ContractOptions o;
    o.experiment = smoke;
    o.work_dir = dir / "work";
    std::ostringstream log;
    o.out = &log;
    const ContractReport r = run_contract(plugin.info().file.string(), o);
    INFO(log.str());
    CHECK(r.plugin == name);
    CHECK(r.checks.size() >= 10);
    CHECK(r.passed());
    const bool has_capability_check = std::any_of(r.checks.begin(), r.checks.end(), [](const ContractCheck& c) {
      return c.name.rfind("capability ", 0) == 0;
    });
    CHECK(has_capability_check);
  }
}

TEST_CASE("plugin loader: a plugin of another ABI version is refused, naming file, symbol and versions") {
  const fs::path bad = fs::path(GENLAB_TEST_PLUGIN_DIR) / "libgenlab_badabi.so";
  REQUIRE(fs::exists(bad));
  CHECK_THROWS_WITH_AS(load_plugin_file(bad),
                       doctest::Contains("libgenlab_badabi.so was built with genlab plugin ABI version 999 "
                                         "(symbol genlab_abi_version), but this genlab expects"),
                       PluginError);
}

TEST_CASE("plugin loader: a plugin stamped with another genlab version is refused, naming file and both versions") {
  const fs::path other = fs::path(GENLAB_TEST_PLUGIN_DIR) / "libgenlab_fixture_version.so";
  REQUIRE(fs::exists(other));
  CHECK_THROWS_WITH_AS(load_plugin_file(other),
                       doctest::Contains("libgenlab_fixture_version.so was built with genlab version '0.0.0-other' "
                                         "(symbol genlab_sdk_version), but this genlab is '"),
                       PluginError);
}

TEST_CASE("plugin loader: an unknown plugin names every folder searched, GENLAB_PLUGIN_PATH, [model] path and the plugins available") {
  const ScopedEnv env("GENLAB_PLUGIN_PATH", "/nonexistent/genlab-a:/nonexistent/genlab-b");
  std::string message;
  try {
    load_plugin("vea");
  } catch (const PluginError& e) {
    message = e.what();
  }
  INFO(message);
  CHECK(message.find("unknown plugin 'vea'") != std::string::npos);
  CHECK(message.find("/nonexistent/genlab-a (GENLAB_PLUGIN_PATH)") != std::string::npos);
  CHECK(message.find("/nonexistent/genlab-b (GENLAB_PLUGIN_PATH)") != std::string::npos);
  CHECK(message.find(std::string(GENLAB_PLUGIN_DIR) + " (beside libgenlab)") != std::string::npos);
  CHECK(message.find("GENLAB_PLUGIN_PATH is '/nonexistent/genlab-a:/nonexistent/genlab-b'") != std::string::npos);
  CHECK(message.find("[model] path is not set") != std::string::npos);
  CHECK(message.find(" vae") != std::string::npos);
}

TEST_CASE("plugin loader: the search path is computed at run time and a shadowed copy is reported") {
  // beside libgenlab.so (build/<preset>/lib) comes first after GENLAB_PLUGIN_PATH
  const auto dirs = plugin_search_dirs();
  REQUIRE_FALSE(dirs.empty());
  CHECK(fs::weakly_canonical(dirs.front().dir) == fs::weakly_canonical(GENLAB_PLUGIN_DIR));
  CHECK(dirs.front().origin == "beside libgenlab");
  // a copy of vae earlier on the path wins, and says whom it shadows
  TempDir dir("shadow");
  fs::create_directories(dir / "first");
  fs::copy_file(fs::path(GENLAB_PLUGIN_DIR) / "libgenlab_vae.so", dir / "first" / "libgenlab_vae.so");
  const ScopedEnv env("GENLAB_PLUGIN_PATH", (dir / "first").string());
  const Plugin p = load_plugin("vae");
  CHECK(p.info().file == fs::canonical(dir / "first" / "libgenlab_vae.so"));
  REQUIRE(p.info().shadowed.size() == 1);
  CHECK(fs::weakly_canonical(p.info().shadowed[0]) == fs::weakly_canonical(fs::path(GENLAB_PLUGIN_DIR) / "libgenlab_vae.so"));
  CHECK(shadowing_warning(p.info()).find("it shadows") != std::string::npos);
}

TEST_CASE("runner: running a finished run again skips it (status already finished)") {
  TempDir dir("rerun");
  const fs::path smoke = fs::path(GENLAB_SOURCE_DIR) / "experiments" / "smoke" / "ae.toml";
  const std::vector<std::string> sets = {"experiment.output=\"" + (dir / "out").string() + "\"", "train.epochs=0",
                                         "train.steps=2", "eval.every_epochs=0", "eval.every_steps=2", "data.limit=100"};
  const Experiment e = load_and_validate(smoke, sets);
  REQUIRE(e.runs.size() == 1);
  CHECK(run_one(e.runs[0], RunnerOptions{}).status == RunStatus::Finished);
  CHECK(run_one(e.runs[0], RunnerOptions{}).status == RunStatus::AlreadyFinished);
}
