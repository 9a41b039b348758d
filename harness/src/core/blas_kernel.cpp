// preferred_core / reexec_for_preferred_core: which OpenBLAS kernel set a run uses when
// OpenBLAS does not recognise the CPU. It never overrides an OPENBLAS_CORETYPE that is set,
// and re-executes at most once (GENLAB_OPENBLAS_REEXEC marks the second start).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "genlab/blas.hpp"

namespace genlab::blas {

#if defined(__x86_64__)
namespace {
bool has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512cd");
}
bool has_avx2_fma() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

// OpenBLAS 0.3.21 kernel sets that already use AVX2 or AVX-512.
bool is_modern(const std::string& core) {
  static const std::set<std::string> modern{"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"};
  return modern.count(core) > 0;
}
}  // namespace
#endif

std::string preferred_core() {
#if defined(__x86_64__)
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return "";
  if (is_modern(core_name())) return "";
  if (has_avx512()) return "SkylakeX";
  if (has_avx2_fma()) return "Haswell";
#endif
  return "";
}

namespace {
char** main_argv = nullptr;
}  // namespace

char** saved_argv() { return main_argv; }

void reexec_for_preferred_core(char** argv) {
  main_argv = argv;
  if (std::getenv("GENLAB_OPENBLAS_REEXEC") != nullptr) return;  // already the second start
  const std::string core = preferred_core();
  if (core.empty()) return;
  setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
  setenv("GENLAB_OPENBLAS_REEXEC", "1", 1);
  // The program's own path, not /proc/self/exe, so that ps and pkill still see its name.
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) execv(self.c_str(), argv);  // returns only on failure: keep OpenBLAS's own pick
  unsetenv("OPENBLAS_CORETYPE");
}

}  // namespace genlab::blas
