// genlab verify and genlab diff end to end: smoke runs of every bundled plugin and an
// interrupted quickstart are reproduced bit for bit (with --eval), a one-ULP edit of /train is
// caught with its step and metric, another run.threads still verifies, a diverged run verifies,
// a plugin rebuilt with another loss is refused with its file hash named, and diff reports the
// one axis two runs of a grid differ in.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "genlab/store.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
std::string experiment(const std::string& name) { return std::string(GENLAB_SOURCE_DIR) + "/experiments/" + name; }
std::string out_flag(const fs::path& d) { return " --set 'experiment.output=\"" + d.string() + "\"'"; }

std::vector<fs::path> run_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".h5") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Trains `exp` (plus `extra` arguments) into `dir` and returns its only run file.
fs::path train(const std::string& exp, const fs::path& dir, const std::string& extra = "") {
  const auto r = run_cli("run " + exp + out_flag(dir) + " --no-progress" + extra);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto files = run_files(dir);
  REQUIRE(files.size() == 1);
  return files.front();
}
}  // namespace

TEST_CASE("verify: a smoke run of every bundled plugin is reproduced, its evaluation too") {
  for (const char* plugin : {"ae", "vae", "cvae", "classifier"}) {
    CAPTURE(plugin);
    TempDir dir(std::string("verify-") + plugin);
    const fs::path file = train(experiment(std::string("smoke/") + plugin + ".toml"), dir.path());
    const auto r = run_cli("verify " + file.string() + " --eval");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("reproduced: train steps 1..") != std::string::npos);
    CHECK(r.output.find("(from the checkpoint) (1 rows, bit for bit)") != std::string::npos);
    CHECK(r.output.find("NOT") == std::string::npos);
    CHECK(r.output.ends_with("\nreproduced\n"));
  }
}

TEST_CASE("verify: an interrupted quickstart on the full data is reproduced over its first 50 steps") {
  TempDir dir("verify-quickstart");
  const fs::path file = train(experiment("quickstart.toml"), dir.path(), " --set run.stop_after_steps=60");
  CHECK(attr_to_string(read_run(file).attrs.at("status")) == "interrupted");  // stopped by run.stop_after_steps, resumable
  const auto r = run_cli("verify " + file.string());
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("reproduced: train steps 1..50 (50 rows, bit for bit)") != std::string::npos);
  // the checkpoint (step 60) is not at an evaluation: --eval says so and does not pass
  const auto e = run_cli("verify " + file.string() + " --steps 5 --eval");
  INFO(e.output);
  CHECK(e.exit_code == 1);
  CHECK(e.output.find("is not at an evaluation") != std::string::npos);
}

TEST_CASE("verify: a one-ULP edit of a /train value fails, naming the step, the metric and both values") {
  TempDir dir("verify-ulp");
  const fs::path file = train(experiment("smoke/vae.toml"), dir.path());
  const RunSummary s = read_run(file);
  const auto& steps = s.train.at("step");
  double edited = 0;
  {
    RunWriter w = RunWriter::open_existing(file);
    w.truncate_after(4);
    for (std::size_t i = 4; i < steps.size(); ++i) {
      std::map<std::string, double> row;
      for (const auto& [k, v] : s.train) {
        if (k != "step" && k != "epoch" && k != "samples_per_s") row[k] = v[i];
      }
      if (i == 4) {
        row["loss"] = std::nextafter(row["loss"], INFINITY);
        edited = row["loss"];
      }
      w.append_train(static_cast<std::int64_t>(steps[i]), s.train.at("epoch")[i], s.train.at("samples_per_s")[i], row);
    }
    w.commit();
  }
  REQUIRE(read_run(file).train.at("loss")[4] == edited);
  const auto r = run_cli("verify " + file.string());
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("first difference at step 5, train/loss: stored ") != std::string::npos);
  char bits[32];
  std::snprintf(bits, sizeof bits, "%.17g", edited);
  CHECK(r.output.find(std::string("stored ") + bits) != std::string::npos);
  CHECK(r.output.find("possible reasons: none in the provenance") != std::string::npos);
  CHECK(r.output.ends_with("\nnot reproduced\n"));
}

TEST_CASE("verify: a run trained with run.threads = 2 verifies at 1 thread and names the thread count") {
  TempDir dir("verify-threads");
  const fs::path file = train(experiment("smoke/vae.toml"), dir.path(), " --set run.threads=2");
  const auto r = run_cli("verify " + file.string() + " --threads 1 --eval");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("blas_threads: 2 -> 1") != std::string::npos);
  CHECK(r.output.find("the bits agree anyway") != std::string::npos);
}

TEST_CASE("verify: a diverged run is reproduced up to and including its NaN step") {
  TempDir dir("verify-diverged");
  const std::string exp = write_file(dir / "diverge.toml", R"([experiment]
name = "diverge"
[data]
name = "fashion_mnist"
limit = 256
[model]
plugin = "vae"
hidden = [32]
latent_dim = 4
[train]
epochs = 1
batch_size = 64
[train.optimizer]
name = "sgd"
lr = 1e12
[eval]
iwae_k = 0
)");
  const fs::path file = train(exp, dir / "out");
  REQUIRE(attr_to_string(read_run(file).attrs.at("status")) == "diverged");
  const auto r = run_cli("verify " + file.string());
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("reproduced: train steps 1..") != std::string::npos);
}

TEST_CASE("verify: a plugin rebuilt with another loss is not reproduced and its file hash is named") {
  TempDir dir("verify-plugin");
  const std::string plugins = std::string(GENLAB_TEST_PLUGIN_DIR) + "/lossvariant_";
  const std::string exp = write_file(dir / "variant.toml", R"([experiment]
name = "variant"
[data]
name = "fashion_mnist"
limit = 256
[model]
plugin = "lossvariant"
[train]
epochs = 1
batch_size = 64
)");
  const auto trained = run_command("GENLAB_PLUGIN_PATH=" + plugins + "a " + std::string(GENLAB_CLI) + " run " + exp +
                                   out_flag(dir / "out") + " --no-progress");
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  const fs::path file = run_files(dir / "out").at(0);
  const auto same = run_command("GENLAB_PLUGIN_PATH=" + plugins + "a " + std::string(GENLAB_CLI) + " verify " + file.string());
  INFO(same.output);
  CHECK(same.exit_code == 0);
  const auto other = run_command("GENLAB_PLUGIN_PATH=" + plugins + "b " + std::string(GENLAB_CLI) + " verify " + file.string());
  INFO(other.output);
  CHECK(other.exit_code == 1);
  CHECK(other.output.find("first difference at step 1, train/loss") != std::string::npos);
  CHECK(other.output.find("plugin_sha256: ") != std::string::npos);
  CHECK(other.output.find("another plugin build") != std::string::npos);
}

TEST_CASE("diff: two runs of a grid that differ in one axis: that key, the metrics side by side, step 1") {
  TempDir dir("diff-grid");
  const std::string exp = write_file(dir / "grid.toml", "extends = \"" + experiment("smoke/vae.toml") + R"("
[experiment]
name = "diffgrid"
[eval]
iwae_k = 0
heavy_metrics = "final"
[grid.product]
"model.latent_dim" = [4, 8]
)");
  const auto r = run_cli("run " + exp + out_flag(dir / "out") + " --no-progress");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto files = run_files(dir / "out");
  REQUIRE(files.size() == 2);
  const auto d = run_cli("diff " + files[0].stem().string() + " " + files[1].stem().string() + " --in " + (dir / "out").string());
  INFO(d.output);
  CHECK(d.exit_code == 0);
  CHECK(d.output.find("config: 1 key differs") != std::string::npos);
  const bool order = d.output.find("| model.latent_dim | 4   | 8   |") != std::string::npos ||
                     d.output.find("| model.latent_dim | 8   | 4   |") != std::string::npos;
  CHECK(order);
  CHECK(d.output.find("provenance: identical") != std::string::npos);
  CHECK(d.output.find("| eval/neg_elbo ") != std::string::npos);
  CHECK(d.output.find("train series part ways at step 1: train/") != std::string::npos);
  const auto self = run_cli("diff " + files[0].string() + " " + files[0].string());
  CHECK(self.output.find("config: identical") != std::string::npos);
  CHECK(self.output.find("train series: identical bit for bit over the 16 steps both logged") != std::string::npos);
  CHECK(run_cli("diff nosuchrun " + files[0].string() + " --in " + (dir / "out").string()).exit_code == 2);
}
