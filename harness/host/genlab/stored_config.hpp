// A run file's /config text read back as the one run it describes: the canonical config is an
// experiment file with a single seed, so the spec parses it (through a temporary file, since
// load_experiment reads files). Used by load_model_from_run (run/model_from_run.hpp, which
// rebuilds reference classifiers) and `genlab verify`. It does not load the plugin or check the
// run's parameters against its schema.
#pragma once
#include <string>

#include "genlab/spec.hpp"

namespace genlab {

// Throws ConfigError "<origin>: its /config cannot be read back: ..." when the text does not
// parse or describes other than one run.
RunSpec run_spec_of_config(const std::string& config_text, const std::string& origin);

}  // namespace genlab
