// genlab-analyze-bench: writes N small synthetic run files (a 4 x 3 grid of beta x latent_dim,
// seeds for the rest; 10 evaluations of 5 metrics, 200 train rows) through the store API into a
// temporary folder, then times what `genlab analyze` does with them: find, read, aggregate, render.
// It does not test correctness (tests/analysis does).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

#include "genlab/analysis/aggregate.hpp"
#include "genlab/analysis/scan.hpp"
#include "genlab/analysis/tables.hpp"
#include "genlab/analysis/gnuplot.hpp"
#include "synthetic_runs.hpp"

namespace fs = std::filesystem;
using namespace genlab::analysis;

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

synthetic::Run run_number(std::size_t i) {
  static const char* const betas[] = {"0.5", "1.0", "2.0", "4.0"};
  static const char* const latents[] = {"2", "10", "20"};
  synthetic::Run r;
  char id[32];
  std::snprintf(id, sizeof id, "%012zx", i);
  r.run_id = id;
  r.seed = static_cast<std::int64_t>(i / 12);
  r.grid = {{"model.beta", betas[i % 4]}, {"model.latent_dim", latents[(i / 4) % 3]}};
  r.status = i % 97 == 5 ? "diverged" : "finished";
  for (std::int64_t e = 1; e <= 10; ++e) r.eval_steps.push_back(e * 100);
  for (const char* m : {"neg_elbo", "kl", "recon", "active_units", "bce"}) {
    for (std::size_t e = 0; e < 10; ++e) r.eval[m].push_back(100.0 - static_cast<double>(e) + static_cast<double>(i % 7) * 0.1);
    r.eval_attrs[m] = {{"split", std::string("test")}, {"n", std::int64_t{10000}}};
  }
  for (std::int64_t s = 1; s <= 200; ++s) {
    r.train_steps.push_back(s * 5);
    r.train["loss"].push_back(200.0 / static_cast<double>(s));
  }
  return r;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"genlab-analyze-bench: time the scan of N synthetic run files"};
  std::size_t n = 2000;
  unsigned threads = 0;
  std::string dir;
  app.add_option("-n,--runs", n, "run files to write and scan")->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "reader threads (0 = 1; HDF5 serialises readers)");
  app.add_option("--dir", dir, "folder for the run files, kept and reused (default: a temporary folder, removed)");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<ScratchDir> scratch;
  if (dir.empty()) {
    scratch = std::make_unique<ScratchDir>();
    dir = scratch->path().string();
  }
  fs::create_directories(dir);
  auto t0 = std::chrono::steady_clock::now();
  std::size_t existing = find_run_files({dir}).size();
  for (std::size_t i = existing; i < n; ++i) synthetic::write_run(dir, run_number(i));
  std::printf("wrote %zu run files in %.2f s (%zu already there) to %s\n", n - std::min(n, existing), seconds_since(t0),
              existing, dir.c_str());

  t0 = std::chrono::steady_clock::now();
  const auto files = find_run_files({dir});
  const double find_s = seconds_since(t0);
  ScanOptions options;
  options.threads = threads;
  t0 = std::chrono::steady_clock::now();
  const auto runs = scan_runs(files, options);
  const double read_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  const Analysis a = aggregate(runs, Query{});
  std::string side;
  const std::string table = render_analysis(a, {}, genlab::TableFormat::Markdown, false, &side);
  const double aggregate_s = seconds_since(t0);
  const unsigned used = threads ? threads : 1u;
  std::printf("scan of %zu run files (%u reader threads, %u cores): find %.3f s, read %.3f s, aggregate+render %.3f s, total %.3f s\n",
              files.size(), used, std::thread::hardware_concurrency(), find_s, read_s, aggregate_s, find_s + read_s + aggregate_s);
  std::printf("%zu groups, %zu diverged runs listed\n", a.groups.size(), a.count("diverged"));
  return 0;
}
