// Building the one document an experiment describes: the file, its `extends` chain merged under
// it, then the --set overrides on top. It does not validate keys (sections.cpp does).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "spec/tree.hpp"

namespace genlab::spec {

// The file with its extends chain resolved (bases first, this file's keys win; tables merge
// deeply). Paths in `extends` are relative to the file that names them. A cycle is an error.
Node load_document(const std::filesystem::path& file);

// Applies each "key=value" (value as a TOML value, else a bare string) to `doc`, located as
// "--set key=value". Returns the dotted keys set outside [grid] (they fix grid axes).
std::vector<std::string> apply_overrides(Node& doc, const std::vector<std::string>& overrides);

}  // namespace genlab::spec
