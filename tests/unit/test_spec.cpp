// The experiment spec end to end: defaults, the full format, extends, --set, plugin
// hyper-parameter resolution and the canonical config / run id. Bad input has its own file
// (test_spec_errors.cpp); grid expansion is in test_grid.cpp.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "genlab/data.hpp"
#include "genlab/error.hpp"
#include "genlab/hash.hpp"
#include "genlab/spec.hpp"
#include "spec_files.hpp"

using namespace genlab;
using genlab_test::kMinimal;
using genlab_test::TempDir;

namespace {
bool same(const OptimizerSpec& a, const OptimizerSpec& b) {
  return a.name == b.name && a.lr == b.lr && a.beta1 == b.beta1 && a.beta2 == b.beta2 &&
         a.eps == b.eps && a.weight_decay == b.weight_decay && a.momentum == b.momentum &&
         a.alpha == b.alpha && a.nesterov == b.nesterov;
}

Schema vae_schema() {
  return {float_param("beta", 1.0, "KL weight").greater_than(0),
          int_param("latent_dim", 10, "latent size").at_least(1),
          int_list_param("hidden", {400}, "hidden widths").at_least(1),
          string_param("activation", "relu", "hidden activation").one_of({"relu", "tanh"})};
}

const char* kFull = R"(# the format of docs/EXPERIMENTS.md, every section written
[experiment]
name = "quickstart"
output = "out"
seeds = [0, 1, 2]

[data]
name = "ring8"
path = "/data/x"
limit = 1000
validation = 100

[model]
plugin = "vae"
path = "/plugins/libvae.so"
beta = 2
hidden = [800, 400]

[train]
steps = 5000
batch_size = 64
clip_grad_norm = 5.0

[train.optimizer]
name = "adamw"
lr = 3e-4
beta1 = 0.5
weight_decay = 0.01

[train.optimizer.discriminator]
lr = 2e-4

[train.schedule]
name = "step"
step_size = 100
gamma = 0.9

[eval]
every_steps = 500
batch_size = 250
samples = 16

[run]
threads = 2
checkpoint_every_steps = 1000
time_budget_s = 60
log_every_steps = 10

[reference]
source = "Kingma & Welling 2014"
elbo = -95.5
)";
}  // namespace

TEST_CASE("spec: a minimal file gets every documented default") {
  TempDir dir;
  const Experiment e = load_experiment(dir.write("exp.toml", kMinimal));
  REQUIRE(e.runs.size() == 1);
  const RunSpec& run = e.runs[0];
  CHECK(e.name == "t");
  CHECK(run.experiment == "t");
  CHECK(run.seed == 0);
  CHECK(run.plugin == "vae");
  CHECK(run.plugin_path.empty());
  CHECK(run.model_params.empty());
  CHECK(run.data_name == "fashion_mnist");
  CHECK(run.data_path == "/usr/share/datasets/fashion-mnist");
  CHECK(run.data_limit == 0);
  CHECK(run.data_validation == 0);
  CHECK(run.output_dir == "results");
  CHECK(run.output_file == std::filesystem::path("results") / "t" / (run.run_id + ".h5"));
  CHECK(run.grid == std::vector<std::pair<std::string, std::string>>{{"seed", "0"}});
  CHECK(run.reference_toml.empty());
  // The schema defaults and the structs' initialisers agree.
  const TrainSpec t{};
  CHECK(run.train.epochs == t.epochs);
  CHECK(run.train.steps == t.steps);
  CHECK(run.train.batch_size == t.batch_size);
  CHECK(run.train.clip_grad_norm == t.clip_grad_norm);
  CHECK(same(run.train.optimizer, OptimizerSpec{}));
  CHECK(run.train.optimizer_groups.empty());
  CHECK(run.train.schedule.name == t.schedule.name);
  CHECK(run.train.schedule.step_size == t.schedule.step_size);
  CHECK(run.train.schedule.gamma == t.schedule.gamma);
  CHECK(run.train.schedule.end_factor == t.schedule.end_factor);
  const EvalSpec ev{};
  CHECK(run.eval.every_epochs == ev.every_epochs);
  CHECK(run.eval.every_steps == ev.every_steps);
  CHECK(run.eval.batch_size == ev.batch_size);
  CHECK(run.eval.samples == ev.samples);
  const ExecutionSpec ex{};
  CHECK(run.execution.threads == ex.threads);
  CHECK(run.execution.checkpoint_every_epochs == ex.checkpoint_every_epochs);
  CHECK(run.execution.checkpoint_every_steps == ex.checkpoint_every_steps);
  CHECK(run.execution.time_budget_s == ex.time_budget_s);
  CHECK(run.execution.log_every_steps == ex.log_every_steps);
}

TEST_CASE("spec: every section of the documented format is read") {
  TempDir dir;
  const Experiment e = load_experiment(dir.write("exp.toml", kFull));
  REQUIRE(e.runs.size() == 3);
  const RunSpec& run = e.runs[1];
  CHECK(run.seed == 1);
  CHECK(run.output_file == std::filesystem::path("out") / "quickstart" / (run.run_id + ".h5"));
  CHECK(run.data_name == "ring8");
  CHECK(run.data_path == "/data/x");
  CHECK(run.data_limit == 1000);
  CHECK(run.data_validation == 100);
  CHECK(run.plugin_path == "/plugins/libvae.so");
  CHECK(std::get<std::int64_t>(run.model_params.at("beta").value) == 2);
  CHECK(run.model_params.at("beta").location.where.find("exp.toml:16:8") != std::string::npos);
  CHECK(std::get<std::vector<std::int64_t>>(run.model_params.at("hidden").value) ==
        std::vector<std::int64_t>{800, 400});
  // steps alone: epochs counts as 0.
  CHECK(run.train.epochs == 0);
  CHECK(run.train.steps == 5000);
  CHECK(run.train.batch_size == 64);
  CHECK(run.train.clip_grad_norm == 5.0);
  CHECK(run.train.optimizer.name == "adamw");
  CHECK(run.train.optimizer.lr == 3e-4);
  CHECK(run.train.optimizer.beta1 == 0.5);
  CHECK(run.train.optimizer.weight_decay == 0.01);
  // The group override changes lr only; the rest comes from [train.optimizer].
  const OptimizerSpec d = run.optimizer_for("discriminator");
  CHECK(d.lr == 2e-4);
  CHECK(d.name == "adamw");
  CHECK(d.beta1 == 0.5);
  CHECK(same(run.optimizer_for("generator"), run.train.optimizer));
  CHECK(run.train.schedule.name == "step");
  CHECK(run.train.schedule.step_size == 100);
  CHECK(run.train.schedule.gamma == 0.9);
  CHECK(run.eval.every_epochs == 0);
  CHECK(run.eval.every_steps == 500);
  CHECK(run.eval.batch_size == 250);
  CHECK(run.eval.samples == 16);
  CHECK(run.execution.threads == 2);
  CHECK(run.execution.checkpoint_every_epochs == 0);
  CHECK(run.execution.checkpoint_every_steps == 1000);
  CHECK(run.execution.time_budget_s == 60.0);
  CHECK(run.execution.log_every_steps == 10);
  CHECK(run.reference_toml ==
        "[reference]\nsource = \"Kingma & Welling 2014\"\nelbo = -95.5\n");
}

TEST_CASE("spec: the config text is canonical TOML that reproduces the run") {
  TempDir dir;
  const Experiment e = load_experiment(dir.write("exp.toml", kFull));
  const RunSpec& run = e.runs[2];
  const std::string& text = run.config_text;
  // Sorted sections and keys, defaults filled, the seed applied; execution settings left out.
  // the data by name and content (data.identity; for ring8 its generator), not by path
  CHECK(text.find("[data]\nidentity = \"" + data_identity("ring8", "") + "\"\nlimit = 1000\nname = \"ring8\"\nvalidation = 100\n") !=
        std::string::npos);
  CHECK(text.find("[experiment]\nname = \"quickstart\"\nseed = 2\n") != std::string::npos);
  CHECK(text.find("[model]\nbeta = 2\nhidden = [800, 400]\nplugin = \"vae\"\n") != std::string::npos);
  CHECK(text.find("[train.optimizer.discriminator]\nalpha = 0.99\n") != std::string::npos);
  CHECK(text.find("lr = 2e-04\n") != std::string::npos);  // shortest round-trip form
  CHECK(text.find("eps = 1e-08\n") != std::string::npos);
  CHECK(text.find("[run]") == std::string::npos);
  CHECK(text.find("reference") == std::string::npos);
  CHECK(text.find("/data/x") == std::string::npos);
  CHECK(text.find("grid") == std::string::npos);
  CHECK(text.find("[data]") < text.find("[eval]"));
  CHECK(text.find("[eval]") < text.find("[experiment]"));
  // Loaded back as an experiment file, the stored text gives the same run id.
  const Experiment back = load_experiment(dir.write("back.toml", text));
  REQUIRE(back.runs.size() == 1);
  CHECK(back.runs[0].config_text == text);
  CHECK(back.runs[0].run_id == run.run_id);
}

TEST_CASE("spec: execution settings and paths do not change the run id") {
  TempDir dir;
  const auto file = dir.write("exp.toml", kMinimal);
  const std::string id = load_experiment(file).runs[0].run_id;
  // another folder with the same files (links to them): the same data identity, the same id
  const std::filesystem::path copy = dir.path() / "fmnist";
  std::filesystem::create_directories(copy);
  for (const auto& f : std::filesystem::directory_iterator("/usr/share/datasets/fashion-mnist")) {
    std::filesystem::create_symlink(f.path(), copy / f.path().filename());
  }
  CHECK(load_experiment(file, {"run.threads=4", "run.time_budget_s=10", "experiment.output=elsewhere",
                               "data.path=" + copy.string(), "model.path=/x/libvae.so", "run.portable=true"})
            .runs[0]
            .run_id == id);
  CHECK(load_experiment(file, {"data.limit=100"}).runs[0].run_id != id);
  CHECK(load_experiment(file, {"eval.samples=8"}).runs[0].run_id != id);
}

TEST_CASE("spec: sha256 and run ids") {
  // FIPS 180-4 test vectors.
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000, 'a')) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  CHECK(run_id_of("abc") == "ba7816bf8f01");
}

TEST_CASE("spec: extends merges tables deeply, the extending file wins, chains work") {
  TempDir dir;
  dir.write("configs/base.toml", R"([experiment]
name = "base"
seeds = [0, 1]
[model]
plugin = "vae"
beta = 1.0
latent_dim = 10
[train]
epochs = 5
batch_size = 32
)");
  dir.write("configs/mid.toml", R"(extends = "base.toml"
[model]
beta = 2.0
[train.optimizer]
lr = 0.01
)");
  const auto file = dir.write("exp.toml", R"(extends = "configs/mid.toml"
[experiment]
name = "child"
[train]
batch_size = 16
)");
  const Experiment e = load_experiment(file);
  REQUIRE(e.runs.size() == 2);  // seeds from the base
  const RunSpec& run = e.runs[0];
  CHECK(run.experiment == "child");
  CHECK(std::get<double>(run.model_params.at("beta").value) == 2.0);       // mid
  CHECK(std::get<std::int64_t>(run.model_params.at("latent_dim").value) == 10);  // base
  CHECK(run.train.epochs == 5);       // base
  CHECK(run.train.batch_size == 16);  // child
  CHECK(run.train.optimizer.lr == 0.01);
  // Locations name the file each value came from.
  CHECK(run.model_params.at("beta").location.where.find("mid.toml:3:8") != std::string::npos);
  CHECK(run.model_params.at("latent_dim").location.where.find("base.toml:7:14") != std::string::npos);
}

TEST_CASE("spec: an extends cycle is an error naming the chain") {
  TempDir dir;
  dir.write("a.toml", "extends = \"b.toml\"\n[experiment]\nname = \"a\"\n");
  dir.write("b.toml", "extends = \"./a.toml\"\n");
  CHECK_THROWS_WITH_AS(load_experiment(dir.path() / "a.toml"),
                       doctest::Contains("b.toml:1:11: extends cycle: "), ConfigError);
  const std::string chain = "b.toml -> " + (dir.path() / "a.toml").string();
  CHECK_THROWS_WITH_AS(load_experiment(dir.path() / "a.toml"), doctest::Contains(chain.c_str()),
                       ConfigError);
  dir.write("self.toml", "extends = \"self.toml\"\n");
  CHECK_THROWS_AS(load_experiment(dir.path() / "self.toml"), ConfigError);
}

TEST_CASE("spec: a missing extends file is an error at the extends key") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string("extends = \"nope.toml\"\n") + kMinimal);
  CHECK_THROWS_WITH_AS(load_experiment(file), doctest::Contains("exp.toml:1:11: extends: cannot find"),
                       ConfigError);
}

TEST_CASE("spec: --set overrides values, parsed as TOML or else as a bare string") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kMinimal) + "beta = 1.0\n[train]\nepochs = 3\n");
  const Experiment e = load_experiment(
      file, {"model.beta=2.5", "train.epochs = 7", "data.name=ring8", "model.hidden=[10, 20]",
             "experiment.seeds=[3, 4]", "train.optimizer.discriminator.lr=0.5"});
  REQUIRE(e.runs.size() == 2);
  const RunSpec& run = e.runs[1];
  CHECK(run.seed == 4);
  CHECK(std::get<double>(run.model_params.at("beta").value) == 2.5);
  CHECK(run.model_params.at("beta").location.where == "--set model.beta=2.5");
  CHECK(run.train.epochs == 7);
  CHECK(run.data_name == "ring8");
  CHECK(std::get<std::vector<std::int64_t>>(run.model_params.at("hidden").value) ==
        std::vector<std::int64_t>{10, 20});
  CHECK(run.optimizer_for("discriminator").lr == 0.5);
  // Later overrides win over earlier ones.
  CHECK(load_experiment(file, {"train.epochs=2", "train.epochs=9"}).runs[0].train.epochs == 9);
}

TEST_CASE("spec: --set with an unknown key suggests the nearest one") {
  TempDir dir;
  const auto file = dir.write("exp.toml", kMinimal);
  CHECK_THROWS_WITH_AS(load_experiment(file, {"train.batchsize=64"}),
                       doctest::Contains("--set train.batchsize=64: unknown key 'train.batchsize'; "
                                         "did you mean 'train.batch_size'?"),
                       ConfigError);
}

TEST_CASE("spec: --set with a value of the wrong type names the override") {
  TempDir dir;
  const auto file = dir.write("exp.toml", kMinimal);
  CHECK_THROWS_WITH_AS(load_experiment(file, {"train.batch_size=many"}),
                       doctest::Contains("--set train.batch_size=many: train.batch_size must be an "
                                         "integer (got string \"many\")"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(load_experiment(file, {"train.batch_size"}),
                       doctest::Contains("--set train.batch_size: expected key=value"), ConfigError);
}

TEST_CASE("spec: plugin hyper-parameters are checked against the plugin's schema") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kMinimal) + "beta = 2\nhidden = [300]\n");
  RunSpec run = load_experiment(file).runs[0];
  const std::string raw_id = run.run_id;

  // Ints are accepted for floats; defaults are filled.
  const Params p = resolve_model_params(run, vae_schema());
  CHECK(p.get_float("beta") == 2.0);
  CHECK(std::holds_alternative<double>(p.at("beta")));
  CHECK(p.get_int("latent_dim") == 10);
  CHECK(p.get_int_list("hidden") == std::vector<std::int64_t>{300});
  CHECK(p.get_string("activation") == "relu");

  // finalize_run re-renders with the plugin's defaults and types, and recomputes the id.
  const Params f = finalize_run(run, vae_schema());
  CHECK(run.params.has_value());
  CHECK(f.get_int("latent_dim") == 10);
  CHECK(run.config_text.find("[model]\nactivation = \"relu\"\nbeta = 2.0\nhidden = [300]\n"
                             "latent_dim = 10\nplugin = \"vae\"\n") != std::string::npos);
  CHECK(run.run_id == run_id_of(run.config_text));
  CHECK(run.run_id != raw_id);
  CHECK(run.output_file.filename() == run.run_id + ".h5");

  // Writing a default explicitly does not change the finalized id.
  const auto explicit_file = dir.write(
      "explicit.toml", std::string(kMinimal) + "beta = 2.0\nhidden = [300]\nlatent_dim = 10\n");
  RunSpec other = load_experiment(explicit_file).runs[0];
  finalize_run(other, vae_schema());
  CHECK(other.run_id == run.run_id);

  // The SchemaLookup overload finalizes every run.
  const Experiment e = load_experiment(file, {}, [](const RunSpec&) { return vae_schema(); });
  CHECK(e.runs[0].run_id == run.run_id);
}

TEST_CASE("spec: bad plugin hyper-parameters are located, with suggestions") {
  TempDir dir;
  const auto file = dir.write(
      "exp.toml", std::string(kMinimal) + "betta = 2.0\nbeta = -1\nhidden = [400, 0]\nactivation = \"relux\"\n");
  const RunSpec run = load_experiment(file).runs[0];
  try {
    resolve_model_params(run, vae_schema());
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    CHECK(m.find("exp.toml:5:1: unknown key 'model.betta'; did you mean 'model.beta'?") !=
          std::string::npos);
    CHECK(m.find("exp.toml:6:8: model.beta must be > 0 (got -1)") != std::string::npos);
    CHECK(m.find("exp.toml:7:10: model.hidden[1] must be >= 1 (got 0)") != std::string::npos);
    CHECK(m.find("exp.toml:8:14: model.activation must be one of \"relu\", \"tanh\" (got \"relux\"); "
                 "did you mean \"relu\"?") != std::string::npos);
  }
  RunSpec wrong = load_experiment(file, {"model.betta=1", "model.beta=\"big\"", "model.hidden=[1]",
                                         "model.activation=tanh"})
                      .runs[0];
  wrong.model_params.erase("betta");
  CHECK_THROWS_WITH_AS(resolve_model_params(wrong, vae_schema()),
                       doctest::Contains("--set model.beta=\"big\": model.beta must be a number "
                                         "(got string \"big\")"),
                       ConfigError);
}

TEST_CASE("spec: per-group optimizer overrides must name a group of the plugin") {
  TempDir dir;
  const auto file = dir.write("exp.toml", std::string(kMinimal) +
                                              "[train.optimizer.discriminatr]\nlr = 1e-4\n");
  const RunSpec run = load_experiment(file).runs[0];
  CHECK_THROWS_WITH_AS(check_optimizer_groups(run, {"generator", "discriminator"}),
                       doctest::Contains("no optimizer group 'discriminatr' (its groups: generator, "
                                         "discriminator); did you mean 'discriminator'?"),
                       ConfigError);
  CHECK_NOTHROW(check_optimizer_groups(load_experiment(dir.write("ok.toml", kMinimal)).runs[0],
                                       {"model"}));
}

TEST_CASE("spec: the harness sections are published as schemas") {
  const auto& sections = harness_sections();
  std::vector<std::string> names;
  for (const SectionSchema& s : sections) names.push_back(s.section);
  CHECK(names == std::vector<std::string>{"experiment", "data", "model", "train", "train.optimizer",
                                          "train.schedule", "eval", "run"});
  for (const SectionSchema& s : sections) {
    for (const ParamSpec& p : s.schema) CHECK_MESSAGE(!p.doc.empty(), (s.section + "." + p.name));
  }
}

TEST_CASE("spec: docs/EXPERIMENTS.md documents every harness key") {
  std::ifstream in(std::string(GENLAB_SOURCE_DIR) + "/docs/EXPERIMENTS.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (const SectionSchema& s : harness_sections()) {
    const auto section = doc.find("### [" + s.section + "]");
    CHECK_MESSAGE(section != std::string::npos, s.section);
    const auto next = doc.find("###", section + 1);
    const std::string body = doc.substr(section, next - section);
    for (const ParamSpec& p : s.schema) {
      CHECK_MESSAGE(body.find("| `" + p.name + "` |") != std::string::npos, (s.section + "." + p.name));
    }
  }
}

TEST_CASE("spec: the config text holds every key that can change results") {
  // Every key of the result-determining sections must reach the canonical text (and so the
  // run id); only execution settings and paths are left out on purpose.
  TempDir dir;
  const std::string text = load_experiment(dir.write("exp.toml", kMinimal)).runs[0].config_text;
  // data.flip / classes / paired change only the two-domain sets they belong to, so only those
  // runs' texts hold them (the test below): adding them kept every other run id.
  const std::set<std::string> left_out = {"experiment.output", "experiment.seeds", "data.path", "model.path",
                                          "data.flip", "data.classes", "data.paired"};
  for (const SectionSchema& s : harness_sections()) {
    if (s.section == "run") continue;
    const auto header = text.find("[" + s.section + "]\n");
    CHECK_MESSAGE(header != std::string::npos, s.section);
    const auto next = text.find("\n[", header + 1);
    const std::string body = text.substr(header, next - header);
    for (const ParamSpec& p : s.schema) {
      const std::string key = s.section + "." + p.name;
      if (left_out.count(key) || (s.section == "model" && p.name != "plugin")) continue;
      CHECK_MESSAGE(body.find("\n" + p.name + " = ") != std::string::npos, key);
    }
  }
}

TEST_CASE("spec: the two-domain data keys reach the config text of their own data sets only") {
  TempDir dir;
  const auto text_of = [&](const std::string& data) {
    return load_experiment(dir.write("exp.toml", std::string(kMinimal) + "[data]\n" + data)).runs[0].config_text;
  };
  const std::string plain = text_of("name = \"fashion_mnist\"\n");
  for (const char* key : {"\nflip = ", "\nclasses = ", "\npaired = "}) CHECK(plain.find(key) == std::string::npos);
  CHECK(text_of("name = \"fashion_flip\"\nflip = \"rot90\"\n").find("\nflip = \"rot90\"") != std::string::npos);
  CHECK(text_of("name = \"fashion_classes\"\nclasses = [0, 6]\n").find("\nclasses = [0, 6]") != std::string::npos);
  CHECK(text_of("name = \"fashion_invert\"\npaired = true\n").find("\npaired = true") != std::string::npos);
  CHECK_THROWS_WITH_AS(text_of("name = \"fashion_classes\"\nclasses = [3, 3]\n"),
                       doctest::Contains("data.classes must list two different classes"), ConfigError);
}
