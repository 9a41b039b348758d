// Grid expansion: product axes (last fastest), zip groups moving together, seeds innermost,
// run ids that depend on the resolved config only. Values are checked against what each cell
// must contain, not just counted.
#include <doctest/doctest.h>

#include <set>

#include <algorithm>

#include "genlab/error.hpp"
#include "genlab/executor.hpp"
#include "genlab/spec.hpp"
#include "spec_files.hpp"

using namespace genlab;
using genlab_test::TempDir;

namespace {
const char* kHeader = R"([experiment]
name = "grid"
[model]
plugin = "vae"
)";

std::string coordinate(const RunSpec& run, const std::string& key) {
  for (const auto& [k, v] : run.grid) {
    if (k == key) return v;
  }
  return "<none>";
}

double model_float(const RunSpec& run, const std::string& key) {
  const ParamValue& v = run.model_params.at(key).value;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return static_cast<double>(std::get<std::int64_t>(v));
}
}  // namespace

TEST_CASE("grid: product axes expand in file order, last axis fastest") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kHeader) + R"(
[grid.product]
"model.beta" = [0.5, 1.0, 2.0, 4.0]
"model.latent_dim" = [2, 10, 20]
)");
  const Experiment e = load_experiment(file);
  REQUIRE(e.runs.size() == 12);
  CHECK(e.grid_axes == std::vector<std::string>{"model.beta", "model.latent_dim", "seed"});
  const double betas[] = {0.5, 1.0, 2.0, 4.0};
  const std::int64_t latents[] = {2, 10, 20};
  for (std::size_t i = 0; i < 12; ++i) {
    const RunSpec& run = e.runs[i];
    CHECK(run.index == i);
    CHECK(model_float(run, "beta") == betas[i / 3]);
    CHECK(std::get<std::int64_t>(run.model_params.at("latent_dim").value) == latents[i % 3]);
  }
  CHECK(e.runs[5].grid ==
        std::vector<std::pair<std::string, std::string>>{
            {"model.beta", "1.0"}, {"model.latent_dim", "20"}, {"seed", "0"}});
  // The location of a grid value is the grid entry, not the (absent) [model] key.
  CHECK(e.runs[0].model_params.at("beta").location.where.find("exp.toml:7:") != std::string::npos);
}

TEST_CASE("grid: file order, not alphabetical order, decides which axis is slowest") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kHeader) + R"(
[grid.product]
"model.z" = [1, 2]
"model.a" = [1, 2, 3]
)");
  const Experiment e = load_experiment(file);
  REQUIRE(e.runs.size() == 6);
  CHECK(e.grid_axes.front() == "model.z");
  CHECK(coordinate(e.runs[1], "model.z") == "1");
  CHECK(coordinate(e.runs[1], "model.a") == "2");
  CHECK(coordinate(e.runs[3], "model.z") == "2");
}

TEST_CASE("grid: zip axes move together and combine with product axes") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kHeader) + R"(
[grid.product]
"model.beta" = [1.0, 2.0]
[[grid.zip]]
"model.hidden" = [[400], [800, 400]]
"train.batch_size" = [128, 256]
)");
  const Experiment e = load_experiment(file);
  REQUIRE(e.runs.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    const RunSpec& run = e.runs[i];
    const auto hidden = std::get<std::vector<std::int64_t>>(run.model_params.at("hidden").value);
    // zip index i % 2: ([400], 128) or ([800, 400], 256); beta is the slower product axis.
    if (i % 2 == 0) {
      CHECK(hidden == std::vector<std::int64_t>{400});
      CHECK(run.train.batch_size == 128);
    } else {
      CHECK(hidden == std::vector<std::int64_t>{800, 400});
      CHECK(run.train.batch_size == 256);
    }
    CHECK(model_float(run, "beta") == (i < 2 ? 1.0 : 2.0));
  }
  CHECK(coordinate(e.runs[3], "model.hidden") == "[800, 400]");
  CHECK(coordinate(e.runs[3], "train.batch_size") == "256");
}

TEST_CASE("grid: zip axes of different lengths are an error at the mismatched axis") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kHeader) + R"(
[[grid.zip]]
"model.hidden" = [[400], [800]]
"train.batch_size" = [128, 256, 512]
)");
  CHECK_THROWS_WITH_AS(load_experiment(file),
                       doctest::Contains("exp.toml:8:1: grid.zip #1: zipped axes must have the same "
                                         "length ('model.hidden' has 2 values, "
                                         "'train.batch_size' has 3)"),
                       ConfigError);
}

TEST_CASE("grid: seeds are the innermost axis and every run gets its own id") {
  TempDir dir;
  const auto file = dir.write("exp.toml", R"([experiment]
name = "s"
seeds = [0, 1, 2]
[model]
plugin = "vae"
[grid.product]
"model.beta" = [1.0, 2.0]
)");
  const Experiment e = load_experiment(file);
  REQUIRE(e.runs.size() == 6);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(e.runs[i].seed == i % 3);
    CHECK(coordinate(e.runs[i], "seed") == std::to_string(i % 3));
    CHECK(model_float(e.runs[i], "beta") == (i < 3 ? 1.0 : 2.0));
    CHECK(e.runs[i].config_text.find("seed = " + std::to_string(i % 3) + "\n") != std::string::npos);
    ids.insert(e.runs[i].run_id);
  }
  CHECK(ids.size() == 6);
  CHECK(e.grid_axes.back() == "seed");
}

TEST_CASE("grid: `seed = N` is a single-seed axis") {
  TempDir dir;
  const auto file = dir.write("exp.toml", R"([experiment]
name = "s"
seed = 7
[model]
plugin = "vae"
)");
  const Experiment e = load_experiment(file);
  REQUIRE(e.runs.size() == 1);
  CHECK(e.runs[0].seed == 7);
}

TEST_CASE("grid: run ids are stable and depend on the resolved config only") {
  TempDir dir;
  const std::string body = R"([experiment]
name = "ids"
seeds = [0, 1]
[model]
plugin = "vae"
beta = 2.0
latent_dim = 10
[train]
epochs = 3
batch_size = 64
[grid.product]
"train.optimizer.lr" = [0.001, 0.01]
)";
  const Experiment a = load_experiment(dir.write("a.toml", body));
  const Experiment again = load_experiment(dir.write("a.toml", body));
  REQUIRE(a.runs.size() == 4);
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    CHECK(a.runs[i].run_id == again.runs[i].run_id);
    CHECK(a.runs[i].run_id.size() == 12);
    CHECK(a.runs[i].run_id.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(a.runs[i].run_id == run_id_of(a.runs[i].config_text));
  }

  // Same content, keys and sections in another order, other spellings of equal harness values
  // (plugin values are compared as written until finalize_run knows their types).
  const Experiment reordered = load_experiment(dir.write("b.toml", R"([train]
batch_size = 64
epochs = 3
[grid.product]
"train.optimizer.lr" = [1e-3, 1e-2]
[model]
latent_dim = 10
beta = 2.0
plugin = "vae"
[experiment]
seeds = [0, 1]
name = "ids"
)"));
  REQUIRE(reordered.runs.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(reordered.runs[i].run_id == a.runs[i].run_id);

  // One changed value changes every id.
  std::string changed = body;
  changed.replace(changed.find("epochs = 3"), 10, "epochs = 4");
  const Experiment c = load_experiment(dir.write("c.toml", changed));
  for (std::size_t i = 0; i < 4; ++i) CHECK(c.runs[i].run_id != a.runs[i].run_id);
}

TEST_CASE("grid: a grid value of the wrong type is reported at the grid entry") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kHeader) + R"(
[grid.product]
"train.batch_size" = [128, "256"]
)");
  CHECK_THROWS_WITH_AS(load_experiment(file),
                       doctest::Contains("exp.toml:7:28: train.batch_size must be an integer "
                                         "(got string \"256\")"),
                       ConfigError);
}

TEST_CASE("grid: an axis key must name a valid key, with a suggestion") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kHeader) + R"(
[grid.product]
"train.batchsize" = [128, 256]
)");
  CHECK_THROWS_WITH_AS(load_experiment(file),
                       doctest::Contains("exp.toml:7:1: grid axis: unknown key 'train.batchsize'; "
                                         "did you mean 'train.batch_size'?"),
                       ConfigError);
}

TEST_CASE("grid: experiment keys cannot be axes") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kHeader) + R"(
[grid.product]
"experiment.seeds" = [[0], [1]]
)");
  CHECK_THROWS_WITH_AS(load_experiment(file), doctest::Contains("cannot be a grid axis"), ConfigError);
}

TEST_CASE("grid: dotted TOML keys and quoted keys name the same axis") {
  TempDir dir;
  const Experiment quoted = load_experiment(dir.write("q.toml", std::string(kHeader) + R"(
[grid.product]
"train.optimizer.lr" = [0.1, 0.2]
)"));
  const Experiment dotted = load_experiment(dir.write("d.toml", std::string(kHeader) + R"(
[grid.product]
train.optimizer.lr = [0.1, 0.2]
)"));
  REQUIRE(dotted.runs.size() == 2);
  CHECK(dotted.runs[1].train.optimizer.lr == 0.2);
  CHECK(dotted.runs[1].run_id == quoted.runs[1].run_id);
}

TEST_CASE("grid: per-group optimizer keys can be axes") {
  TempDir dir;
  const Experiment e = load_experiment(dir.write("exp.toml", std::string(kHeader) + R"(
[grid.product]
"train.optimizer.discriminator.lr" = [1e-4, 2e-4]
)"));
  REQUIRE(e.runs.size() == 2);
  CHECK(e.runs[1].optimizer_for("discriminator").lr == 2e-4);
  CHECK(e.runs[1].optimizer_for("generator").lr == 1e-3);
}

TEST_CASE("grid: --set on an axis key fixes it for every cell") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kHeader) + R"(
[grid.product]
"model.beta" = [0.5, 1.0, 2.0]
"model.latent_dim" = [2, 10]
)");
  const Experiment e = load_experiment(file, {"model.beta=4.0"});
  REQUIRE(e.runs.size() == 2);
  for (const RunSpec& run : e.runs) {
    CHECK(model_float(run, "beta") == 4.0);
    CHECK(coordinate(run, "model.beta") == "<none>");
    CHECK(run.model_params.at("beta").location.where == "--set model.beta=4.0");
  }
  // Overriding the axis itself keeps it an axis.
  const Experiment g = load_experiment(file, {"grid.product.\"model.beta\"=[8.0]"});
  REQUIRE(g.runs.size() == 2);
  CHECK(coordinate(g.runs[0], "model.beta") == "8.0");
}

TEST_CASE("grid: an axis that does not change the config gives duplicate runs, an error") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kHeader) + R"(
[grid.product]
"run.threads" = [1, 2]
)");
  CHECK_THROWS_WITH_AS(load_experiment(file), doctest::Contains("have the same configuration"),
                       ConfigError);
}

TEST_CASE("grid: plugin values from the grid are located at the grid when the plugin checks them") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kHeader) + R"(
[grid.product]
"model.betta" = [1.0, 2.0]
"model.beta" = [0.5, -1.0]
)");
  const Experiment e = load_experiment(file);
  const Schema schema = {float_param("beta", 1.0, "KL weight").greater_than(0)};
  CHECK_THROWS_WITH_AS(resolve_model_params(e.runs[0], schema),
                       doctest::Contains("exp.toml:7:1: unknown key 'model.betta'; did you mean "
                                         "'model.beta'?"),
                       ConfigError);
  RunSpec run = e.runs[1];
  run.model_params.erase("betta");
  CHECK_THROWS_WITH_AS(resolve_model_params(run, schema),
                       doctest::Contains("exp.toml:8:22: model.beta must be > 0 (got -1.0)"),
                       ConfigError);
}

TEST_CASE("grid: shards K/N partition the runs, each run in exactly one shard") {
  const Experiment e =
      load_experiment(std::string(GENLAB_SOURCE_DIR) + "/experiments/ablations/vae_beta_latent.toml");
  REQUIRE(e.runs.size() == 36);
  std::vector<int> seen(e.runs.size(), 0);
  std::size_t total = 0;
  for (std::size_t k = 0; k < 5; ++k) {
    for (const RunSpec* r : runs_of_shard(e, k, 5)) {
      ++seen[r->index];
      ++total;
    }
  }
  CHECK(total == 36);
  CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));
}
