// Config, provenance and series comparisons of run_compare.hpp. Series are compared by their
// bits (std::bit_cast), so -0.0 differs from 0.0 and a NaN equals only a NaN of the same bits:
// "reproduced" means identical bytes, nothing looser. It does not read or write files.
#include "genlab/run_compare.hpp"

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "spec/tree.hpp"

namespace genlab {

namespace {
void flatten(const spec::Node& node, const std::string& prefix, std::map<std::string, std::string>& out) {
  for (const auto& [key, child] : node.entries) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (child.is_table()) {
      flatten(child, path, out);
    } else {
      out[path] = spec::render_value(child);
    }
  }
}

std::map<std::string, std::string> flat_toml(const std::string& text, const std::string& origin) {
  std::map<std::string, std::string> out;
  flatten(spec::parse_toml(text, origin), "", out);
  return out;
}

std::string attr_text(const AttrMap& attrs, const std::string& key) {
  const auto it = attrs.find(key);
  return it == attrs.end() ? std::string() : attr_to_string(it->second);
}

// Row index per step of a series table (its "step" column).
std::map<std::int64_t, std::size_t> rows_by_step(const std::map<std::string, std::vector<double>>& t) {
  std::map<std::int64_t, std::size_t> out;
  const auto it = t.find("step");
  if (it == t.end()) return out;
  for (std::size_t i = 0; i < it->second.size(); ++i) out.emplace(static_cast<std::int64_t>(it->second[i]), i);
  return out;
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

std::optional<double> value_at(const std::map<std::string, std::vector<double>>& t, const std::string& column,
                               std::size_t row) {
  const auto it = t.find(column);
  if (it == t.end() || row >= it->second.size()) return std::nullopt;
  return it->second[row];
}
}  // namespace

std::vector<ValueDifference> config_differences(const std::string& toml_a, const std::string& toml_b,
                                                const std::string& origin_a, const std::string& origin_b) {
  const auto a = flat_toml(toml_a, origin_a), b = flat_toml(toml_b, origin_b);
  std::vector<ValueDifference> out;
  for (const auto& [key, value] : a) {
    const auto it = b.find(key);
    if (it == b.end() || it->second != value) out.push_back({key, value, it == b.end() ? "" : it->second});
  }
  for (const auto& [key, value] : b) {
    if (!a.count(key)) out.push_back({key, "", value});
  }
  std::sort(out.begin(), out.end(), [](const ValueDifference& x, const ValueDifference& y) { return x.key < y.key; });
  return out;
}

namespace {
// AVX2 and AVX-512 libmvec give the same exp/log bits (core/vector_math.hpp): not a difference.
bool vector_math_same_bits(const std::string& a, const std::string& b) {
  const auto wide = [](const std::string& v) { return v == "avx2" || v == "avx512"; };
  return wide(a) && wide(b);
}
}  // namespace

const std::vector<std::string>& provenance_keys() {
  static const std::vector<std::string> keys = {
      "plugin", "plugin_version", "plugin_sha256", "genlab_version", "git_commit", "compiler",
      "portable", "blas_core", "blas", "vector_math", "blas_threads", "float_mode", "data_path", "host"};
  return keys;
}

std::string provenance_effect(const std::string& key) {
  if (key == "plugin_sha256" || key == "plugin_version") return "another plugin build: its code may compute differently";
  if (key == "git_commit" || key == "genlab_version") return "another genlab: its ops or kernels may differ";
  if (key == "compiler") return "another compiler: code generation and rounding of the maths may differ";
  if (key == "blas_core") {
    return "another OpenBLAS kernel set (picked for the CPU, or by OPENBLAS_CORETYPE): gemm results differ in the "
           "last bits; [run] portable = true pins it";
  }
  if (key == "data_path") return "another data folder (its content is data.identity, compared in the config)";
  if (key == "blas") return "another BLAS build or kernel: gemm results differ in the last bits";
  if (key == "vector_math") return "other libmvec exp/log variants: 4-lane SSE rounds differently from AVX2/AVX-512";
  if (key == "float_mode") return "another floating-point mode: denormals flushed or not";
  if (key == "blas_threads") return "another thread count: results must not depend on it (a genlab bug if this is the only difference)";
  if (key == "portable") return "portable mode on one side only: the BLAS and vector kernels differ";
  if (key == "host") return "another machine: its CPU may select other BLAS and vector kernels";
  return "";
}

std::vector<ValueDifference> provenance_differences(const AttrMap& a, const AttrMap& b) {
  std::vector<ValueDifference> out;
  for (const std::string& key : provenance_keys()) {
    const std::string va = attr_text(a, key), vb = attr_text(b, key);
    if (va != vb && !(key == "vector_math" && vector_math_same_bits(va, vb))) out.push_back({key, va, vb});
  }
  return out;
}

std::size_t common_steps(const std::map<std::string, std::vector<double>>& a,
                         const std::map<std::string, std::vector<double>>& b, std::int64_t max_step) {
  const auto ra = rows_by_step(a), rb = rows_by_step(b);
  std::size_t n = 0;
  for (const auto& [step, row] : ra) {
    if (max_step >= 0 && step > max_step) break;
    n += rb.count(step);
  }
  return n;
}

std::optional<SeriesDivergence> first_divergence(const std::map<std::string, std::vector<double>>& a,
                                                 const std::map<std::string, std::vector<double>>& b,
                                                 const std::set<std::string>& ignore, std::int64_t max_step) {
  const auto ra = rows_by_step(a), rb = rows_by_step(b);
  std::set<std::string> columns;
  for (const auto& [k, v] : a) columns.insert(k);
  for (const auto& [k, v] : b) columns.insert(k);
  for (const auto& [step, row_a] : ra) {
    if (max_step >= 0 && step > max_step) break;
    const auto it = rb.find(step);
    if (it == rb.end()) continue;
    std::optional<SeriesDivergence> d;
    for (const std::string& column : columns) {
      if (column == "step" || ignore.count(column)) continue;
      auto va = value_at(a, column, row_a), vb = value_at(b, column, it->second);
      // a column one side lacks counts as NaN there (the store fills missing rows with NaN)
      if (!va && vb && std::isnan(*vb)) continue;
      if (!vb && va && std::isnan(*va)) continue;
      if (va && vb && same_bits(*va, *vb)) continue;
      if (!d) {
        d = SeriesDivergence{step, column, va, vb, {}};
      } else {
        d->others.push_back(column);
      }
    }
    if (d) return d;
  }
  return std::nullopt;
}

std::map<std::string, double> final_eval_values(const RunSummary& run) {
  std::map<std::string, double> out;
  for (const auto& [name, values] : run.eval) {
    if (name == "step" || name == "epoch") continue;
    for (auto it = values.rbegin(); it != values.rend(); ++it) {
      if (std::isfinite(*it)) {
        out[name] = *it;
        break;
      }
    }
  }
  return out;
}

std::string exact_value(double v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.17g (0x%016" PRIx64 ")", v, std::bit_cast<std::uint64_t>(v));
  return buf;
}

}  // namespace genlab
