// What ABI v3 adds, end to end through the runner: metric cards become attributes of
// /eval/<metric>, whole-split metrics (end_evaluation) are stored as computed and do not depend
// on eval.batch_size, the per-dimension KL needs a declared Gaussian posterior and N(0, I) prior,
// and generator outputs are mapped to [0, 1] by their declared range.
#include <doctest/doctest.h>

#include "genlab/executor.hpp"
#include "genlab/image.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {

// The good contract fixture, 4 steps on 200 images, evaluated at the end with `eval_batch`.
RunSummary run_fixture(const TempDir& dir, const std::string& label, std::size_t eval_batch) {
  const fs::path so = fs::path(GENLAB_TEST_PLUGIN_DIR) / "libgenlab_fixture_good.so";
  const std::string exp = write_file(dir / (label + ".toml"), "[experiment]\nname = \"v3\"\noutput = \"" +
                                                                  (dir / label).string() + "\"\n[data]\nname = \"fashion_mnist\"\nlimit = 200\n"
                                                                  "[model]\nplugin = \"fixture_good\"\npath = \"" + so.string() +
                                                                  "\"\n[train]\nsteps = 4\nbatch_size = 32\n[eval]\nevery_steps = 4\n"
                                                                  "batch_size = " + std::to_string(eval_batch) + "\n");
  const Experiment e = load_and_validate(exp, {"train.epochs=0", "eval.every_epochs=0"});
  REQUIRE(e.runs.size() == 1);
  const RunResult r = run_one(e.runs[0], RunnerOptions{});
  REQUIRE_MESSAGE(r.status == RunStatus::Finished, r.message);
  return read_run(r.file);
}

}  // namespace

TEST_CASE("abi v3: metric cards are written as attributes, whole-split metrics do not depend on eval.batch_size") {
  TempDir dir("abi-v3");
  const RunSummary a = run_fixture(dir, "a", 64), b = run_fixture(dir, "b", 200);
  for (const RunSummary* s : {&a, &b}) {
    REQUIRE(s->eval.count("rows_seen") == 1);
    CHECK(s->eval.at("rows_seen").back() == 200);  // the whole test split, not a per-batch mean
    const AttrMap& rows = s->eval_attrs.at("rows_seen");
    CHECK(attr_to_string(rows.at("aggregation")) == "whole split");
    CHECK(attr_to_string(rows.at("unit")) == "images");
    CHECK(rows.count("better") == 0);  // Better::Unspecified writes none
    const AttrMap& loss = s->eval_attrs.at("loss");
    CHECK(attr_to_string(loss.at("definition")) == "mean BCE per pixel");
    CHECK(attr_to_string(loss.at("unit")) == "nats per pixel");
    CHECK(attr_to_string(loss.at("better")) == "lower");
    const AttrMap& train_loss = s->train_attrs.at("loss");  // train metrics carry the card too
    CHECK(attr_to_string(train_loss.at("unit")) == "nats per pixel");
    CHECK(attr_to_string(train_loss.at("better")) == "lower");
  }
}

TEST_CASE("abi v3: per-dimension KL only for a declared Gaussian posterior with a N(0, I) prior") {
  TempDir dir("abi-v3-kl");
  auto run = [&](const std::string& plugin) {
    const fs::path smoke = fs::path(GENLAB_SOURCE_DIR) / "experiments" / "smoke" / (plugin + ".toml");
    const Experiment e = load_and_validate(smoke, {"experiment.output=\"" + (dir / plugin).string() + "\"",
                                                   "train.epochs=0", "train.steps=2", "eval.every_epochs=0",
                                                   "eval.every_steps=2", "data.limit=100", "eval.iwae_k=0"});
    const RunResult r = run_one(e.runs.at(0), RunnerOptions{});
    REQUIRE_MESSAGE(r.status == RunStatus::Finished, r.message);
    return read_run(r.file);
  };
  const RunSummary ae = run("ae"), vae = run("vae");
  CHECK(ae.eval.count("active_units") == 1);  // a deterministic code still has active units
  CHECK(ae.eval_attrs.at("active_units").count("kl_per_dim") == 0);  // but no KL from its placeholder logvar
  CHECK(vae.eval_attrs.at("active_units").count("kl_per_dim") == 1);
  CHECK(attr_to_string(vae.eval_attrs.at("neg_elbo").at("better")) == "lower");  // vae's cards (latent.hpp)
}

TEST_CASE("abi v3: generator outputs are mapped to [0, 1] by their declared range") {
  const Tensor<float> x = {{-1.f, -0.5f, 0.f, 0.5f, 1.f, 2.f}};
  CHECK(to_unit_range(x, OutputRange::Unit) == x);  // as is (images clamp when drawn)
  const Tensor<float> sym = {{0.f, 0.25f, 0.5f, 0.75f, 1.f, 1.f}};
  CHECK(to_unit_range(x, OutputRange::Symmetric) == sym);
  const Tensor<float> unb = {{0.f, 0.f, 0.f, 0.5f, 1.f, 1.f}};
  CHECK(to_unit_range(x, OutputRange::Unbounded) == unb);
}
