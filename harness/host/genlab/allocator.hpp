// Process-wide malloc tuning for training loops. It changes no result, only where memory comes from.
#pragma once

namespace genlab {

// Keeps tensors of up to 64 MiB on the heap instead of fresh mmap()s, and keeps freed memory up to
// 256 MiB for reuse: glibc's defaults return each step's large temporaries to the kernel and fault
// them in again next step (measured: ~45% system time in a conv training run). Call once in main().
void tune_allocator();

}  // namespace genlab
