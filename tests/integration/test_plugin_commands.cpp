// `genlab test-plugin` and `genlab new-plugin` through the CLI: the good fixture passes every
// check; each broken fixture fails with exit code 1 and a FAIL line naming the rule it breaks;
// a scaffold is written from a bundled plugin and --from gan is refused with a reason.
// Building a scaffold out of tree is the install acceptance test's job (tests/install/).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "support/fashion_mnist.hpp"
#include "support/run_helpers.hpp"

using namespace genlab::testing;

namespace {

std::string fixture(const std::string& rule) {
  return (fs::path(GENLAB_TEST_PLUGIN_DIR) / ("libgenlab_fixture_" + rule + ".so")).string();
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("test-plugin: a plugin that keeps the contract passes every check") {
  const CommandResult r = run_cli("test-plugin " + fixture("good") + " --set model.latent_dim=2");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  for (const char* name : {"loads", "describes", "trains", "finite metrics", "deterministic", "exact resume",
                           "parameter names unique", "checkpoint round trip", "capability reconstructs",
                           "undeclared capabilities not called"}) {
    CHECK_MESSAGE(r.output.find(std::string("PASS  ") + name) != std::string::npos, name);
  }
  CHECK(r.output.find("FAIL") == std::string::npos);
  CHECK(r.output.find(" 0 failed") != std::string::npos);
}

TEST_CASE("test-plugin: a plugin that translates gets a two-domain data set (fashion_invert) by default") {
  if (!have_fashion_mnist()) return;
  const TempDir dir("tp-translate");
  const fs::path work = dir / "work";
  const CommandResult r = run_cli("test-plugin cyclegan --set model.g_channels=2 --set model.res_blocks=1 "
                                  "--set model.d_channels=2 --set model.pool_size=4 --set train.batch_size=4 "
                                  "--work-dir " + work.string());
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("PASS  trains") != std::string::npos);
  CHECK(read_text(work / "contract.toml").find("name = \"fashion_invert\"") != std::string::npos);
}

TEST_CASE("test-plugin: each broken fixture fails, naming the check it breaks") {
  struct Case {
    const char* rule;
    const char* check;
    const char* detail;
  };
  for (const Case c : {Case{"capability", "capability samples", "does not implement sample()"},
                       Case{"nondeterministic", "deterministic", "same seed, different bits"},
                       Case{"resume", "exact resume", "not identical to an uninterrupted run"},
                       Case{"names", "parameter names unique", "used twice"}}) {
    INFO(c.rule);
    const CommandResult r = run_cli("test-plugin " + fixture(c.rule));
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find(std::string("FAIL  ") + c.check + ": ") != std::string::npos);
    CHECK(r.output.find(c.detail) != std::string::npos);
    CHECK(r.output.find(std::string("failed (")) != std::string::npos);
  }
}

TEST_CASE("test-plugin: a plugin of another ABI or genlab version fails at 'loads', naming both values") {
  const CommandResult abi = run_cli("test-plugin " + (fs::path(GENLAB_TEST_PLUGIN_DIR) / "libgenlab_badabi.so").string());
  INFO(abi.output);
  CHECK(abi.exit_code == 1);
  CHECK(abi.output.find("FAIL  loads: plugin ") != std::string::npos);
  CHECK(abi.output.find("ABI version 999 (symbol genlab_abi_version), but this genlab expects 3") != std::string::npos);
  CHECK(abi.output.find("SKIP  trains") != std::string::npos);
  const CommandResult version = run_cli("test-plugin " + fixture("version"));
  INFO(version.output);
  CHECK(version.exit_code == 1);
  CHECK(version.output.find("genlab version '0.0.0-other' (symbol genlab_sdk_version), but this genlab is") !=
        std::string::npos);
}

TEST_CASE("new-plugin: writes source, CMakeLists.txt, smoke TOML and README from a bundled plugin") {
  TempDir dir("new-plugin");
  const fs::path out = dir / "my_vae";
  const CommandResult r = run_cli("new-plugin my_vae --from vae --dir " + out.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const std::string source = read_text(out / "my_vae.cpp");
  CHECK(source.rfind("// Plugin \"my_vae\" (scaffolded by genlab new-plugin", 0) == 0);
  CHECK(source.find("{\"my_vae\", \"0.1.0\"") != std::string::npos);
  CHECK(source.find("class MyVae final") != std::string::npos);
  CHECK(source.find("GENLAB_REGISTER_MODEL(MyVae)") != std::string::npos);
  CHECK(source.find("Vae") == source.find("MyVae") + 2);  // no class name of the template left
  CHECK(read_text(out / "CMakeLists.txt").find("genlab_add_plugin(my_vae my_vae.cpp)") != std::string::npos);
  CHECK(read_text(out / "smoke.toml").find("plugin = \"my_vae\"") != std::string::npos);
  CHECK(fs::exists(out / "README.md"));
  // a second time into the same folder is refused: nothing is overwritten
  CHECK(run_cli("new-plugin my_vae --dir " + out.string()).exit_code == 2);
}

TEST_CASE("new-plugin: --from gan writes the GAN with a ring8 smoke TOML") {
  TempDir dir("new-plugin-gan");
  const fs::path out = dir / "my_gan";
  const CommandResult r = run_cli("new-plugin my_gan --from gan --dir " + out.string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const std::string source = read_text(out / "my_gan.cpp");
  CHECK(source.rfind("// Plugin \"my_gan\" (scaffolded by genlab new-plugin from the bundled \"gan\"", 0) == 0);
  CHECK(source.find("{\"my_gan\", \"0.1.0\"") != std::string::npos);
  CHECK(source.find("class MyGan final") != std::string::npos);
  CHECK(source.find("GENLAB_REGISTER_MODEL(MyGan)") != std::string::npos);
  CHECK(source.find("GanLoss") != std::string::npos);  // whole words only: the SDK's GanLoss is kept
  const std::string smoke = read_text(out / "smoke.toml");
  CHECK(smoke.find("plugin = \"my_gan\"") != std::string::npos);
  CHECK(smoke.find("name = \"ring8\"") != std::string::npos);
  CHECK(smoke.find("g_hidden") != std::string::npos);
  CHECK(smoke.find("hidden = [64]") == std::string::npos);  // not the VAE's keys
}

TEST_CASE("new-plugin: an unknown template and a bad name are refused") {
  TempDir dir("new-plugin-refusals");
  const CommandResult unknown = run_cli("new-plugin g --from wgan --dir " + (dir / "g").string());
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("unknown template (choices: ae, vae, gan)") != std::string::npos);
  const CommandResult bad = run_cli("new-plugin My-Plugin --dir " + (dir / "m").string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("is not a plugin name") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "g"));
}

TEST_CASE("plugins and run: a copy earlier on GENLAB_PLUGIN_PATH is used, and the copy it shadows is named") {
  TempDir dir("shadow-cli");
  fs::create_directories(dir / "mine");
  const fs::path mine = dir / "mine" / "libgenlab_ae.so";
  fs::copy_file(fs::path(GENLAB_PLUGIN_DIR) / "libgenlab_ae.so", mine);
  const std::string env = "GENLAB_PLUGIN_PATH=" + (dir / "mine").string() + " ";
  const CommandResult plugins = run_command(env + GENLAB_CLI + " plugins");
  INFO(plugins.output);
  CHECK(plugins.output.find("file: " + fs::canonical(mine).string()) != std::string::npos);
  CHECK(plugins.output.find("warning: plugin 'ae': using " + fs::canonical(mine).string() + "; it shadows") !=
        std::string::npos);
  const std::string smoke = std::string(GENLAB_SOURCE_DIR) + "/experiments/smoke/ae.toml";
  const CommandResult run = run_command(env + GENLAB_CLI + " run " + smoke + " --no-progress --set train.epochs=0 " +
                                        "--set train.steps=1 --set eval.every_epochs=0 --set eval.every_steps=1 " +
                                        "--set data.limit=64 --set 'experiment.output=\"" + (dir / "out").string() + "\"'");
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.output.find("warning: plugin 'ae': using " + fs::canonical(mine).string()) != std::string::npos);
}
