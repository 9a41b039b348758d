// compare_run_files: the bitwise comparison behind "same seed => same bits" and "resume is
// exact" (tests and genlab test-plugin). It compares stored values only, never timings.
#include <cstring>

#include "genlab/store.hpp"

namespace genlab {

namespace {
using Series = std::map<std::string, std::vector<double>>;

std::string compare_series(const Series& x, const Series& y, const std::string& group) {
  if (x.size() != y.size()) return group + ": different metric sets";
  for (const auto& [k, v] : x) {
    if (k == "samples_per_s") continue;
    const auto it = y.find(k);
    if (it == y.end()) return group + "/" + k + " missing";
    if (v.size() != it->second.size()) {
      return group + "/" + k + ": " + std::to_string(v.size()) + " vs " + std::to_string(it->second.size()) + " values";
    }
    if (std::memcmp(v.data(), it->second.data(), v.size() * sizeof(double)) != 0) return group + "/" + k + " differs";
  }
  return "";
}
}  // namespace

std::string compare_run_files(const std::filesystem::path& a, const std::filesystem::path& b) {
  const RunSummary sa = read_run(a), sb = read_run(b);
  if (auto d = compare_series(sa.train, sb.train, "train"); !d.empty()) return d;
  if (auto d = compare_series(sa.eval, sb.eval, "eval"); !d.empty()) return d;
  if (sa.checkpoint_step != sb.checkpoint_step) return "checkpoint steps differ";
  const Checkpoint ca = read_checkpoint(a), cb = read_checkpoint(b);
  if (ca.size() != cb.size()) return "checkpoints hold different entries";
  for (const auto& [k, t] : ca) {
    const auto it = cb.find(k);
    if (it == cb.end()) return "checkpoint entry " + k + " missing";
    if (!(t == it->second)) return "checkpoint entry " + k + " differs";
  }
  return "";
}

}  // namespace genlab
