// One test per kind of bad experiment file: each message must carry the file:line:column (or
// the --set text) of the offending value and say what was expected and what was found.
#include <doctest/doctest.h>

#include "genlab/error.hpp"
#include "genlab/spec.hpp"
#include "spec_files.hpp"

using namespace genlab;
using genlab_test::kMinimal;
using genlab_test::TempDir;

namespace {
// The message load_experiment throws for `text` ("" if it does not throw).
std::string error_of(const std::string& text, const std::vector<std::string>& sets = {}) {
  TempDir dir;
  try {
    load_experiment(dir.write("exp.toml", text), sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("spec errors: malformed TOML gives toml++'s message at file:line:column") {
  const std::string m = error_of("[experiment]\nname = \"t\"\n[train\nepochs = 1\n");
  CHECK(m.find("exp.toml:3:") != std::string::npos);
  CHECK(m.find("malformed TOML") != std::string::npos);
  CHECK(error_of("[experiment]\nname = 't'\nseeds = [0, 1\n").find("exp.toml:3:15: malformed TOML") !=
        std::string::npos);
}

TEST_CASE("spec errors: a missing file names the file") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(load_experiment(dir.path() / "absent.toml"),
                       doctest::Contains("absent.toml: cannot open experiment file"), ConfigError);
}

TEST_CASE("spec errors: an unknown key names the nearest valid key") {
  CHECK(error_of(std::string(kMinimal) + "[train]\nbatchsize = 64\n")
            .find("exp.toml:6:1: unknown key 'train.batchsize'; did you mean 'train.batch_size'?") !=
        std::string::npos);
  // Nothing close: the valid keys of the table are listed.
  CHECK(error_of(std::string(kMinimal) + "[eval]\nfrequency = 2\n")
            .find("exp.toml:6:1: unknown key 'eval.frequency' (valid keys in [eval]: every_epochs, "
                  "every_steps, batch_size, samples, heavy_metrics, iwae_k, iwae_images, classifier, "
                  "fid_samples, pr_k)") != std::string::npos);
  // A key in the wrong table points to where it belongs.
  CHECK(error_of(std::string(kMinimal) + "[train]\nlr = 0.1\n")
            .find("unknown key 'train.lr'; did you mean 'train.optimizer.lr'?") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[trian]\nepochs = 1\n")
            .find("exp.toml:5:2: unknown key 'trian'; did you mean 'train'?") != std::string::npos);
}

TEST_CASE("spec errors: a value of the wrong type says what was expected and found") {
  const std::string m = error_of(std::string(kMinimal) + "[train]\nbatch_size = \"128\"\n");
  CHECK(m.find("exp.toml:6:14: train.batch_size must be an integer (got string \"128\")") !=
        std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train]\nbatch_size = 12.0\n")
            .find("train.batch_size must be an integer (got float 12.0)") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train.optimizer]\nnesterov = 1\n")
            .find("exp.toml:6:12: train.optimizer.nesterov must be a bool (got integer 1)") !=
        std::string::npos);
  // Ints are fine where floats are expected.
  CHECK(error_of(std::string(kMinimal) + "[train.optimizer]\nlr = 1\n").empty());
}

TEST_CASE("spec errors: an out-of-range value shows the bound and the value") {
  CHECK(error_of(std::string(kMinimal) + "[train.optimizer]\nlr = -1\n")
            .find("exp.toml:6:6: train.optimizer.lr must be > 0 and <= 1e+30 (got -1)") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train]\nbatch_size = 0\n")
            .find("exp.toml:6:14: train.batch_size must be >= 1 and <= 65536 (got 0)") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train.optimizer]\nbeta1 = 1.5\n")
            .find("train.optimizer.beta1 must be >= 0 and < 1 (got 1.5)") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train.optimizer]\nlr = nan\n")
            .find("train.optimizer.lr must be a finite number (got nan)") != std::string::npos);
}

TEST_CASE("spec errors: a bad choice lists the valid choices") {
  const std::string m = error_of(std::string(kMinimal) + "[data]\nname = \"mnist\"\n");
  CHECK(m.find("exp.toml:6:8: data.name must be one of \"fashion_mnist\", \"ring8\", \"grid25\", \"fashion_invert\", "
               "\"fashion_flip\", \"fashion_edges\", \"fashion_classes\" (got \"mnist\")") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train.optimizer]\nname = \"adma\"\n")
            .find("did you mean \"adam\"?") != std::string::npos);
}

TEST_CASE("spec errors: a missing required key names the key and the file") {
  TempDir dir;
  const auto file = dir.write("exp.toml", "[experiment]\nname = \"t\"\n[train]\nepochs = 1\n");
  const std::string expected = file.string() + ": missing required key 'model.plugin'";
  CHECK_THROWS_WITH_AS(load_experiment(file), doctest::Contains(expected.c_str()), ConfigError);
  CHECK(error_of("[model]\nplugin = \"vae\"\n").find("missing required key 'experiment.name'") !=
        std::string::npos);
}

TEST_CASE("spec errors: steps and epochs both set") {
  const std::string m = error_of(std::string(kMinimal) + "[train]\nepochs = 10\nsteps = 500\n");
  CHECK(m.find("exp.toml:7:9: train.steps = 500 and train.epochs = 10 (") != std::string::npos);
  CHECK(m.find("exp.toml:6:10) are both > 0; set exactly one") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train]\nepochs = 0\n")
            .find("exp.toml:6:10: one of train.epochs / train.steps must be > 0") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[eval]\nevery_epochs = 1\nevery_steps = 100\n")
            .find("eval.every_steps = 100 and eval.every_epochs = 1") != std::string::npos);
  // Checkpoint cadence: at most one (both 0 = only at evaluations).
  CHECK(error_of(std::string(kMinimal) + "[run]\ncheckpoint_every_epochs = 0\n").empty());
  CHECK_FALSE(error_of(std::string(kMinimal) +
                       "[run]\ncheckpoint_every_epochs = 2\ncheckpoint_every_steps = 5\n")
                  .empty());
}

TEST_CASE("spec errors: every mistake of a file is reported at once") {
  const std::string m =
      error_of(std::string(kMinimal) + "[train]\nbatch_size = -3\nepochz = 2\n[data]\nlimit = \"all\"\n");
  CHECK(m.find("exp.toml:6:14: train.batch_size must be >= 1") != std::string::npos);
  CHECK(m.find("exp.toml:7:1: unknown key 'train.epochz'") != std::string::npos);
  CHECK(m.find("exp.toml:9:9: data.limit must be an integer") != std::string::npos);
}

TEST_CASE("spec errors: cross-key rules") {
  CHECK(error_of("[experiment]\nname = \"t\"\nseed = 1\nseeds = [1, 2]\n[model]\nplugin = \"vae\"\n")
            .find("exp.toml:3:8: experiment.seed and experiment.seeds") != std::string::npos);
  CHECK(error_of("[experiment]\nname = \"t\"\nseeds = [1, 1]\n[model]\nplugin = \"vae\"\n")
            .find("lists seed 1 twice") != std::string::npos);
  CHECK(error_of("[experiment]\nname = \"t\"\nseeds = []\n[model]\nplugin = \"vae\"\n")
            .find("experiment.seeds must not be empty") != std::string::npos);
  CHECK(error_of("[experiment]\nname = \"my run\"\n[model]\nplugin = \"vae\"\n")
            .find("exp.toml:2:8: experiment.name must match [A-Za-z0-9_-]+") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[data]\nlimit = 100\nvalidation = 100\n")
            .find("data.validation = 100 must be smaller than data.limit = 100") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[train.optimizer]\nname = \"sgd\"\nnesterov = true\n")
            .find("train.optimizer.nesterov = true needs train.optimizer.momentum > 0") !=
        std::string::npos);
}

TEST_CASE("spec errors: values a plugin cannot receive are refused early") {
  CHECK(error_of(std::string(kMinimal) + "layers = [\"a\", \"b\"]\n")
            .find("exp.toml:5:10: model.layers must be a bool, number, string or array of numbers "
                  "(got array [\"a\", \"b\"])") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[model.encoder]\nwidth = 3\n")
            .find("model.encoder must be a bool, number, string or array of numbers (got table)") !=
        std::string::npos);
}

TEST_CASE("spec errors: sections of the wrong kind and a bad [reference]") {
  CHECK(error_of("train = 5\n" + std::string(kMinimal))
            .find("exp.toml:1:9: train must be a table (got integer 5)") != std::string::npos);
  CHECK(error_of("reference = 3\n" + std::string(kMinimal))
            .find("exp.toml:1:13: reference must be a table or an array") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[grid]\nproduct = 3\n")
            .find("grid.product must be a table of axes (got integer 3)") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[grid.product]\n\"model.beta\" = []\n")
            .find("grid.product axis 'model.beta' must be a non-empty array") != std::string::npos);
  CHECK(error_of(std::string(kMinimal) + "[grid]\nprodcut = {}\n")
            .find("unknown key 'grid.prodcut'; did you mean 'grid.product'?") != std::string::npos);
}
