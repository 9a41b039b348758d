// `genlab analyze ... --report DIR --watch [SECONDS]`: the analysis is redone and the report
// rewritten whenever a run file below the inputs appears, changes (size or modification time)
// or disappears; the page carries a meta refresh of SECONDS, so a browser showing it from disk
// follows a running grid without a server. It polls; it does not use inotify.
#pragma once
#include <functional>
#include <ostream>
#include <string>

#include "genlab/analyze.hpp"

namespace genlab::analysis {

// Polls every options.watch_s seconds until stop() returns true (checked at least every 0.1 s)
// and reruns run_analyze on every change; returns 0. A round that fails (say a half-copied
// folder) is reported to `err` and retried at the next change. ConfigError for options that can
// never work (no --report, watch_s <= 0, a bad option) is thrown at once.
// The period of `--watch [SECONDS]`: "" (no value) = 5; else a number > 0, or ConfigError.
double parse_watch_seconds(const std::string& text);

int watch_analyze(const AnalyzeOptions& options, std::ostream& out, std::ostream& err, const std::function<bool()>& stop);

}  // namespace genlab::analysis
