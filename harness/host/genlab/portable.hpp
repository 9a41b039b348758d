// Portable mode ([run] portable = true): the CPU-dependent choices that change a run's bits,
// pinned to ones every x86-64 CPU with AVX2 + FMA makes the same way. What is pinned and why
// (the audit): docs/ARCHITECTURE.md "Portable bits". It does not pin libraries: another glibc,
// OpenBLAS or compiler is another provenance, not a portability question.
#pragma once
#include <string>

namespace genlab {

// The OpenBLAS kernel set of portable runs (OPENBLAS_CORETYPE); it runs on any AVX2 + FMA CPU.
inline constexpr const char* kPortableBlasCore = "Haswell";

// "" when this CPU can run portable runs (x86-64 with AVX2 and FMA), else what it lacks.
std::string portable_cpu_problem();

// Throws ConfigError (starting with `what`) unless this process can run a portable run: the CPU
// (portable_cpu_problem), OpenBLAS loaded with kPortableBlasCore (it is chosen at load, so a
// process started otherwise cannot switch), and no GLIBC_TUNABLES hwcaps mask (it would change
// which of glibc's libm/libmvec variants run).
void require_portable_process(const std::string& what);

// Genlab's own ISA choices (vector_math's libmvec lane width): portable_isa() true = only code
// every AVX2 + FMA CPU runs identically. Set per run by the runner; process-wide.
void set_portable_isa(bool on);
bool portable_isa();

// Re-executes this program (the argv main() gave blas::reexec_for_preferred_core) with
// OPENBLAS_CORETYPE=kPortableBlasCore, once; returns (doing nothing) when this process already
// has that kernel or was already re-executed for it. Throws Error when exec fails.
void reexec_portable();

}  // namespace genlab
