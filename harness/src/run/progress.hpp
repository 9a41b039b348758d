// Progress output of one run: a redrawn bar with ETA and live metrics on a terminal, plain
// periodic lines otherwise (logs, child processes). It does not decide when to evaluate.
#pragma once
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "genlab/model.hpp"

namespace genlab {

class Progress {
 public:
  Progress(std::ostream* out, bool live, std::string label, std::int64_t total_steps,
           std::int64_t log_every);
  // After step `step` (0-based) finished.
  void update(std::int64_t step, double epoch, const Metrics& metrics, double samples_per_s);
  // A line that must stay (evaluation results, status); clears the live bar first.
  void line(const std::string& text);
  // Seconds of work still to come after the last step (the final evaluation's heavy metrics),
  // added to the ETA.
  void set_tail_seconds(double seconds) { tail_seconds_ = seconds; }

 private:
  std::string status_text(std::int64_t step, double epoch, const Metrics& metrics,
                          double samples_per_s) const;
  std::ostream* out_;
  bool live_;
  std::string label_;
  std::int64_t total_, log_every_, start_step_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool bar_shown_ = false;
  double tail_seconds_ = 0.0;
};

std::string format_metrics(const Metrics& metrics);  // "kl 19.8  loss 261.2  recon 241.4"
std::string format_duration(double seconds);         // "1m05s"

}  // namespace genlab
