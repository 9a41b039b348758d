// Philox4x32-10 streams and our own conversions to uniform, normal, Bernoulli and permutations.
// It does not use <random>: its distributions differ between standard libraries.
#include "genlab/rng.hpp"

#include <cmath>
#include <numbers>

#include <Random123/philox.h>

#include "core/thread_pool.hpp"

namespace genlab {

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::array<std::uint32_t, 4> philox_block(std::uint64_t key, std::uint64_t block) {
  using Philox = r123::Philox4x32;
  Philox::ctr_type ctr = {{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32), 0u, 0u}};
  Philox::key_type k = {{static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)}};
  const Philox::ctr_type r = Philox()(ctr, k);
  return {r[0], r[1], r[2], r[3]};
}

double uniform53(std::uint32_t hi, std::uint32_t lo) {
  return static_cast<double>(((static_cast<std::uint64_t>(hi) << 32) | lo) >> 11) * 0x1.0p-53;
}

// The normal of one Philox block w: Box-Muller on its two 53-bit uniforms (u1 in (0, 1] so log is
// finite); the sine branch is dropped so that every normal costs exactly one block.
double normal_of_block(const std::array<std::uint32_t, 4>& w) {
  const double u1 = 1.0 - uniform53(w[0], w[1]);
  const double u2 = uniform53(w[2], w[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// Normals per pool chunk: 40-90 ns each on the project VM, so a chunk is ~0.1-0.2 ms of work.
constexpr std::size_t kNormalGrain = 2048;
}  // namespace

std::uint64_t derive_key(std::uint64_t seed, std::string_view name) {
  std::uint64_t h = splitmix64(seed);
  for (unsigned char c : name) h = splitmix64(h ^ c);
  return splitmix64(h ^ name.size());
}

Rng::Rng(std::uint64_t seed, std::string_view name) { state_.key = derive_key(seed, name); }

Rng Rng::derive(std::string_view name) const { return Rng(state_.key, name); }

std::uint32_t Rng::next_u32() {
  if (!buffer_valid_) {
    buffer_ = philox_block(state_.key, state_.block);
    buffer_valid_ = true;
  }
  const std::uint32_t r = buffer_[state_.position++];
  if (state_.position == 4) {  // block used up: the state always names the next draw
    ++state_.block;
    state_.position = 0;
    buffer_valid_ = false;
  }
  return r;
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t hi = next_u32();
  return (hi << 32) | next_u32();
}

double Rng::uniform() {
  const std::uint32_t hi = next_u32();
  return uniform53(hi, next_u32());
}

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double Rng::normal() {
  std::array<std::uint32_t, 4> w;
  for (auto& word : w) word = next_u32();  // the next four words, which may span two blocks
  return normal_of_block(w);
}

bool Rng::bernoulli(double p) { return uniform() < p; }

std::uint64_t Rng::below(std::uint64_t n) {
  if (n <= 1) return 0;
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // reject the biased tail
  std::uint64_t x = next_u64();
  while (x >= limit) x = next_u64();
  return x % n;
}

std::vector<std::size_t> Rng::permutation(std::size_t n) {
  std::vector<std::size_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = i;
  for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[below(i)]);
  return p;
}

template <class T>
Tensor<T> Rng::uniform_tensor(const Shape& shape, T lo, T hi) {
  Tensor<T> t = Tensor<T>::from_shape(shape);
  for (auto& v : t) v = static_cast<T>(uniform(lo, hi));
  return t;
}

// At a block boundary element i is the normal of block state_.block + i, so the fill runs in pool
// chunks and gives the bits (and the end state) of n calls to normal() at any thread count.
template <class T>
Tensor<T> Rng::normal_tensor(const Shape& shape, T mean, T stddev) {
  Tensor<T> t = Tensor<T>::from_shape(shape);
  if (state_.position != 0) {
    for (auto& v : t) v = static_cast<T>(mean + stddev * normal());
    return t;
  }
  T* out = t.data();
  const std::uint64_t key = state_.key, first = state_.block;
  parallel_chunks(t.size(), kNormalGrain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      out[i] = static_cast<T>(mean + stddev * normal_of_block(philox_block(key, first + i)));
    }
  });
  state_.block += t.size();
  buffer_valid_ = false;
  return t;
}

template <class T>
Tensor<T> Rng::bernoulli_tensor(const Shape& shape, T p) {
  Tensor<T> t = Tensor<T>::from_shape(shape);
  for (auto& v : t) v = bernoulli(p) ? T(1) : T(0);
  return t;
}

template Tensor<float> Rng::uniform_tensor(const Shape&, float, float);
template Tensor<double> Rng::uniform_tensor(const Shape&, double, double);
template Tensor<float> Rng::normal_tensor(const Shape&, float, float);
template Tensor<double> Rng::normal_tensor(const Shape&, double, double);
template Tensor<float> Rng::bernoulli_tensor(const Shape&, float);
template Tensor<double> Rng::bernoulli_tensor(const Shape&, double);

}  // namespace genlab
