// One test per kind of bad input, through the CLI as a user meets it: each must fail with its
// own exit code and a message that names where the problem is. Nothing is trained.
#include <doctest/doctest.h>
#include <zlib.h>

#include <chrono>
#include <cstring>

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

// ---- bounded inputs and locations (issue #14, defects 4, 8, 9, 10) ----

TEST_CASE("bad input: a key nested 20,000 tables deep is refused with its location, not a stack overflow") {
  TempDir dir("bad-deep");
  std::string deep = "[reference";
  for (int i = 0; i < 20000; ++i) deep += ".a";
  const auto r = try_experiment(dir, std::string(kValid) + deep + "]\n", "", "validate");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("exp.toml:13:1: a key nested 20001 tables deep (the limit is 32)") != std::string::npos);
}

TEST_CASE("bad input: extends of a folder, an empty path or a device names the extends line") {
  TempDir dir("bad-extends");
  for (const char* target : {"", ".", "/", "/dev/zero"}) {
    const auto r = try_experiment(dir, std::string("extends = \"") + target + "\"\n" + kValid, "", "validate");
    INFO(target << ": " << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("exp.toml:1:11: extends: ") != std::string::npos);
  }
  write_file(dir / "huge.toml", std::string(2 << 20, '#'));
  const auto r = try_experiment(dir, "extends = \"huge.toml\"\n" + std::string(kValid), "", "validate");
  CHECK(r.output.find("is too large for an experiment file") != std::string::npos);
}

TEST_CASE("bad input: every number has a finite range (inf, int64 overflow, huge sample counts)") {
  TempDir dir("bad-range");
  for (const char* set : {"train.optimizer.lr=inf", "train.optimizer.eps=inf", "train.optimizer.weight_decay=inf",
                          "train.schedule.gamma=inf", "train.clip_grad_norm=inf", "run.time_budget_s=inf",
                          "model.beta=nan", "train.batch_size=9223372036854775807", "eval.samples=1000000000"}) {
    const auto r = try_experiment(dir, kValid, std::string("--set ") + set, "validate");
    INFO(set << ": " << r.output);
    CHECK(r.exit_code == 2);
    const std::string key(set, std::strchr(set, '=') - set);
    CHECK(r.output.find("--set " + std::string(set) + ": " + key + " must be ") != std::string::npos);
  }
}

TEST_CASE("bad input: a grid too large to expand gives its count, and a long seed list is checked in linear time") {
  TempDir dir("bad-grid");
  std::string axis = "[";
  for (int i = 1; i <= 1000; ++i) axis += (i > 1 ? ", " : "") + std::to_string(i);
  axis += "]";
  const std::string grid = std::string(kValid) + "[grid.product]\n\"model.latent_dim\" = " + axis +
                           "\n\"train.steps\" = " + axis + "\n\"train.batch_size\" = " + axis + "\n";
  const auto r = try_experiment(dir, grid, "", "validate");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("1 seed x 1000 x 1000 x 1000 = more than 100000 runs") != std::string::npos);
  std::string seeds = "[experiment]\nseeds = [";
  for (int i = 0; i < 50000; ++i) seeds += std::to_string(i) + ", ";
  seeds += "7]\n";
  std::string text = kValid;
  text.replace(text.find("[experiment]\n"), 13, seeds);
  const auto t0 = std::chrono::steady_clock::now();
  const auto d = try_experiment(dir, text, "", "validate");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(d.output.substr(0, 500));
  CHECK(d.output.find("experiment.seeds lists seed 7 twice") != std::string::npos);
  CHECK(seconds < 20);  // quadratic: 50,000^2 / 2 comparisons per cell took far longer
}

TEST_CASE("bad input: an unknown plugin names the line that asks for it") {
  TempDir dir("bad-plugin-at");
  const auto r = try_experiment(dir, replace(kValid, "plugin = \"vae\"", "plugin = \"nosuch\""), "", "validate");
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("exp.toml:7:10: unknown plugin 'nosuch'") != std::string::npos);
}

TEST_CASE("bad input: an IDX header claiming 3,000,000 images in a 33-byte file is refused before allocating") {
  TempDir dir("bad-idx-size");
  const fs::path data = dir / "fashion";
  fs::create_directories(data);
  const fs::path real = "/usr/share/datasets/fashion-mnist";
  for (const char* f : {"train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    fs::copy_file(real / f, data / f);
  }
  // magic 2051, 3,000,000 x 28 x 28, gzipped: 2.35 GB claimed by a file of a few dozen bytes
  const std::string header("\x00\x00\x08\x03\x00\x2d\xc6\xc0\x00\x00\x00\x1c\x00\x00\x00\x1c", 16);
  gzFile gz = gzopen((data / "train-images-idx3-ubyte.gz").c_str(), "wb");
  REQUIRE(gz != nullptr);
  gzwrite(gz, header.data(), static_cast<unsigned>(header.size()));
  gzclose(gz);
  const std::string exp = replace(kValid, "limit = 128", "limit = 128\npath = \"" + data.string() + "\"");
  const auto r = try_experiment(dir, exp);
  INFO(r.output);
  CHECK(r.exit_code == 4);
  CHECK(r.output.find("train-images-idx3-ubyte.gz: truncated or corrupt: the header claims 2352000000 bytes") !=
        std::string::npos);
}

TEST_CASE("bad input: a second writer of a run file gets a message without internal function names") {
  TempDir dir("bad-writer");
  const fs::path file = dir / "r.h5";
  RunWriter::create(file, {{"status", std::string("running")}}, "[model]\n", {});
  try {
    RunWriter::create(file, {{"status", std::string("running")}}, "[model]\n", {});
    FAIL("a second create succeeded");
  } catch (const std::exception& e) {
    const std::string message = e.what();
    CHECK(message.find(file.string()) != std::string::npos);
    CHECK(message.find("::") == std::string::npos);
  }
}
