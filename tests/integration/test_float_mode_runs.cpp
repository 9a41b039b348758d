// The float mode seen from run files: each run records [run] float_mode in its provenance, the
// default is ftz_daz, a run interrupted under one mode is not resumed under the other (that
// would give bits neither mode reproduces), and verify re-executes a run in its own mode.
// The flushing itself is tested in unit/.
#include <doctest/doctest.h>

#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
std::string float_mode_experiment(const TempDir& dir) {
  return write_file(dir / "exp.toml", R"(
[experiment]
name = "float_mode"
output = ")" + (dir / "out").string() + R"("
[data]
name = "fashion_mnist"
limit = 256
[model]
plugin = "vae"
hidden = [16]
latent_dim = 2
[train]
steps = 8
batch_size = 64
[eval]
every_epochs = 0
every_steps = 8
iwae_k = 0
)");
}

std::string float_mode_of(const fs::path& h5) {
  const RunSummary s = read_run(h5);
  return s.attrs.count("float_mode") ? attr_to_string(s.attrs.at("float_mode")) : "(missing)";
}
}  // namespace

TEST_CASE("float mode runs: the run file records ftz_daz by default and ieee when asked") {
  TempDir dir("float_mode_default");
  const std::string exp = float_mode_experiment(dir);
  REQUIRE(run_cli("run " + exp + " --no-progress").exit_code == 0);
  CHECK(float_mode_of(only_h5(dir / "out")) == "ftz_daz");
  fs::remove_all(dir / "out");
  REQUIRE(run_cli("run " + exp + " --no-progress --set 'run.float_mode=\"ieee\"'").exit_code == 0);
  CHECK(float_mode_of(only_h5(dir / "out")) == "ieee");
  // verify re-executes in the run's recorded mode (the default would be ftz_daz)
  const auto verified = run_cli("verify " + only_h5(dir / "out").string() + " --steps 8 --scratch " +
                                (dir / "scratch").string());
  INFO(verified.output);
  CHECK(verified.exit_code == 0);
  CHECK(float_mode_of(dir / "scratch" / "reexecuted.h5") == "ieee");
}

TEST_CASE("float mode runs: a run interrupted under ieee is refused under ftz_daz and resumes under ieee") {
  TempDir dir("float_mode_resume");
  const std::string exp = float_mode_experiment(dir);
  const std::string ieee = " --no-progress --set 'run.float_mode=\"ieee\"'";
  REQUIRE(run_cli("run " + exp + ieee + " --set run.stop_after_steps=4 --set run.checkpoint_every_steps=4").exit_code == 0);
  const fs::path h5 = only_h5(dir / "out");
  const std::string stopped = attr_to_string(read_run(h5).attrs.at("status"));
  REQUIRE(stopped != "finished");
  REQUIRE(read_run(h5).checkpoint_step == 4);
  const auto refused = run_cli("run " + exp + " --no-progress");
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find("float_mode = \"ieee\"") != std::string::npos);
  CHECK(attr_to_string(read_run(h5).attrs.at("status")) == stopped);  // nothing was lost
  CHECK(read_run(h5).checkpoint_step == 4);
  REQUIRE(run_cli("run " + exp + ieee).exit_code == 0);
  CHECK(attr_to_string(read_run(h5).attrs.at("status")) == "finished");
}

TEST_CASE("float mode runs: a bad float_mode is refused by validate with its location") {
  TempDir dir("float_mode_bad");
  const std::string exp = float_mode_experiment(dir);
  const auto r = run_cli("validate " + exp + " --set 'run.float_mode=\"fast\"'");
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("float_mode") != std::string::npos);
  CHECK(r.output.find("ftz_daz") != std::string::npos);
}
