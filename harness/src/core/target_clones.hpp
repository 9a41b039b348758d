// GENLAB_TARGET_CLONES(isa...): GCC's target_clones (one copy of a loop per vector ISA, picked
// when the library loads) on x86-64, and nothing elsewhere or under ThreadSanitizer. Under TSan
// the clones' ifunc resolver runs while the dynamic loader relocates, before TSan's runtime is
// set up, and its instrumented entry segfaults (genlab_tsan_tests died before main). It does not
// choose ISAs: each use names its own, and every clone must give the same bits.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_THREAD__)
#define GENLAB_TARGET_CLONES(...) __attribute__((target_clones(__VA_ARGS__)))
#else
#define GENLAB_TARGET_CLONES(...)
#endif
