// genlab-bench: the compute core against this machine's own sgemm, at BLAS threads 1 and 2.
// Prints one table whose ratios are measured in this one process. Not a test: nothing asserted.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "genlab/allocator.hpp"
#include "genlab/blas.hpp"
#include "genlab/table.hpp"
#include "reference_nets.hpp"

using namespace genlab;
using Clock = std::chrono::steady_clock;

namespace {
// Median seconds per call of fn over `repeats` timed blocks of `calls` calls each.
double median_seconds(const std::function<void()>& fn, int calls, int repeats) {
  fn();  // warm-up (allocations, BLAS thread start)
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    for (int i = 0; i < calls; ++i) fn();
    times.push_back(std::chrono::duration<double>(Clock::now() - t0).count() / calls);
  }
  std::nth_element(times.begin(), times.begin() + repeats / 2, times.end());
  return times[repeats / 2];
}

// OpenBLAS's own sgemm at `threads` threads: the machine's reference rate.
double sgemm_gflops(int threads) {
  const std::size_t m = 128, k = 784, n = 400;
  Rng rng(1, "bench");
  const Tensor<float> a = rng.normal_tensor<float>({m, k}, 0.f, 1.f);
  const Tensor<float> b = rng.normal_tensor<float>({k, n}, 0.f, 1.f);
  Tensor<float> c = zeros<float>({m, n});
  const double s = median_seconds([&] { blas::reference_sgemm(threads, m, n, k, a.data(), b.data(), c.data()); }, 200, 9);
  return 2.0 * m * n * k / s / 1e9;
}

struct StepResult {
  double samples_per_s, gflops;
};

template <class Net>
StepResult time_steps(Net& net, const Tensor<float>& batch, int steps, int repeats) {
  const double s = median_seconds([&] { net.step(batch); }, steps, repeats);
  const std::size_t b = batch.shape()[0];
  return {static_cast<double>(b) / s, 3.0 * Net::forward_flops(b) / s / 1e9};
}
}  // namespace

int main(int argc, char** argv) {
  tune_allocator();
  CLI::App app{"genlab-bench: training-step throughput against this machine's sgemm rate"};
  int steps = 20, repeats = 7;
  std::vector<int> thread_counts{1, 2};
  std::string nets = "all";
  app.add_option("--steps", steps, "timed steps per block")->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "timed blocks (the median is reported)")->check(CLI::PositiveNumber);
  app.add_option("--threads", thread_counts, "BLAS/pool thread counts to measure")->check(CLI::PositiveNumber);
  app.add_option("--nets", nets, "which training steps to time (e.g. mlp alone, for perf record)")
      ->check(CLI::IsMember({"all", "mlp", "conv"}));
  CLI11_PARSE(app, argc, argv);

  std::printf("genlab-bench: BLAS %s\n", blas::config());
  std::printf("FLOPs counted as 3x the forward gemm/conv FLOPs; ratio = achieved / sgemm(128x784x400) rate\n\n");
  Table t;
  t.header = {"threads", "sgemm 128x784x400 GFLOP/s", "VAE-MLP step samples/s", "VAE-MLP GFLOP/s",
              "VAE-MLP ratio", "DCGAN step samples/s", "DCGAN GFLOP/s", "DCGAN ratio"};
  Rng data(7, "bench/data");
  const Tensor<float> mlp_batch = data.uniform_tensor<float>({128, 784}, 0.f, 1.f);
  const Tensor<float> conv_batch = data.uniform_tensor<float>({64, 1, 28, 28}, 0.f, 1.f);
  // A net left out by --nets shows "-" in its three columns.
  auto cells = [](const std::optional<StepResult>& r, double peak) -> std::vector<std::string> {
    if (!r) return {"-", "-", "-"};
    return {format_number(r->samples_per_s, 5), format_number(r->gflops, 4), format_number(r->gflops / peak, 3)};
  };
  for (int threads : thread_counts) {
    blas::set_num_threads(threads);
    const double peak = sgemm_gflops(threads);
    std::optional<StepResult> mlp, conv;
    if (nets != "conv") {
      bench::VaeMlp vae(0);
      mlp = time_steps(vae, mlp_batch, steps, repeats);
    }
    if (nets != "mlp") {
      bench::DcganConv gan(0);
      conv = time_steps(gan, conv_batch, std::max(1, steps / 4), repeats);
    }
    std::vector<std::string> row{std::to_string(threads), format_number(peak, 4)};
    for (auto& c : cells(mlp, peak)) row.push_back(c);
    for (auto& c : cells(conv, peak)) row.push_back(c);
    t.rows.push_back(row);
    std::fprintf(stderr, "threads %d done\n", threads);
  }
  std::printf("%s", t.render().c_str());
  return 0;
}
