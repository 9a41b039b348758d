// genlab-bench: the compute core against this machine's own sgemm, at BLAS threads 1 and 2.
// Prints tables whose ratios are measured in this one process. Not a test: nothing asserted.
// Default: training steps of freshly initialised reference nets (VAE-MLP, DCGAN, and the cyclegan
// plugin's step at batch 1, 4, 16 in a second table); --train: whole real training runs
// (train_bench.cpp), which also see what happens once a model has trained a while.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "genlab/allocator.hpp"
#include "genlab/blas.hpp"
#include "genlab/table.hpp"
#include "cyclegan_step.hpp"
#include "reference_nets.hpp"
#include "train_bench.hpp"

using namespace genlab;
using Clock = std::chrono::steady_clock;

namespace {
// One timed thing: `calls` calls of fn make a block.
struct Workload {
  std::function<void()> fn;
  int calls;
};

// Median seconds per call of each workload over `repeats` blocks, the blocks of all workloads
// taken in turn (A B C A B C ...), so that a ratio compares times measured under the same
// conditions of a shared machine.
std::vector<double> interleaved_medians(const std::vector<Workload>& work, int repeats) {
  for (const auto& w : work) w.fn();  // warm-up (allocations, BLAS thread start)
  std::vector<std::vector<double>> times(work.size());
  for (int r = 0; r < repeats; ++r) {
    for (std::size_t j = 0; j < work.size(); ++j) {
      const auto t0 = Clock::now();
      for (int i = 0; i < work[j].calls; ++i) work[j].fn();
      times[j].push_back(std::chrono::duration<double>(Clock::now() - t0).count() / work[j].calls);
    }
  }
  std::vector<double> medians;
  for (auto& t : times) {
    std::nth_element(t.begin(), t.begin() + repeats / 2, t.end());
    medians.push_back(t[repeats / 2]);
  }
  return medians;
}

struct StepResult {
  double samples_per_s, gflops;
};

template <class Net>
StepResult step_result(double seconds, std::size_t batch) {
  return {static_cast<double>(batch) / seconds, 3.0 * Net::forward_flops(batch) / seconds / 1e9};
}

// OpenBLAS's own sgemm 128x784x400 at `threads` threads: the machine's reference rate (`calls`
// per block), and its FLOPs per call.
struct ReferenceSgemm {
  static constexpr std::size_t m = 128, k = 784, n = 400;
  Tensor<float> a, b, c = zeros<float>({m, n});
  int calls;
  explicit ReferenceSgemm(int calls_per_block) : calls(calls_per_block) {
    Rng rng(1, "bench");
    a = rng.normal_tensor<float>({m, k}, 0.f, 1.f);
    b = rng.normal_tensor<float>({k, n}, 0.f, 1.f);
  }
  Workload at(int threads) {
    return {[this, threads] { blas::reference_sgemm(threads, m, n, k, a.data(), b.data(), c.data()); }, calls};
  }
  static double gflops(double seconds) { return 2.0 * m * n * k / seconds / 1e9; }
};

// The VAE-MLP and DCGAN table: per thread count, the sgemm and both steps in turn.
void mlp_conv_table(const std::string& nets, const std::vector<int>& thread_counts, int steps, int repeats,
                    ReferenceSgemm& sgemm) {
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
    bench::VaeMlp vae(0);
    bench::DcganConv gan(0);
    std::vector<Workload> work{sgemm.at(threads)};
    if (nets != "conv") work.push_back({[&] { vae.step(mlp_batch); }, steps});
    if (nets != "mlp") work.push_back({[&] { gan.step(conv_batch); }, std::max(1, steps / 4)});
    const std::vector<double> seconds = interleaved_medians(work, repeats);
    const double peak = ReferenceSgemm::gflops(seconds[0]);
    std::optional<StepResult> mlp, conv;
    std::size_t next = 1;
    if (nets != "conv") mlp = step_result<bench::VaeMlp>(seconds[next++], 128);
    if (nets != "mlp") conv = step_result<bench::DcganConv>(seconds[next++], 64);
    std::vector<std::string> row{std::to_string(threads), format_number(peak, 4)};
    for (auto& c : cells(mlp, peak)) row.push_back(c);
    for (auto& c : cells(conv, peak)) row.push_back(c);
    t.rows.push_back(row);
    std::fprintf(stderr, "threads %d done\n", threads);
  }
  std::printf("%s\n", t.render().c_str());
}

// The CycleGAN table: per thread count, the sgemm and one plugin step per batch size in turn.
// samples/s counts one image of each domain as a sample.
int cyclegan_table(const std::filesystem::path& experiment, const std::vector<int>& thread_counts,
                   const std::vector<int>& batches, int steps, int repeats, ReferenceSgemm& sgemm) {
  const RunSpec run = bench::cyclegan_run_spec(experiment);
  const Params& params = *run.params;
  std::printf("CycleGAN: the cyclegan plugin's train_step with the nets of %s (g_channels %lld, res_blocks %lld, "
              "d_channels %lld, norm %s); FLOPs = 3 x forward conv FLOPs\n\n",
              experiment.string().c_str(), static_cast<long long>(params.get_int("g_channels")),
              static_cast<long long>(params.get_int("res_blocks")), static_cast<long long>(params.get_int("d_channels")),
              params.get_string("norm").c_str());
  Table t;
  t.header = {"threads", "sgemm 128x784x400 GFLOP/s", "batch", "CycleGAN step samples/s", "CycleGAN GFLOP/s", "CycleGAN ratio"};
  for (int threads : thread_counts) {
    blas::set_num_threads(threads);
    std::vector<std::unique_ptr<bench::CycleganStep>> nets;
    std::vector<Workload> work{sgemm.at(threads)};
    for (int b : batches) {
      nets.push_back(std::make_unique<bench::CycleganStep>(run, static_cast<std::size_t>(b)));
      bench::CycleganStep* net = nets.back().get();
      // 4 x steps / batch calls per block: about as many images per block at every batch size
      work.push_back({[net] { net->step(); }, std::max(1, steps * 4 / std::max(4, b))});
    }
    const std::vector<double> seconds = interleaved_medians(work, repeats);
    const double peak = ReferenceSgemm::gflops(seconds[0]);
    for (std::size_t i = 0; i < batches.size(); ++i) {
      const auto b = static_cast<std::size_t>(batches[i]);
      const double gflops = 3.0 * bench::CycleganStep::forward_flops(params, b) / seconds[i + 1] / 1e9;
      t.rows.push_back({std::to_string(threads), format_number(peak, 4), std::to_string(b),
                        format_number(static_cast<double>(b) / seconds[i + 1], 5), format_number(gflops, 4),
                        format_number(gflops / peak, 3)});
    }
    std::fprintf(stderr, "cyclegan: threads %d done\n", threads);
  }
  std::printf("%s", t.render().c_str());
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  blas::reexec_for_preferred_core(argv);  // the kernel genlab run uses, chosen before OpenBLAS loads
  tune_allocator();
  CLI::App app{"genlab-bench: training-step throughput against this machine's sgemm rate"};
  int steps = 20, repeats = 9, sgemm_calls = 0;
  std::vector<int> thread_counts{1, 2};
  std::string nets = "all";
  std::vector<int> cyclegan_batches{1, 4, 16};
  std::filesystem::path cyclegan_experiment = bench::kCycleganExperiment;
  app.add_option("--steps", steps, "timed steps per block (DCGAN: a quarter; CycleGAN: 4x / batch; sgemm: 10x as many calls)")
      ->check(CLI::PositiveNumber);
  app.add_option("--repeats", repeats, "timed blocks (the median is reported)")->check(CLI::PositiveNumber);
  app.add_option("--sgemm-calls", sgemm_calls, "sgemm calls per block (default 10 x --steps; 1 keeps it out of a perf profile)")
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", thread_counts, "thread counts to measure, e.g. 1,2")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  app.add_option("--nets", nets, "which training steps to time (e.g. mlp alone, for perf record); all = mlp, conv, cyclegan")
      ->check(CLI::IsMember({"all", "mlp", "conv", "cyclegan"}));
  app.add_option("--cyclegan-batches", cyclegan_batches, "batch sizes of the CycleGAN step")
      ->delimiter(',')
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--cyclegan-experiment", cyclegan_experiment, "experiment file whose first run gives the CycleGAN nets")
      ->capture_default_str();
  bench::TrainBenchOptions train;
  bool real_training = false;
  app.add_flag("--train", real_training, "time real training runs (quickstart VAE and CVAE) instead of fresh-net steps");
  app.add_option("--epochs", train.epochs, "--train: epochs per run (the steady state is the last two)")
      ->capture_default_str();
  app.add_option("--plugins", train.plugins, "--train: plugins trained with the experiment's settings")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--experiment", train.experiment, "--train: experiment file whose first run is trained")
      ->capture_default_str();
  app.add_flag("--iwae", train.iwae, "--train: keep the experiment's final IWAE bound and time it against its gemm bound");
  app.add_option("--float-mode", train.float_mode, "--train: [run] float_mode of the timed runs")
      ->check(CLI::IsMember({"ftz_daz", "ieee"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (real_training) {
    train.threads = thread_counts;
    try {
      return bench::run_train_bench(train);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "genlab-bench: %s\n", e.what());
      return 1;
    }
  }

  std::printf("genlab-bench: BLAS %s (core %s)\n", blas::config(), blas::core_name());
  std::printf("FLOPs counted as 3x the forward gemm/conv FLOPs; ratio = achieved / sgemm(128x784x400) rate\n\n");
  ReferenceSgemm sgemm(sgemm_calls > 0 ? sgemm_calls : 10 * steps);
  if (nets != "cyclegan") mlp_conv_table(nets, thread_counts, steps, repeats, sgemm);
  if (nets != "all" && nets != "cyclegan") return 0;
  try {
    return cyclegan_table(cyclegan_experiment, thread_counts, cyclegan_batches, steps, repeats, sgemm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "genlab-bench --nets cyclegan: %s (run it from the checkout, or pass --cyclegan-experiment)\n",
                 e.what());
    return 1;
  }
}

