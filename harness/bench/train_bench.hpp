// genlab-bench --train: real training runs (the quickstart VAE and CVAE through the runner,
// Fashion-MNIST, several epochs) timed against the sgemm rate measured in the same process, so
// that slowdowns that appear only after a model has trained a while (subnormal floats) show.
// It asserts nothing; the step-level benchmark of fresh networks is bench_main.cpp.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace genlab::bench {

struct TrainBenchOptions {
  std::filesystem::path experiment = "experiments/quickstart.toml";
  std::vector<std::string> plugins{"vae", "cvae"};
  std::vector<int> threads{1, 2};
  int epochs = 4;
  std::string float_mode = "ftz_daz";  // [run] float_mode of the timed runs
  bool iwae = false;  // keep the experiment's final IWAE bound and time it against its gemm bound
};

// Prints the table to stdout (progress to stderr); returns the process exit code.
int run_train_bench(const TrainBenchOptions& options);

}  // namespace genlab::bench
