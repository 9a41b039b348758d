// The plugin contract, run for every plugin found in the build's plugin folder with its
// experiments/smoke/<name>.toml: it loads, trains a few steps with finite metrics, the same seed
// gives bitwise-identical metrics, and a run stopped at a checkpoint and resumed ends bitwise
// identical to an uninterrupted one. A new plugin is picked up without editing this file.
#include <doctest/doctest.h>

#include <cmath>

#include "genlab/executor.hpp"
#include "genlab/loader.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {

// Short-run overrides on top of a plugin's smoke file.
std::vector<std::string> short_run(const fs::path& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> sets = {"experiment.output=\"" + out.string() + "\"", "experiment.seeds=[3]",
                                   "train.epochs=0", "train.steps=6", "eval.every_epochs=0",
                                   "eval.every_steps=3", "eval.batch_size=100", "data.limit=200",
                                   "run.checkpoint_every_epochs=0", "run.checkpoint_every_steps=3"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return sets;
}

RunResult run_single(const fs::path& smoke, const std::vector<std::string>& sets) {
  const Experiment e = load_and_validate(smoke, sets);
  REQUIRE(e.runs.size() == 1);
  return run_one(e.runs[0], RunnerOptions{});
}

bool all_finite(const std::map<std::string, std::vector<double>>& series, std::string* bad) {
  for (const auto& [k, v] : series) {
    for (double x : v) {
      if (!std::isfinite(x)) {
        *bad = k;
        return false;
      }
    }
  }
  return true;
}

std::vector<Plugin> built_plugins() {
  std::vector<Plugin> plugins;
  for (const auto& entry : fs::directory_iterator(GENLAB_PLUGIN_DIR)) {
    if (entry.path().extension() == ".so") plugins.push_back(load_plugin_file(entry.path()));
  }
  return plugins;
}

}  // namespace

TEST_CASE("plugin contract: every built plugin") {
  const auto plugins = built_plugins();
  REQUIRE(plugins.size() >= 2);  // at least ae and vae
  for (const auto& plugin : plugins) {
    const std::string name = plugin.info().description.name;
    INFO("plugin " << name);
    CHECK(plugin.info().file.filename().string() == plugin_file_name(name));
    CHECK_FALSE(plugin.info().description.summary.empty());
    const fs::path smoke = fs::path(GENLAB_SOURCE_DIR) / "experiments" / "smoke" / (name + ".toml");
    REQUIRE_MESSAGE(fs::exists(smoke), "every plugin needs a smoke experiment: " << smoke.string());

    TempDir dir("contract-" + name);
    const RunResult a = run_single(smoke, short_run(dir / "a"));
    REQUIRE_MESSAGE(a.status == RunStatus::Finished, a.message);
    const RunSummary s = read_run(a.file);
    CHECK(s.train.at("step").size() == 6);
    CHECK(s.eval.at("step").size() == 2);
    std::string bad;
    CHECK_MESSAGE(all_finite(s.train, &bad), "train/" << bad);
    CHECK_MESSAGE(all_finite(s.eval, &bad), "eval/" << bad);

    const RunResult b = run_single(smoke, short_run(dir / "b"));
    REQUIRE(b.status == RunStatus::Finished);
    CHECK_MESSAGE(compare_runs(a.file, b.file) == "", compare_runs(a.file, b.file));

    const RunResult c1 = run_single(smoke, short_run(dir / "c", {"run.stop_after_steps=3"}));
    CHECK(c1.status == RunStatus::Interrupted);
    CHECK(read_run(c1.file).checkpoint_step == 3);
    const RunResult c2 = run_single(smoke, short_run(dir / "c"));
    REQUIRE(c2.status == RunStatus::Finished);
    CHECK_MESSAGE(compare_runs(a.file, c2.file) == "", compare_runs(a.file, c2.file));

    const RunResult again = run_single(smoke, short_run(dir / "a"));
    CHECK(again.status == RunStatus::AlreadyFinished);
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

TEST_CASE("plugin loader: an unknown plugin lists the ones available") {
  CHECK_THROWS_WITH_AS(load_plugin("vea"), doctest::Contains("unknown plugin 'vea'"), PluginError);
  try {
    load_plugin("vea");
  } catch (const PluginError& e) {
    CHECK(std::string(e.what()).find("vae") != std::string::npos);
  }
}
