// Internal half of genlab/float_mode.hpp: how a compute-pool worker picks up the process-wide
// mode. Not part of the SDK.
#pragma once
#include <cstdint>

namespace genlab {
// Applies the process-wide float mode to the calling thread if it changed since
// `applied_generation` (0 = never applied), and updates it. One atomic load when nothing changed.
void apply_float_mode_if_changed(std::uint64_t& applied_generation);
}  // namespace genlab
