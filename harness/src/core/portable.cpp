// Portable mode's process checks and switches (genlab/portable.hpp). The executor starts a
// portable run's cell process with the pinned environment (portable_environment in executor.cpp
// uses kPortableBlasCore); this file only checks a process and re-executes one.
#include "genlab/portable.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "genlab/blas.hpp"
#include "genlab/error.hpp"

namespace genlab {

namespace {
std::atomic<bool> portable_isa_on{false};
constexpr const char* kReexecMark = "GENLAB_PORTABLE_REEXEC";
}  // namespace

std::string portable_cpu_problem() {
#if defined(__x86_64__)
  std::string missing;
  if (!__builtin_cpu_supports("avx2")) missing += "AVX2";
  if (!__builtin_cpu_supports("fma")) missing += missing.empty() ? "FMA" : " and FMA";
  return missing.empty() ? "" : "this CPU lacks " + missing;
#else
  return "this CPU is not x86-64";
#endif
}

void require_portable_process(const std::string& what) {
  if (const std::string cpu = portable_cpu_problem(); !cpu.empty()) {
    throw ConfigError(what + "[run] portable = true needs an x86-64 CPU with AVX2 and FMA, and " + cpu +
                      "; set run.portable = false (its bits are then this CPU's)");
  }
  const std::string core = blas::core_name();
  if (core != kPortableBlasCore) {
    throw ConfigError(what + "[run] portable = true needs OpenBLAS's " + kPortableBlasCore +
                      " kernels, but this process loaded the " + core +
                      " ones (OpenBLAS chooses them once, when it loads): run without --in-process "
                      "(each cell process is started with OPENBLAS_CORETYPE=" + kPortableBlasCore +
                      "), or start genlab with OPENBLAS_CORETYPE=" + kPortableBlasCore);
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && std::strstr(tunables, "glibc.cpu.hwcaps") != nullptr) {
    throw ConfigError(what + "[run] portable = true: GLIBC_TUNABLES sets glibc.cpu.hwcaps (" + tunables +
                      "), which changes which of glibc's maths variants run; unset it");
  }
}

void set_portable_isa(bool on) { portable_isa_on.store(on, std::memory_order_relaxed); }
bool portable_isa() { return portable_isa_on.load(std::memory_order_relaxed); }

void reexec_portable() {
  if (blas::core_name() == std::string(kPortableBlasCore)) return;
  if (std::getenv(kReexecMark) != nullptr) return;  // already re-executed: the check then names the kernel
  char** argv = blas::saved_argv();
  if (argv == nullptr) throw Error("cannot re-execute genlab for portable mode: its arguments were not saved");
  setenv("OPENBLAS_CORETYPE", kPortableBlasCore, 1);
  setenv("GENLAB_OPENBLAS_REEXEC", "1", 1);
  setenv(kReexecMark, "1", 1);
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) execv(self.c_str(), argv);
  throw Error(std::string("cannot re-execute genlab with OPENBLAS_CORETYPE=") + kPortableBlasCore + ": " +
              std::strerror(errno));
}

}  // namespace genlab
