// The real-training benchmark: each (plugin, threads) pair trains the experiment's first run for
// `epochs` epochs into a temporary folder, with OpenBLAS's sgemm timed before and after it at
// the same thread count. The ratio compares the logged steady-state samples/s (median of the
// last two epochs) with the sgemm-bound rate, sgemm FLOP/s / (3 x forward gemm FLOPs per sample).
#include "train_bench.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "genlab/blas.hpp"
#include "genlab/executor.hpp"
#include "genlab/rng.hpp"
#include "genlab/store.hpp"
#include "genlab/table.hpp"

namespace genlab::bench {

namespace {
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// OpenBLAS sgemm 128x784x400 at `threads` threads: median GFLOP/s of 7 blocks of 50 calls.
double sgemm_gflops(int threads) {
  const std::size_t m = 128, k = 784, n = 400;
  Rng rng(1, "bench");
  const Tensor<float> a = rng.normal_tensor<float>({m, k}, 0.f, 1.f);
  const Tensor<float> b = rng.normal_tensor<float>({k, n}, 0.f, 1.f);
  Tensor<float> c = zeros<float>({m, n});
  blas::reference_sgemm(threads, m, n, k, a.data(), b.data(), c.data());  // warm-up
  std::vector<double> rates;
  for (int block = 0; block < 7; ++block) {
    const auto t0 = Clock::now();
    for (int i = 0; i < 50; ++i) blas::reference_sgemm(threads, m, n, k, a.data(), b.data(), c.data());
    const double s = std::chrono::duration<double>(Clock::now() - t0).count() / 50;
    rates.push_back(2.0 * m * n * k / s / 1e9);
  }
  return median(rates);
}

// Forward gemm FLOPs per sample of an MLP: 2 * in * out for every weight matrix "<prefix>.../W"
// ("params/": the whole model; "params/decoder/": the decoder, which is what IWAE-k runs k times).
double mlp_forward_flops(const Checkpoint& c, const std::string& prefix = "params/") {
  double flops = 0;
  for (const auto& [name, t] : c) {
    if (name.rfind(prefix, 0) != 0 || name.size() < 2 || name.substr(name.size() - 2) != "/W") continue;
    if (t.shape.size() != 2) {
      throw std::runtime_error(name + " has shape " + checkpoint_shape_str(t.shape) +
                               ": only MLPs are supported (conv nets: genlab-bench --nets conv)");
    }
    flops += 2.0 * static_cast<double>(t.shape[0]) * static_cast<double>(t.shape[1]);
  }
  if (flops == 0) throw std::runtime_error("no weight matrices params/.../W in the checkpoint");
  return flops;
}

struct Measured {
  std::vector<double> epoch_rates;  // median logged samples/s per epoch
  double steady = 0, sgemm = 0, forward_flops = 0, wall_s = 0;
  double iwae_s = 0, iwae_flops = 0;  // the final IWAE-k bound: seconds, decoder gemm FLOPs
};

Measured measure(const TrainBenchOptions& o, const std::string& plugin, int threads, const fs::path& dir) {
  const std::string name = "bench_" + plugin + "_t" + std::to_string(threads);
  std::vector<std::string> sets{
      "model.plugin=\"" + plugin + "\"", "train.epochs=" + std::to_string(o.epochs),
      "eval.every_epochs=" + std::to_string(o.epochs),
      "run.threads=" + std::to_string(threads), "run.float_mode=\"" + o.float_mode + "\"",
      "experiment.name=\"" + name + "\"", "experiment.output=\"" + dir.string() + "\"",
      "experiment.seeds=[0]"};
  if (!o.iwae) sets.push_back("eval.iwae_k=0");
  const Experiment e = load_and_validate(o.experiment, sets);
  const RunSpec& run = e.runs.front();
  Measured m;
  const double before = sgemm_gflops(threads);
  const auto t0 = Clock::now();
  const RunResult r = run_one(run, RunnerOptions{});
  m.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  m.sgemm = 0.5 * (before + sgemm_gflops(threads));
  if (r.status != RunStatus::Finished) throw std::runtime_error(name + ": " + run_status_str(r.status) + " " + r.message);
  const RunSummary s = read_run(run.output_file);
  const auto& rate = s.train.at("samples_per_s");
  const auto& epoch = s.train.at("epoch");  // fractional epoch after each step
  m.epoch_rates.assign(static_cast<std::size_t>(o.epochs), 0.0);
  for (int ep = 0; ep < o.epochs; ++ep) {
    std::vector<double> v;
    for (std::size_t i = 0; i < rate.size(); ++i) {
      if (epoch[i] > ep && epoch[i] <= ep + 1) v.push_back(rate[i]);
    }
    m.epoch_rates[static_cast<std::size_t>(ep)] = median(v);
  }
  std::vector<double> last;
  for (std::size_t i = 0; i < rate.size(); ++i) {
    if (epoch[i] > o.epochs - 2) last.push_back(rate[i]);
  }
  m.steady = median(last);
  const Checkpoint checkpoint = read_checkpoint(run.output_file);
  m.forward_flops = mlp_forward_flops(checkpoint);
  if (o.iwae && s.eval_attrs.count("neg_iwae")) {
    const AttrMap& a = s.eval_attrs.at("neg_iwae");
    m.iwae_s = std::stod(attr_to_string(a.at("seconds")));
    m.iwae_flops = mlp_forward_flops(checkpoint, "params/decoder/") * std::stod(attr_to_string(a.at("n"))) *
                   std::stod(attr_to_string(a.at("k")));
  }
  return m;
}
}  // namespace

int run_train_bench(const TrainBenchOptions& o) {
  if (o.epochs < 2) throw std::invalid_argument("--epochs must be at least 2 (the steady state is the last two)");
  char tmpl[] = "/tmp/genlab-train-bench-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("cannot create a temporary folder in /tmp");
  const fs::path dir = tmpl;
  std::printf("genlab-bench --train: BLAS %s\n", blas::config());
  std::printf("%s, %d epochs per run, float_mode %s; samples/s = median of the logged /train/samples_per_s\n",
              o.experiment.string().c_str(), o.epochs, o.float_mode.c_str());
  std::printf("bound = sgemm(128x784x400) FLOP/s / (3 x forward gemm FLOPs per sample), sgemm timed before and after each run\n");
  if (o.iwae) std::printf("IWAE gemm bound = images x k x decoder forward gemm FLOPs / the same sgemm rate\n");
  std::printf("\n");
  Table t;
  t.header = {"plugin", "threads", "sgemm GFLOP/s"};
  for (int ep = 1; ep <= o.epochs; ++ep) t.header.push_back("epoch " + std::to_string(ep));
  t.header.insert(t.header.end(), {"steady (last 2)", "bound", "ratio", "slowest epoch vs first", "wall s"});
  if (o.iwae) t.header.insert(t.header.end(), {"IWAE s", "IWAE gemm bound s", "IWAE / bound"});
  int code = 0;
  for (const auto& plugin : o.plugins) {
    for (int threads : o.threads) {
      std::fprintf(stderr, "training %s at %d thread(s)...\n", plugin.c_str(), threads);
      try {
        const Measured m = measure(o, plugin, threads, dir);
        const double bound = m.sgemm * 1e9 / (3.0 * m.forward_flops);
        const double slowest = *std::min_element(m.epoch_rates.begin(), m.epoch_rates.end());
        std::vector<std::string> row{plugin, std::to_string(threads), format_number(m.sgemm, 4)};
        for (double r : m.epoch_rates) row.push_back(format_number(r, 5));
        row.insert(row.end(), {format_number(m.steady, 5), format_number(bound, 5), format_number(m.steady / bound, 3),
                               format_number(100.0 * (slowest / m.epoch_rates.front() - 1.0), 3) + " %",
                               format_number(m.wall_s, 3)});
        if (o.iwae) {
          const double iwae_bound_s = m.iwae_flops / (m.sgemm * 1e9);
          row.insert(row.end(), {format_number(m.iwae_s, 3), format_number(iwae_bound_s, 3),
                                 iwae_bound_s > 0 ? format_number(m.iwae_s / iwae_bound_s, 3) : "-"});
        }
        t.rows.push_back(std::move(row));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "genlab-bench --train: %s at %d thread(s): %s\n", plugin.c_str(), threads, e.what());
        code = 1;
      }
    }
  }
  std::printf("%s", t.render().c_str());
  std::error_code ec;
  fs::remove_all(dir, ec);
  return code;
}

}  // namespace genlab::bench
