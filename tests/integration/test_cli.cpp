// The genlab CLI end to end on small runs: run, rerun (already finished), dry run, plugins,
// show, PNG output, a diverging cell that does not stop its grid, and --jobs.
// Bad input and kill -9 resume have their own files (test_bad_input.cpp, test_resume.cpp).
#include <doctest/doctest.h>

#include <cmath>

#include "genlab/image.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
std::string smoke_vae() { return std::string(GENLAB_SOURCE_DIR) + "/experiments/smoke/vae.toml"; }
std::string out_flag(const TempDir& d) { return " --set 'experiment.output=\"" + d.path().string() + "\"'"; }

fs::path only_file(const fs::path& dir, const std::string& ext) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ext) return e.path();
  }
  return {};
}
}  // namespace

TEST_CASE("cli: a smoke run writes a finished run file, a PNG and a table, and a rerun skips it") {
  TempDir dir("cli-run");
  const auto first = run_cli("run " + smoke_vae() + out_flag(dir) + " --no-progress");
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(first.output.find("eval epoch 1.00") != std::string::npos);
  CHECK(first.output.find("| run ") != std::string::npos);  // the summary table
  CHECK(first.output.find("neg_elbo") != std::string::npos);
  const fs::path h5 = only_file(dir.path(), ".h5");
  REQUIRE(!h5.empty());
  const RunSummary s = read_run(h5);
  CHECK(attr_to_string(s.attrs.at("status")) == "finished");
  CHECK(s.eval.at("neg_elbo").size() == 2);
  CHECK(s.train.at("loss").size() == 16);  // 512 images / 64 per batch x 2 epochs

  fs::path png = h5;
  png.replace_filename(h5.stem().string() + "_samples.png");
  REQUIRE(fs::exists(png));
  const ImageGrid grid = read_png(png);
  CHECK(grid.width == 4 * 28 + 5 * 2);  // 16 samples in 4 columns, 2-pixel gaps
  CHECK(grid.height == 4 * 28 + 5 * 2);

  const auto again = run_cli("run " + smoke_vae() + out_flag(dir) + " --no-progress");
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("1 already finished") != std::string::npos);

  const auto show = run_cli("show " + h5.string());
  CHECK(show.exit_code == 0);
  CHECK(show.output.find("eval/neg_elbo") != std::string::npos);
  CHECK(show.output.find("plugin_sha256") != std::string::npos);
}

TEST_CASE("cli: dry run lists every cell with its id, and plugins lists schemas") {
  const std::string grid = std::string(GENLAB_SOURCE_DIR) + "/experiments/ablations/vae_beta_latent.toml";
  const auto dry = run_cli("run " + grid + " --dry-run");
  INFO(dry.output);
  CHECK(dry.exit_code == 0);
  CHECK(dry.output.find("36 runs") != std::string::npos);
  CHECK(dry.output.find("model.beta=4.0 model.latent_dim=20 seed=2") != std::string::npos);

  const auto plugins = run_cli("plugins");
  INFO(plugins.output);
  CHECK(plugins.exit_code == 0);
  CHECK(plugins.output.find("\nvae 1.1.0 — ") != std::string::npos);  // a line of its own ("cvae 1.0.0" must not match)
  CHECK(plugins.output.find("\ncvae 1.0.0 — ") != std::string::npos);
  CHECK(plugins.output.find("latent_dim") != std::string::npos);
  CHECK(plugins.output.find("bernoulli | gaussian") != std::string::npos);
  CHECK(plugins.output.find("| [0, 1)") != std::string::npos);  // classifier dropout: >= 0 and < 1 (strict)
  CHECK(plugins.output.find("optimizer groups: model") != std::string::npos);
}

TEST_CASE("cli: a huge learning rate marks its run diverged and the grid still finishes (--jobs 2)") {
  TempDir dir("cli-diverge");
  const std::string exp = write_file(dir / "diverge.toml", R"(
[experiment]
name = "diverge"
output = ")" + (dir / "out").string() + R"("
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
[eval]
iwae_k = 10
[grid.product]
"train.optimizer.lr" = [1e12, 1e-3]
)");
  const auto r = run_cli("run " + exp + " --jobs 2");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("1 finished") != std::string::npos);
  CHECK(r.output.find("1 diverged") != std::string::npos);
  CHECK(r.output.find("diverged at step") != std::string::npos);
  int diverged = 0, finished = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "out")) {
    if (e.path().extension() != ".h5") continue;
    const std::string status = attr_to_string(read_run(e.path()).attrs.at("status"));
    diverged += status == "diverged";
    finished += status == "finished";
  }
  CHECK(diverged == 1);
  CHECK(finished == 1);
}

TEST_CASE("cli: a validation split is evaluated into the same rows as the test split") {
  TempDir dir("cli-validation");
  const auto r = run_cli("run " + smoke_vae() + out_flag(dir) + " --set data.validation=64 --no-progress");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("| nan") == std::string::npos);  // the summary shows the test metrics
  const RunSummary s = read_run(only_file(dir.path(), ".h5"));
  REQUIRE(s.eval.count("val_neg_elbo") == 1);
  CHECK(s.eval.at("step").size() == 2);
  CHECK(s.eval.at("val_neg_elbo").size() == 2);
  for (double v : s.eval.at("neg_elbo")) CHECK(std::isfinite(v));
  for (double v : s.eval.at("val_neg_elbo")) CHECK(std::isfinite(v));
  CHECK(attr_to_string(s.eval_attrs.at("val_neg_elbo").at("split")) == "validation");
}
