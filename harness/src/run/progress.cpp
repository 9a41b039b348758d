// Progress bar / periodic lines. Output only; no timing of its own beyond the ETA estimate.
#include "run/progress.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace genlab {

std::string format_metrics(const Metrics& metrics) {
  std::string s;
  char buf[64];
  for (const auto& [k, v] : metrics) {
    std::snprintf(buf, sizeof buf, "%.4g", v);
    s += (s.empty() ? "" : "  ") + k + " " + buf;
  }
  return s;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (total >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", total / 3600, (total / 60) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", total / 60, total % 60);
  }
  return buf;
}

Progress::Progress(std::ostream* out, bool live, std::string label, std::int64_t total_steps,
                   std::int64_t log_every)
    : out_(out), live_(live), label_(std::move(label)), total_(total_steps),
      log_every_(std::max<std::int64_t>(1, log_every)), start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

std::string Progress::status_text(std::int64_t step, double epoch, const Metrics& metrics,
                                  double samples_per_s) const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double done = static_cast<double>(step + 1 - start_step_);
  const double eta = done > 0 ? elapsed / done * static_cast<double>(total_ - step - 1) + tail_seconds_ : NAN;
  char head[160];
  std::snprintf(head, sizeof head, "[%s] step %lld/%lld epoch %.2f  %.0f samples/s  ETA %s  ",
                label_.c_str(), static_cast<long long>(step + 1), static_cast<long long>(total_),
                epoch, samples_per_s, format_duration(eta).c_str());
  return head + format_metrics(metrics);
}

void Progress::update(std::int64_t step, double epoch, const Metrics& metrics, double samples_per_s) {
  if (!out_) return;
  if (start_step_ < 0) start_step_ = step;
  const auto now = std::chrono::steady_clock::now();
  if (live_) {
    if (now - last_draw_ < std::chrono::milliseconds(200) && step + 1 != total_) return;
    last_draw_ = now;
    const double frac = static_cast<double>(step + 1) / static_cast<double>(std::max<std::int64_t>(1, total_));
    const int width = 20, filled = static_cast<int>(frac * width);
    *out_ << "\r\033[K" << '[' << std::string(filled, '#') << std::string(width - filled, '.') << "] "
          << status_text(step, epoch, metrics, samples_per_s) << std::flush;
    bar_shown_ = true;
  } else if ((step + 1) % log_every_ == 0 || step + 1 == total_) {
    *out_ << status_text(step, epoch, metrics, samples_per_s) << '\n' << std::flush;
  }
}

void Progress::line(const std::string& text) {
  if (!out_) return;
  if (bar_shown_) *out_ << "\r\033[K";
  bar_shown_ = false;
  *out_ << "[" << label_ << "] " << text << '\n' << std::flush;
}

}  // namespace genlab
