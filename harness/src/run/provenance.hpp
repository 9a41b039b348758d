// Provenance attributes every run file records (genlab version and commit, compiler, BLAS,
// host, times). It does not know about runs: the runner adds run-specific attributes.
#pragma once
#include <string>

#include "genlab/store.hpp"

namespace genlab {

AttrMap build_provenance();
std::string utc_now_iso8601();  // "2026-11-21T12:00:00Z"

}  // namespace genlab
