// The reference classifier's identity: two trainings of one small classifier config, in
// different folders at different times, get different file hashes (timestamps differ) but the
// same identity (config + weights); another config gets another identity.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "genlab/reference_classifier.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
fs::path train_classifier(const fs::path& dir, const std::string& extra = "") {
  const std::string exp = std::string(GENLAB_SOURCE_DIR) + "/experiments/smoke/classifier.toml";
  const auto r = run_cli("run " + exp + " --set 'experiment.output=\"" + dir.string() + "\"' --no-progress" + extra);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".h5") return e.path();
  }
  FAIL("no run file under " << dir);
  return {};
}
}  // namespace

TEST_CASE("classifier identity: two trainings in different folders at different times get the same id") {
  TempDir dir("classifier-id");
  const fs::path first = train_classifier(dir / "lab_a");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // started_at has 1 s resolution
  const fs::path second = train_classifier(dir / "lab_b", " --set run.threads=2");
  const ReferenceClassifier a = ReferenceClassifier::load(first), b = ReferenceClassifier::load(second);
  CHECK(a.sha256() != b.sha256());  // the files differ (timestamps, folder, thread count)
  CHECK(a.id().size() == 64);
  CHECK(a.id() == b.id());
  const fs::path other = train_classifier(dir / "lab_c", " --set train.epochs=1");
  CHECK(ReferenceClassifier::load(other).id() != a.id());
}
