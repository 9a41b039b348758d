// "Did you mean ...?": edit distance (optimal string alignment: insert, delete, substitute and
// swap two neighbours each cost 1) between a mistyped key and the valid ones. It suggests only
// plausible typos; it does not rank by meaning.
#include <algorithm>
#include <string>
#include <vector>

#include "genlab/spec.hpp"
#include "spec/check.hpp"

namespace genlab {

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::string last_component(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}
}  // namespace

std::string nearest_key(const std::string& key, const std::vector<std::string>& candidates) {
  // Allow about one typo per three characters of the mistyped name (at least 1, at most 3).
  const std::size_t leaf = last_component(key).size();
  const std::size_t limit = std::clamp<std::size_t>(leaf / 3, 1, 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    const std::size_t dist = edit_distance(key, c);
    if (dist < best_distance) {
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

namespace spec {

std::string unknown_key_message(const std::string& qualified,
                                const std::vector<std::string>& siblings,
                                const std::vector<std::string>& everywhere) {
  std::string message = "unknown key '" + qualified + "'";
  std::string suggestion = nearest_key(qualified, siblings);
  if (suggestion.empty()) {
    const std::string leaf = last_component(qualified);
    for (const std::string& k : everywhere) {
      if (k != qualified && last_component(k) == leaf) {
        suggestion = k;
        break;
      }
    }
  }
  if (!suggestion.empty()) return message + "; did you mean '" + suggestion + "'?";
  if (siblings.empty()) return message;
  std::string valid;
  for (const std::string& s : siblings) valid += (valid.empty() ? "" : ", ") + last_component(s);
  const auto dot = qualified.rfind('.');
  const std::string table = dot == std::string::npos ? "" : qualified.substr(0, dot);
  return message + " (valid keys" + (table.empty() ? "" : " in [" + table + "]") + ": " + valid +
         ")";
}

}  // namespace spec
}  // namespace genlab
