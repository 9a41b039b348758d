// One test per kind of bad input, through the CLI as a user meets it: each must fail with its
// own exit code and a message that names where the problem is. Nothing is trained.
#include <doctest/doctest.h>

#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
const char* kValid = R"([experiment]
name = "bad"
[data]
name = "fashion_mnist"
limit = 128
[model]
plugin = "vae"
hidden = [16]
latent_dim = 2
[train]
steps = 1
batch_size = 64
)";

// Writes `text` as exp.toml in a new folder and runs `genlab <verb> exp.toml <extra>`.
CommandResult try_experiment(const TempDir& dir, const std::string& text, const std::string& extra = "",
                             const std::string& verb = "run") {
  const std::string exp = write_file(dir / "exp.toml", text);
  return run_cli(verb + " " + exp + " --set 'experiment.output=\"" + (dir / "out").string() + "\"' " + extra);
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}
}  // namespace

TEST_CASE("bad input: malformed TOML names file, line and column") {
  TempDir dir("bad-toml");
  const auto r = try_experiment(dir, replace(kValid, "latent_dim = 2", "latent_dim = = 2"));
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("exp.toml:9:") != std::string::npos);
}

TEST_CASE("bad input: an unknown key suggests the nearest valid one") {
  TempDir dir("bad-key");
  const auto r = try_experiment(dir, replace(kValid, "latent_dim = 2", "latent_dmi = 2"), "", "validate");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("exp.toml:9") != std::string::npos);
  CHECK(r.output.find("did you mean 'model.latent_dim'") != std::string::npos);
}

TEST_CASE("bad input: a wrong type names the key and what it got") {
  TempDir dir("bad-type");
  const auto r = try_experiment(dir, replace(kValid, "batch_size = 64", "batch_size = \"64\""), "", "validate");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("exp.toml:12") != std::string::npos);
  CHECK(r.output.find("train.batch_size") != std::string::npos);
}

TEST_CASE("bad input: an out-of-range plugin hyper-parameter names the key and the bound") {
  TempDir dir("bad-range");
  const auto r = try_experiment(dir, std::string(kValid), "--set model.beta=-1", "validate");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--set model.beta=-1") != std::string::npos);
  CHECK(r.output.find("model.beta must be >= 0") != std::string::npos);
}

TEST_CASE("bad input: an unknown plugin lists the available ones") {
  TempDir dir("bad-plugin");
  const auto r = try_experiment(dir, replace(kValid, "plugin = \"vae\"", "plugin = \"vea\""), "", "validate");
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("unknown plugin 'vea'") != std::string::npos);
  CHECK(r.output.find("vae") != std::string::npos);
}

TEST_CASE("bad input: a plugin built with another ABI version is refused") {
  TempDir dir("bad-abi");
  const std::string bad = std::string(GENLAB_TEST_PLUGIN_DIR) + "/libgenlab_badabi.so";
  const auto r = try_experiment(dir, replace(kValid, "plugin = \"vae\"", "plugin = \"vae\"\npath = \"" + bad + "\""), "", "validate");
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("ABI version 999") != std::string::npos);
  CHECK(r.output.find("libgenlab_badabi.so") != std::string::npos);
}

TEST_CASE("bad input: a missing data folder says how to install the package") {
  TempDir dir("bad-data");
  const auto r = try_experiment(dir, replace(kValid, "limit = 128", "limit = 128\npath = \"/nonexistent/fashion\""));
  INFO(r.output);
  CHECK(r.exit_code == 4);
  CHECK(r.output.find("/nonexistent/fashion") != std::string::npos);
  CHECK(r.output.find("apt-get install dataset-fashion-mnist") != std::string::npos);
}

TEST_CASE("bad input: a missing reference classifier stops the grid once, before any run") {
  TempDir dir("bad-classifier");
  const std::string missing = (dir / "no_classifier.h5").string();
  for (const char* extra : {"", "--jobs 2 --set 'experiment.seeds=[0,1]'"}) {
    const auto r = try_experiment(dir, std::string(kValid), "--set 'eval.classifier=\"" + missing + "\"' " + extra);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("eval.classifier: no such file '" + missing + "'") != std::string::npos);
    CHECK(r.output.find("fashion_classifier.toml") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "out"));  // nothing started
  }
}

TEST_CASE("bad input: corrupt IDX files (bad magic, truncated) name the file and the problem") {
  TempDir dir("bad-idx");
  const fs::path data = dir / "fashion";
  fs::create_directories(data);
  const fs::path real = "/usr/share/datasets/fashion-mnist";
  for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                        "t10k-labels-idx1-ubyte.gz"}) {
    fs::copy_file(real / f, data / f);
  }
  const std::string exp = replace(kValid, "limit = 128", "limit = 128\npath = \"" + data.string() + "\"");
  SUBCASE("bad magic") {
    // gzip reads plain files transparently: a header with the wrong magic number
    write_file(data / "train-images-idx3-ubyte.gz", std::string("\x00\x00\x08\x04garbage", 11));
    const auto r = try_experiment(dir, exp);
    INFO(r.output);
    CHECK(r.exit_code == 4);
    CHECK(r.output.find("train-images-idx3-ubyte.gz") != std::string::npos);
    CHECK(r.output.find("magic") != std::string::npos);
  }
  SUBCASE("truncated") {
    // the right header (2051, 60000 x 28 x 28) and then only a few pixels
    write_file(data / "train-images-idx3-ubyte.gz",
               std::string("\x00\x00\x08\x03\x00\x00\xea\x60\x00\x00\x00\x1c\x00\x00\x00\x1cpixels", 22));
    const auto r = try_experiment(dir, exp);
    INFO(r.output);
    CHECK(r.exit_code == 4);
    CHECK(r.output.find("train-images-idx3-ubyte.gz") != std::string::npos);
    CHECK(r.output.find("truncated") != std::string::npos);
  }
}

TEST_CASE("bad input: an output folder that cannot be written is named") {
  TempDir dir("bad-out");
  const std::string exp = write_file(dir / "exp.toml", kValid);
  const auto r = run_cli("run " + exp + " --set 'experiment.output=\"/proc/genlab-results\"'");
  INFO(r.output);
  CHECK(r.exit_code == 5);
  CHECK(r.output.find("/proc/genlab-results") != std::string::npos);
}

TEST_CASE("bad input: [train.optimizer.<group>] for a group the plugin does not declare names it and the nearest") {
  TempDir dir("bad-group");
  const auto r = try_experiment(dir, std::string(kValid) + "[train.optimizer]\nname = \"adam\"\n[train.optimizer.modle]\nlr = 1e-4\n",
                                "", "validate");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("[train.optimizer.modle]: plugin 'vae' has no optimizer group 'modle' (its groups: model)") !=
        std::string::npos);
  CHECK(r.output.find("did you mean 'model'?") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out"));
}
