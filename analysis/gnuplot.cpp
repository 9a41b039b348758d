// Locating, probing and running gnuplot with posix_spawn (stdout and stderr captured to a
// file in the scratch folder, so messages can be reported). It does not retry and never
// calls a shell.
#include "genlab/analysis/gnuplot.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "genlab/error.hpp"

extern char** environ;

namespace genlab::analysis {

namespace fs = std::filesystem;

namespace {
bool executable(const fs::path& p) { return !p.empty() && ::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p); }

fs::path on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && executable(fs::path(dir) / name)) return fs::path(dir) / name;
  }
  return {};
}

// Runs exe with args, output to `log`; returns the exit status (-1 if it could not start).
int spawn(const fs::path& exe, const std::vector<std::string>& args, const fs::path& log) {
  std::vector<char*> argv;
  std::string exe_s = exe.string();
  argv.push_back(exe_s.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

Gnuplot Gnuplot::find() {
  Gnuplot g;
  if (const char* env = std::getenv("GENLAB_GNUPLOT")) {
    g.looked_for_ = std::string("$GENLAB_GNUPLOT=") + env;
    if (executable(env)) g.exe_ = env;
  } else {
    g.looked_for_ = "gnuplot on PATH";
    g.exe_ = on_path("gnuplot");
  }
  if (!g.available()) return g;
  ScratchDir scratch;
  const int rc = spawn(g.exe_, {"-e", "set terminal pngcairo"}, scratch.path() / "probe.log");
  g.cairo_ = rc == 0 && read_text(scratch.path() / "probe.log").find("unknown") == std::string::npos;
  return g;
}

std::string Gnuplot::missing_message() const {
  return "gnuplot not found (" + looked_for_ + "); plots skipped. Install it with: sudo apt-get install gnuplot-nox";
}

std::string Gnuplot::terminal_lines(int width, int height, const fs::path& png, int font_size) const {
  std::string out = "set encoding utf8\n";
  if (cairo_) {
    out += "set terminal pngcairo size " + std::to_string(width) + "," + std::to_string(height) +
           " noenhanced font 'DejaVu Sans," + std::to_string(font_size) + "'\n";
  } else {
    out += "set terminal png truecolor size " + std::to_string(width) + "," + std::to_string(height) +
           " noenhanced font 'DejaVuSans," + std::to_string(font_size) + "'\n";
  }
  return out + "set output " + gp_string(fs::absolute(png).string()) + "\n";
}

void Gnuplot::run(const fs::path& script, const fs::path& expected_png) const {
  if (!available()) throw Error(missing_message());
  const fs::path log = script.string() + ".log";
  std::error_code ec;
  fs::remove(expected_png, ec);
  const int rc = spawn(exe_, {script.string()}, log);
  if (rc != 0 || !fs::exists(expected_png)) {
    throw Error("gnuplot failed on " + script.string() + " (exit " + std::to_string(rc) + ") writing " +
                expected_png.string() + ": " + read_text(log));
  }
}

ScratchDir::ScratchDir() {
  std::string pattern = (fs::temp_directory_path() / "genlab-analyze-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw Error("cannot create a scratch folder " + pattern);
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string gp_string(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw Error("cannot write " + file.string());
}

}  // namespace genlab::analysis
