// gnuplot as a child process: found on PATH (or $GENLAB_GNUPLOT), probed once for the pngcairo
// terminal (else the libgd png one), run on a generated script whose data files live in a
// scratch folder. It does not decide what to plot (plots.cpp, sheets.cpp do).
#pragma once
#include <filesystem>
#include <string>

namespace genlab::analysis {

class Gnuplot {
 public:
  // $GENLAB_GNUPLOT if set (a path; "" or a missing file means "no gnuplot"), else `gnuplot` on
  // PATH. Never throws: check available().
  static Gnuplot find();
  bool available() const { return !exe_.empty(); }
  const std::filesystem::path& exe() const { return exe_; }
  // "set terminal pngcairo size W,H ..." (or png truecolor) and "set output ...".
  std::string terminal_lines(int width, int height, const std::filesystem::path& png, int font_size = 10) const;
  // Runs the script file; throws genlab::Error with gnuplot's messages if it fails or if
  // `expected_png` is not written.
  void run(const std::filesystem::path& script, const std::filesystem::path& expected_png) const;
  // Why plots are skipped when !available().
  std::string missing_message() const;

 private:
  std::filesystem::path exe_;
  bool cairo_ = true;
  std::string looked_for_;
};

// A fresh folder under the system temp folder, removed with its contents on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A gnuplot string literal: 'text' with ' doubled.
std::string gp_string(const std::string& text);
// Writes `text` to `file`; throws genlab::Error naming the file on failure.
void write_text(const std::filesystem::path& file, const std::string& text);

}  // namespace genlab::analysis
