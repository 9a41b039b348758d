// Counter-based random streams (Random123 Philox4x32-10). A stream is derived from (seed, name),
// so "init", "data", "noise" and "eval" never disturb each other. The uniform/normal/bernoulli/
// permutation conversions are our own code (std:: distributions differ between libraries).
// There is no global generator anywhere in genlab.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "genlab/tensor.hpp"

namespace genlab {

// Everything needed to continue a stream exactly: Philox key, block counter, position in block.
struct RngState {
  std::uint64_t key = 0;
  std::uint64_t block = 0;
  std::uint64_t position = 0;  // next of the block's four 32-bit words, 0..3
  std::array<std::uint64_t, 3> to_array() const { return {key, block, position}; }
  static RngState from_array(const std::array<std::uint64_t, 3>& a) { return {a[0], a[1], a[2]}; }
  bool operator==(const RngState&) const = default;
};

class Rng {
 public:
  // The stream named `name` of experiment seed `seed`.
  Rng(std::uint64_t seed, std::string_view name);
  explicit Rng(RngState state) : state_(state) {}
  // The stream keyed directly by `key` (derive() and tests use it).
  static Rng from_key(std::uint64_t key) { return Rng(RngState{key, 0, 0}); }

  // A child stream whose key depends on this stream's key and `name` (not on how much was drawn).
  Rng derive(std::string_view name) const;

  std::uint32_t next_u32();
  std::uint64_t next_u64();
  double uniform();           // [0, 1), 53 random bits
  double uniform(double lo, double hi);
  double normal();            // N(0, 1), Box-Muller on one Philox block
  bool bernoulli(double p);
  std::uint64_t below(std::uint64_t n);  // uniform integer in [0, n), unbiased (rejection)
  // A uniformly random permutation of 0..n-1 (Fisher-Yates).
  std::vector<std::size_t> permutation(std::size_t n);

  template <class T> Tensor<T> uniform_tensor(const Shape& shape, T lo, T hi);
  template <class T> Tensor<T> normal_tensor(const Shape& shape, T mean, T stddev);
  template <class T> Tensor<T> bernoulli_tensor(const Shape& shape, T p);  // 0/1 values

  RngState state() const { return state_; }
  void set_state(const RngState& s) {
    state_ = s;
    buffer_valid_ = false;
  }

 private:
  RngState state_;
  std::array<std::uint32_t, 4> buffer_{};
  bool buffer_valid_ = false;  // buffer_ holds block state_.block
};

// The 64-bit key of stream `name` under `seed` (SplitMix64 over the seed and the name's bytes).
std::uint64_t derive_key(std::uint64_t seed, std::string_view name);

}  // namespace genlab
