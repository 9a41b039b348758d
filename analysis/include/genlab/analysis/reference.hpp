// Paper numbers to print beside measured ones: the [reference] table of an experiment file,
// parsed into (metric, value, source, optional grid condition). Accepted forms:
//   [reference]  source = "..."  neg_elbo = 95.5  "eval/iwae" = { value = -86.8, source = "...",
//                where = { "model.latent_dim" = 20 } }   (or an array of such tables per metric)
//   [[reference]] metric = "eval/neg_elbo"  value = 95.5  source = "..."  where = { ... }
// It does not compute differences (tables.cpp does).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "genlab/analysis/aggregate.hpp"

namespace genlab::analysis {

struct Reference {
  MetricRef metric;
  double value = 0;
  std::string source;
  std::vector<std::pair<std::string, std::string>> where;  // grid key -> value; empty = every group
};

// Parses "[reference]\n..." TOML text (RunSpec::reference_toml); `origin` names the file in
// errors. Throws ConfigError for a malformed entry. "" gives no references.
std::vector<Reference> parse_references(const std::string& toml_text, const std::string& origin);

// The reference for `metric` that applies to `group` (every pooled run of the group matches its
// `where`); the most specific one if several apply; nullptr if none.
const Reference* find_reference(const std::vector<Reference>& refs, const MetricRef& metric, const Group& group);

}  // namespace genlab::analysis
