// Counts heap allocations in a test binary (tests/unit/alloc_counter.cpp replaces the global
// operator new for the whole unit-test binary; it only counts, never changes behaviour).
#pragma once
#include <cstddef>

namespace genlab::testing {

std::size_t allocations();  // operator new calls so far in this process

}  // namespace genlab::testing
