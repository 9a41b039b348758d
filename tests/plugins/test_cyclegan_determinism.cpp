// Bitwise reproducibility of the cyclegan plugin's training step at 1, 2 and 3 threads: the
// genlab-bench CycleGAN step (harness/bench/cyclegan_step.hpp: the ablation's nets and image pools,
// as the file has them (batch norm, no identity loss) and with instance norm + the identity loss)
// at batch 4, whose convolutions take both the direct stride-1 kernels and im2col + gemm. It does
// not test resume (test_cyclegan.cpp does).
#include <doctest/doctest.h>

#include <cstring>

#include "cyclegan_step.hpp"
#include "genlab/blas.hpp"

using namespace genlab;
namespace fs = std::filesystem;

namespace {
struct Stepped {
  std::vector<Tensor<float>> params;
  std::vector<double> losses;
};

Stepped three_steps(const RunSpec& run, int threads) {
  const int previous = blas::num_threads();
  blas::set_num_threads(threads);
  bench::CycleganStep net(run, 4, fs::path(GENLAB_PLUGIN_DIR) / plugin_file_name("cyclegan"));
  Stepped s;
  for (int i = 0; i < 3; ++i) {
    const Metrics m = net.step();
    s.losses.push_back(m.at("g_loss"));
    s.losses.push_back(m.at("d_loss"));
  }
  s.params = net.parameter_values();
  blas::set_num_threads(previous);
  return s;
}

bool same_bits(const Stepped& a, const Stepped& b) {
  if (a.params.size() != b.params.size() || a.losses != b.losses) return false;
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    if (a.params[i].shape() != b.params[i].shape() ||
        std::memcmp(a.params[i].data(), b.params[i].data(), a.params[i].size() * sizeof(float)) != 0) {
      return false;
    }
  }
  return true;
}
}  // namespace

TEST_CASE("cyclegan determinism: 3 steps of the ablation's nets are bitwise identical at 1, 2 and 3 threads") {
  const fs::path file = fs::path(GENLAB_SOURCE_DIR) / bench::kCycleganExperiment;
  // the file's settings (batch norm, lambda_id 0), then instance norm with the identity loss
  const std::vector<std::vector<std::string>> variants{{}, {"model.norm=\"instance\"", "model.lambda_id=5.0"}};
  for (const auto& extra : variants) {
    INFO("overrides: " << (extra.empty() ? std::string("none") : extra[0] + " " + extra[1]));
    const RunSpec run = bench::cyclegan_run_spec(file, extra);
    const Stepped one = three_steps(run, 1), two = three_steps(run, 2), three = three_steps(run, 3);
    REQUIRE_FALSE(one.params.empty());
    CHECK(same_bits(one, two));
    CHECK(same_bits(one, three));
    // the steps moved the parameters (the comparison is not of three untouched inits)
    bench::CycleganStep fresh(run, 4, fs::path(GENLAB_PLUGIN_DIR) / plugin_file_name("cyclegan"));
    CHECK_FALSE(same_bits(one, Stepped{fresh.parameter_values(), one.losses}));
  }
}
