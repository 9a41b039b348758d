// Philox streams: determinism per (seed, name), independence between names and seeds, moments of
// the uniform and normal conversions, permutations, exact save/restore mid-block, derive().
// Statistical thresholds are several standard errors wide, so they do not flake, yet far below
// what a broken conversion (wrong scale, reused words, off-by-one) would produce.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "genlab/blas.hpp"
#include "genlab/rng.hpp"

using namespace genlab;

namespace {
std::vector<double> uniforms(Rng& rng, std::size_t n) {
  std::vector<double> u(n);
  for (auto& x : u) x = rng.uniform();
  return u;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}
}  // namespace

TEST_CASE("rng: the same (seed, name) gives the same stream bit for bit") {
  Rng a(42, "init"), b(42, "init");
  for (int i = 0; i < 1000; ++i) REQUIRE(a.next_u64() == b.next_u64());
  Rng c(42, "init"), d(42, "init");
  for (int i = 0; i < 1000; ++i) REQUIRE(c.normal() == d.normal());
  CHECK(derive_key(42, "init") == derive_key(42, "init"));
}

TEST_CASE("rng: different names or seeds give different, uncorrelated streams") {
  CHECK(derive_key(42, "init") != derive_key(42, "data"));
  CHECK(derive_key(42, "init") != derive_key(43, "init"));
  CHECK(derive_key(42, "ab") != derive_key(42, "ba"));
  Rng init(42, "init"), data(42, "data"), other_seed(43, "init");
  const auto u_init = uniforms(init, 100000);
  const auto u_data = uniforms(data, 100000);
  const auto u_seed = uniforms(other_seed, 100000);
  CHECK(u_init != u_data);
  CHECK(u_init != u_seed);
  // n = 1e5: the standard error of a correlation is 1/sqrt(n) ~ 0.0032; allow ~6 of them
  CHECK(std::abs(correlation(u_init, u_data)) < 0.02);
  CHECK(std::abs(correlation(u_init, u_seed)) < 0.02);
  // successive draws of one stream are not correlated either (lag 1)
  const std::vector<double> head(u_init.begin(), u_init.end() - 1),
      tail(u_init.begin() + 1, u_init.end());
  CHECK(std::abs(correlation(head, tail)) < 0.02);
}

TEST_CASE("rng: 10^6 normals have mean 0, variance 1, skew 0 and kurtosis 3") {
  Rng rng(7, "moments");
  const std::size_t n = 1000000;
  std::vector<double> z(n);
  for (auto& x : z) x = rng.normal();
  double m1 = 0;
  for (double x : z) m1 += x;
  m1 /= static_cast<double>(n);
  double m2 = 0, m3 = 0, m4 = 0;
  for (double x : z) {
    const double d = x - m1;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= static_cast<double>(n);
  m3 /= static_cast<double>(n);
  m4 /= static_cast<double>(n);
  const double skew = m3 / std::pow(m2, 1.5), kurtosis = m4 / (m2 * m2);
  // standard errors: mean 0.001, variance 0.0014, skew 0.0024, kurtosis 0.0049
  CHECK(std::abs(m1) < 0.005);
  CHECK(std::abs(m2 - 1.0) < 0.005);
  CHECK(std::abs(skew) < 0.02);
  CHECK(std::abs(kurtosis - 3.0) < 0.04);
  // tails: P(|z| > 3) = 0.0027 for a standard normal (expected 2700 of 10^6, sd ~52)
  const auto beyond3 =
      std::count_if(z.begin(), z.end(), [](double x) { return std::abs(x) > 3.0; });
  CHECK(beyond3 > 2400);
  CHECK(beyond3 < 3000);
}

TEST_CASE("rng: uniforms lie in 0 <= u < 1 and fill ten bins evenly") {
  Rng rng(7, "uniform");
  const std::size_t n = 1000000;
  std::vector<std::size_t> bins(10, 0);
  double sum = 0;
  bool in_range = true;
  for (std::size_t i = 0; i < n; ++i) {
    const double u = rng.uniform();
    in_range = in_range && u >= 0.0 && u < 1.0;
    bins[std::min<std::size_t>(static_cast<std::size_t>(u * 10), 9)] += 1;
    sum += u;
  }
  CHECK(in_range);
  CHECK(std::abs(sum / static_cast<double>(n) - 0.5) < 0.002);  // standard error 0.00029
  for (std::size_t b = 0; b < 10; ++b) {
    INFO("bin " << b << " holds " << bins[b]);
    CHECK(std::abs(static_cast<double>(bins[b]) - 100000.0) < 1500.0);  // sd 300
  }
  // uniform(lo, hi) maps into [lo, hi)
  for (int i = 0; i < 1000; ++i) {
    const double x = rng.uniform(-2.0, 3.0);
    REQUIRE(x >= -2.0);
    REQUIRE(x < 3.0);
  }
}

TEST_CASE("rng: below(n) stays in range and hits every value") {
  Rng rng(3, "below");
  std::vector<int> hits(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const auto k = rng.below(7);
    REQUIRE(k < 7);
    hits[k] += 1;
  }
  for (int h : hits) CHECK(std::abs(h - 1000) < 150);  // sd ~ 30
  CHECK(rng.below(1) == 0);
}

TEST_CASE("rng: permutation is a permutation, deterministic per seed, different across seeds") {
  Rng a(11, "data"), b(11, "data"), c(12, "data");
  const auto pa = a.permutation(1000), pb = b.permutation(1000), pc = c.permutation(1000);
  std::vector<std::size_t> sorted = pa;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::size_t> identity(1000);
  std::iota(identity.begin(), identity.end(), std::size_t{0});
  CHECK(sorted == identity);
  CHECK(pa != identity);
  CHECK(pa == pb);
  CHECK(pa != pc);
  CHECK(a.permutation(0).empty());
  CHECK(a.permutation(1) == std::vector<std::size_t>{0});
  // every position is equally likely to receive element 0 (2000 permutations of 4)
  Rng d(13, "data");
  std::vector<int> where0(4, 0);
  for (int i = 0; i < 2000; ++i) {
    const auto p = d.permutation(4);
    where0[std::find(p.begin(), p.end(), std::size_t{0}) - p.begin()] += 1;
  }
  for (int w : where0) CHECK(std::abs(w - 500) < 100);  // sd ~ 19
}

TEST_CASE("rng: saving the state mid-block and restoring it continues the same sequence") {
  Rng rng(5, "noise");
  rng.next_u32();
  rng.next_u32();
  rng.next_u32();  // three of the block's four words used
  const RngState saved = rng.state();
  CHECK(saved.position == 3);
  std::vector<std::uint32_t> expected;
  for (int i = 0; i < 9; ++i) expected.push_back(rng.next_u32());
  const double expected_normal = rng.normal();

  Rng restored(saved);
  std::vector<std::uint32_t> got;
  for (int i = 0; i < 9; ++i) got.push_back(restored.next_u32());
  CHECK(got == expected);
  CHECK(restored.normal() == expected_normal);

  // set_state on a stream that has drawn elsewhere, and through the array form
  Rng other(99, "else");
  other.next_u64();
  other.set_state(RngState::from_array(saved.to_array()));
  CHECK(other.next_u32() == expected[0]);
  CHECK(other.state() == RngState{saved.key, saved.block + 1, 0});
}

TEST_CASE("rng: derive() depends on the key and the name, not on how much was drawn") {
  Rng parent(21, "init");
  Rng child1 = parent.derive("encoder");
  parent.next_u64();
  parent.normal();
  Rng child2 = parent.derive("encoder");
  Rng sibling = parent.derive("decoder");
  CHECK(child1.state() == child2.state());
  CHECK(child1.state().key != sibling.state().key);
  CHECK(child1.state().key != parent.state().key);
  for (int i = 0; i < 100; ++i) REQUIRE(child1.next_u64() == child2.next_u64());
  CHECK(child1.next_u64() != sibling.next_u64());
  CHECK(Rng::from_key(parent.state().key).next_u64() == Rng(21, "init").next_u64());
}

TEST_CASE("rng: tensor fills have the requested shape and moments and are reproducible") {
  Rng a(8, "fill"), b(8, "fill");
  const Tensor<float> u = a.uniform_tensor<float>({100, 50}, -1.0f, 1.0f);
  const Tensor<float> u2 = b.uniform_tensor<float>({100, 50}, -1.0f, 1.0f);
  CHECK(shape_of(u) == Shape{100, 50});
  CHECK(u == u2);
  CHECK(xt::amin(u)() >= -1.0f);
  CHECK(xt::amax(u)() <= 1.0f);
  const Tensor<double> z = a.normal_tensor<double>({200000}, 3.0, 2.0);
  const double mean = xt::mean(z)();
  const double sd = std::sqrt(xt::variance(z)());
  CHECK(std::abs(mean - 3.0) < 0.03);  // standard error 0.0045
  CHECK(std::abs(sd - 2.0) < 0.02);    // standard error 0.0032
  const Tensor<double> bits = a.bernoulli_tensor<double>({100000}, 0.3);
  CHECK(std::all_of(bits.begin(), bits.end(), [](double x) { return x == 0.0 || x == 1.0; }));
  CHECK(std::abs(xt::mean(bits)() - 0.3) < 0.01);  // standard error 0.0014
}

TEST_CASE("rng: normal_tensor gives the bits and end state of as many normal() calls, at 1, 2 and 3 threads") {
  const int previous = blas::num_threads();
  for (int threads : {1, 2, 3}) {
    blas::set_num_threads(threads);
    for (int skip_words : {0, 1, 2, 3, 4}) {  // 0 and 4: at a block boundary (the parallel fill)
      Rng filled(21, "fill"), drawn(21, "fill");
      for (int i = 0; i < skip_words; ++i) {
        filled.next_u32();
        drawn.next_u32();
      }
      const Tensor<float> t = filled.normal_tensor<float>({7, 3001}, 0.5f, 2.0f);  // 21,007 draws: 11 pool chunks
      std::vector<float> expected(t.size());
      for (auto& v : expected) v = static_cast<float>(0.5f + 2.0f * drawn.normal());
      CAPTURE(threads);
      CAPTURE(skip_words);
      CHECK(std::memcmp(t.data(), expected.data(), expected.size() * sizeof(float)) == 0);
      CHECK(filled.state() == drawn.state());
      CHECK(filled.next_u32() == drawn.next_u32());
    }
  }
  blas::set_num_threads(previous);
}
