// tune_allocator(): glibc mallopt settings for steady-state training steps.
#include "genlab/allocator.hpp"

#include <malloc.h>

namespace genlab {

void tune_allocator() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace genlab
