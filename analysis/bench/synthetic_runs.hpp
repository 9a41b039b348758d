// Synthetic run files written through the store API (RunWriter), with chosen statuses, grid
// coordinates, eval/train series, metric attributes and images: what analyze's tests and the
// scan benchmark read. Header-only; it trains nothing and does not choose values.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "genlab/store.hpp"

namespace genlab::analysis::synthetic {

struct Image {
  std::vector<std::size_t> shape;  // (H, W) or (H, W, 3)
  std::vector<std::uint8_t> pixels;
};

struct Run {
  std::string run_id;
  std::string experiment = "synthetic";
  std::string plugin = "vae";
  std::string status = "finished";  // running | finished | diverged | failed
  std::string message;
  std::int64_t seed = 0;
  std::map<std::string, std::string> grid;       // coordinates; "seed" is added
  std::int64_t steps_per_epoch = 100;
  std::vector<std::int64_t> eval_steps;          // one per evaluation
  std::map<std::string, std::vector<double>> eval;  // metric -> one value per evaluation
  std::map<std::string, AttrMap> eval_attrs;
  std::vector<std::int64_t> train_steps;
  std::map<std::string, std::vector<double>> train;  // metric -> one value per train step
  std::map<std::string, std::vector<Image>> images;  // name -> one grid per evaluation (<= evals)
};

inline std::filesystem::path write_run(const std::filesystem::path& dir, const Run& r) {
  const std::filesystem::path file = dir / (r.run_id + ".h5");
  std::map<std::string, std::string> grid = r.grid;
  grid["seed"] = std::to_string(r.seed);
  const AttrMap attrs = {{"run_id", r.run_id}, {"experiment", r.experiment}, {"plugin", r.plugin},
                         {"plugin_version", std::string("1.0.0")}, {"plugin_sha256", std::string(64, 'a')},
                         {"seed", r.seed}, {"status", std::string("running")}, {"status_message", std::string()},
                         {"genlab_version", std::string("0.1.0")}, {"git_commit", std::string("0123abcd")},
                         {"host", std::string("testhost")}, {"blas_threads", std::int64_t{1}}};
  RunWriter w = RunWriter::create(file, attrs, "[experiment]\nname = \"" + r.experiment + "\"\n", grid);
  const double spe = static_cast<double>(r.steps_per_epoch);
  for (std::size_t i = 0; i < r.train_steps.size(); ++i) {
    std::map<std::string, double> row;
    for (const auto& [k, v] : r.train) row[k] = v.at(i);
    w.append_train(r.train_steps[i], static_cast<double>(r.train_steps[i]) / spe, 1000.0, row);
  }
  for (std::size_t i = 0; i < r.eval_steps.size(); ++i) {
    std::map<std::string, double> row;
    for (const auto& [k, v] : r.eval) {
      if (i < v.size()) row[k] = v[i];
    }
    w.append_eval(r.eval_steps[i], static_cast<double>(r.eval_steps[i]) / spe, row, i == 0 ? r.eval_attrs : std::map<std::string, AttrMap>{});
    for (const auto& [name, grids] : r.images) {
      if (i < grids.size()) w.append_image(name, r.eval_steps[i], grids[i].shape, grids[i].pixels);
    }
  }
  w.set_attrs({{"status", r.status}, {"status_message", r.message}});
  w.commit();
  return file;
}

}  // namespace genlab::analysis::synthetic
