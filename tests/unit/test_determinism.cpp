// Bitwise reproducibility of training: 20 Adam steps of the VAE-shaped MLP (784-400-(20,20)-
// 400-784) give identical parameters twice in a row and at 1, 2 and 3 threads, and so do 3 steps
// of the DCGAN-shaped conv stack. It does not test resume (tests/integration does).
#include <doctest/doctest.h>

#include <cstring>
#include <thread>

#include "genlab/blas.hpp"
#include "genlab/float_mode.hpp"
#include "support/alloc_counter.hpp"
#include "reference_nets.hpp"

using namespace genlab;

namespace {
// All encoder and decoder parameters after `steps` steps on batches drawn from a fixed stream.
std::vector<Tensor<float>> train_vae(int steps) {
  bench::VaeMlp net(42);
  Rng data(42, "data");
  for (int i = 0; i < steps; ++i) net.step(data.uniform_tensor<float>({128, 784}, 0.f, 1.f));
  std::vector<Tensor<float>> out;
  for (const auto& p : net.encoder->parameters()) out.push_back(p.variable.value());
  for (const auto& p : net.decoder->parameters()) out.push_back(p.variable.value());
  return out;
}

bool bitwise_equal(const std::vector<Tensor<float>>& a, const std::vector<Tensor<float>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].shape() != b[i].shape()) return false;
    if (std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) != 0) return false;
  }
  return true;
}

struct BlasThreads {
  int previous = blas::num_threads();
  explicit BlasThreads(int n) { blas::set_num_threads(n); }
  ~BlasThreads() { blas::set_num_threads(previous); }
};
}  // namespace

TEST_CASE("determinism: 20 VAE-MLP steps are bitwise identical twice in a row") {
  BlasThreads one(1);
  const auto first = train_vae(20);
  const auto second = train_vae(20);
  CHECK(bitwise_equal(first, second));
  // and training did move the parameters (the comparison is not of two untouched inits)
  bench::VaeMlp untouched(42);
  CHECK_FALSE(std::memcmp(first[0].data(), untouched.encoder->parameters()[0].variable.value().data(),
                          first[0].size() * sizeof(float)) == 0);
}

namespace {
// 20 VAE-MLP steps at 1, 2 and 3 threads are bitwise identical (gemm blocks, the chunked Adam
// update and the chunked BCE / elementwise loops all run on the pool).
void check_vae_same_at_1_2_3_threads() {
  std::vector<std::vector<Tensor<float>>> runs;
  for (int threads : {1, 2, 3}) {
    BlasThreads t(threads);
    runs.push_back(train_vae(20));
  }
  CHECK(bitwise_equal(runs[0], runs[1]));
  CHECK(bitwise_equal(runs[0], runs[2]));
}
}  // namespace

TEST_CASE("determinism: 20 VAE-MLP steps are bitwise identical at 1, 2 and 3 threads") {
  CHECK(float_mode() == FloatMode::FlushDenormals);  // the default mode
  check_vae_same_at_1_2_3_threads();
}

TEST_CASE("determinism: under ieee subnormals too, 20 VAE-MLP steps are bitwise identical at 1, 2 and 3 threads") {
  FloatModeScope ieee(FloatMode::Ieee);
  check_vae_same_at_1_2_3_threads();
}

TEST_CASE("determinism: two threads training at once share the pool and get the serial result") {
  BlasThreads two(2);
  const auto serial = train_vae(5);
  std::vector<Tensor<float>> a, b;
  std::thread first([&] { a = train_vae(5); });
  std::thread second([&] { b = train_vae(5); });
  first.join();
  second.join();
  CHECK(bitwise_equal(a, serial));
  CHECK(bitwise_equal(b, serial));
}

TEST_CASE("determinism: 3 DCGAN steps (conv, batch norm, large elementwise ops) are bitwise identical at 1, 2 and 3 threads") {
  std::vector<std::vector<Tensor<float>>> runs;
  std::vector<float> losses;
  for (int threads : {1, 2, 3}) {
    BlasThreads t(threads);
    bench::DcganConv net(7);
    Rng data(7, "data");
    for (int i = 0; i < 3; ++i) losses.push_back(net.step(data.uniform_tensor<float>({64, 1, 28, 28}, 0.f, 1.f)));
    std::vector<Tensor<float>> params;
    for (const auto& p : net.d.parameters()) params.push_back(p.variable.value());
    for (const auto& p : net.g.parameters()) params.push_back(p.variable.value());
    runs.push_back(std::move(params));
  }
  CHECK(bitwise_equal(runs[0], runs[1]));
  CHECK(bitwise_equal(runs[0], runs[2]));
  for (int i = 0; i < 3; ++i) {
    CHECK(std::memcmp(&losses[i], &losses[3 + i], sizeof(float)) == 0);
    CHECK(std::memcmp(&losses[i], &losses[6 + i], sizeof(float)) == 0);
  }
}

TEST_CASE("determinism: genlab's gemm gives identical bits at 1, 2 and 3 threads for every transpose") {
  struct Case {
    bool ta, tb;
    std::size_t m, n, k;
  };
  const Case cases[] = {{false, false, 128, 400, 784}, {true, false, 784, 400, 128}, {false, true, 128, 784, 400},
                        {true, true, 300, 520, 64},    {false, false, 64, 12544, 16}, {false, false, 1000, 30, 200}};
  for (const Case& c : cases) {
    INFO("m " << c.m << " n " << c.n << " k " << c.k << " ta " << c.ta << " tb " << c.tb);
    Rng rng(3, "gemm");
    const Tensor<float> a = rng.normal_tensor<float>({c.m * c.k}, 0.f, 1.f);
    const Tensor<float> b = rng.normal_tensor<float>({c.k * c.n}, 0.f, 1.f);
    std::vector<std::vector<float>> results;
    for (int threads : {1, 2, 3}) {
      BlasThreads t(threads);
      std::vector<float> out(c.m * c.n, 0.f);
      blas::gemm(c.ta, c.tb, c.m, c.n, c.k, 1.f, a.data(), c.ta ? c.m : c.k, b.data(), c.tb ? c.k : c.n, 0.f,
                 out.data(), c.n);
      results.push_back(std::move(out));
    }
    CHECK(results[0] == results[1]);
    CHECK(results[0] == results[2]);
  }
}

TEST_CASE("allocations: a VAE-MLP training step allocates the same amount at step 5 and step 50") {
  bench::VaeMlp net(1);
  Rng data(1, "data");
  const Tensor<float> batch = data.uniform_tensor<float>({128, 784}, 0.f, 1.f);
  auto allocations_of_one_step = [&] {
    const std::size_t before = testing::allocations();
    net.step(batch);
    return testing::allocations() - before;
  };
  for (int i = 0; i < 4; ++i) net.step(batch);
  const std::size_t at5 = allocations_of_one_step();
  for (int i = 0; i < 44; ++i) net.step(batch);
  const std::size_t at50 = allocations_of_one_step();
  CHECK(at5 > 0);  // the graph of a step is built anew (closures, activations)
  CHECK(at50 == at5);
}
