// GENLAB_WIDE_CLONES: compile a float loop once per vector ISA (AVX-512, AVX2, baseline) and let
// glibc pick the clone at load time. The clones give the same bits: each element's operations
// are the same IEEE operations in the same order (no FMA: genlab builds with -ffp-contract=off),
// only more lanes at a time. It does not apply to loops whose order the vectoriser may change.
#pragma once

#include "core/target_clones.hpp"  // nothing under ThreadSanitizer (its comment says why)

#define GENLAB_WIDE_CLONES GENLAB_TARGET_CLONES("avx512f", "avx2", "default")
