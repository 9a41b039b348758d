// The two-domain sets built from Fashion-MNIST (fashion_invert, fashion_flip, fashion_edges,
// fashion_classes): A and B from disjoint halves of the training set, T applied exactly to the
// test pairs, the same bits from the same seed and another split from another seed, the class
// pair's labels, and the errors for a validation split and bad options. Needs the installed
// Fashion-MNIST (a missing set fails); it does not train anything.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include "support/fashion_mnist.hpp"
#include "genlab/data.hpp"
#include "genlab/error.hpp"

using namespace genlab;
namespace fs = std::filesystem;

namespace {

using testing::fashion_folder;
using testing::have_fashion_mnist;

DataOptions options(const std::string& name, std::size_t limit = 2000) {
  DataOptions o;
  o.name = name;
  o.path = fashion_folder;
  o.limit = limit;
  return o;
}

std::vector<float> row(const Tensor<float>& x, std::size_t i) {
  return {x.data() + i * 784, x.data() + (i + 1) * 784};
}

bool same_bits(const Tensor<float>& a, const Tensor<float>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Index of every training image of the plain set by its pixels (Fashion-MNIST has a few
// duplicate images: each maps to all its indices).
std::map<std::vector<float>, std::vector<std::size_t>> index_of(const Dataset& plain) {
  std::map<std::vector<float>, std::vector<std::size_t>> out;
  for (std::size_t i = 0; i < plain.size(); ++i) out[row(plain.x, i)].push_back(i);
  return out;
}

}  // namespace

TEST_CASE("two-domain data: A and B are disjoint halves of the training set (fashion_flip, mirror)") {
  if (!have_fashion_mnist()) return;
  const DataSplits plain = load_data(options("fashion_mnist"), 0);
  const DataSplits d = load_data(options("fashion_flip"), 3);
  REQUIRE(d.train.two_domain());
  REQUIRE(d.train.x.shape() == std::vector<std::size_t>{1000, 784});
  REQUIRE(d.train.x_b.shape() == std::vector<std::size_t>{1000, 784});
  CHECK(d.train.ground_truth == GroundTruth::None);
  const auto index = index_of(plain.train);
  const Tensor<float> b_unmapped = domain_map("mirror", d.train.x_b);  // mirror is its own inverse
  std::set<std::size_t> a_rows, b_rows;
  for (std::size_t i = 0; i < 1000; ++i) {
    const auto a = index.find(row(d.train.x, i));
    const auto b = index.find(row(b_unmapped, i));
    REQUIRE(a != index.end());
    REQUIRE(b != index.end());
    if (a->second.size() == 1) a_rows.insert(a->second.front());  // duplicate images cannot be told apart
    if (b->second.size() == 1) b_rows.insert(b->second.front());
    CHECK(plain.train.y[a->second.front()] == d.train.y[i]);  // labels travel with their images
    CHECK(plain.train.y[b->second.front()] == d.train.y_b[i]);
  }
  std::size_t shared = 0;
  for (const std::size_t r : a_rows) shared += b_rows.count(r);
  CHECK(shared == 0);
  CHECK(a_rows.size() + b_rows.size() > 1990);  // (almost) every image identified, each in one half
}

TEST_CASE("two-domain data: the test pairs are (a, T(a)) with T applied exactly") {
  if (!have_fashion_mnist()) return;
  const DataSplits plain = load_data(options("fashion_mnist"), 0);
  const Tensor<float>& a = plain.test.x;
  {
    const DataSplits d = load_data(options("fashion_invert"), 0);
    CHECK(d.test.ground_truth == GroundTruth::Both);
    CHECK(same_bits(d.test.x, a));
    CHECK(d.test.y_b == plain.test.y);
    bool exact = true;
    for (std::size_t i = 0; i < a.size(); ++i) exact = exact && d.test.x_b.data()[i] == 1.f - a.data()[i];
    CHECK(exact);
  }
  for (const std::string flip : {"mirror", "rot90"}) {
    CAPTURE(flip);
    DataOptions o = options("fashion_flip");
    o.flip = flip;
    const DataSplits d = load_data(o, 0);
    CHECK(d.test.ground_truth == GroundTruth::Both);
    bool exact = true;
    for (std::size_t n = 0; n < 50; ++n) {
      for (std::size_t r = 0; r < 28; ++r) {
        for (std::size_t c = 0; c < 28; ++c) {
          const float want = flip == "mirror" ? a(n, r * 28 + 27 - c) : a(n, (27 - c) * 28 + r);
          exact = exact && d.test.x_b(n, r * 28 + c) == want;
        }
      }
    }
    CHECK(exact);
  }
  {
    const DataSplits d = load_data(options("fashion_edges"), 0);
    CHECK(d.test.ground_truth == GroundTruth::AToB);
    // Sobel by hand in double, zero padding, / 4, clipped to [0, 1]
    const auto px = [&](std::size_t n, int r, int c) { return r < 0 || c < 0 || r > 27 || c > 27 ? 0.0 : double(a(n, r * 28 + c)); };
    double worst = 0;
    bool in_range = true;
    for (std::size_t n = 0; n < 20; ++n) {
      for (int r = 0; r < 28; ++r) {
        for (int c = 0; c < 28; ++c) {
          const double gx = px(n, r - 1, c + 1) + 2 * px(n, r, c + 1) + px(n, r + 1, c + 1) - px(n, r - 1, c - 1) -
                            2 * px(n, r, c - 1) - px(n, r + 1, c - 1);
          const double gy = px(n, r + 1, c - 1) + 2 * px(n, r + 1, c) + px(n, r + 1, c + 1) - px(n, r - 1, c - 1) -
                            2 * px(n, r - 1, c) - px(n, r - 1, c + 1);
          const double want = std::min(1.0, std::sqrt(gx * gx + gy * gy) / 4.0);
          const float got = d.test.x_b(n, static_cast<std::size_t>(r * 28 + c));
          worst = std::max(worst, std::abs(got - want));
          in_range = in_range && got >= 0.f && got <= 1.f;
        }
      }
    }
    CHECK(worst < 1e-6);  // tolerance: float vs double arithmetic of 9 terms in [0, 1]
    CHECK(in_range);
  }
}

TEST_CASE("two-domain data: the same seed gives the same bits, another seed another split") {
  if (!have_fashion_mnist()) return;
  const DataSplits a = load_data(options("fashion_invert"), 5);
  const DataSplits b = load_data(options("fashion_invert"), 5);
  const DataSplits c = load_data(options("fashion_invert"), 6);
  CHECK(same_bits(a.train.x, b.train.x));
  CHECK(same_bits(a.train.x_b, b.train.x_b));
  CHECK(a.train.y_b == b.train.y_b);
  CHECK_FALSE(same_bits(a.train.x, c.train.x));
  CHECK(same_bits(a.test.x_b, c.test.x_b));  // the test pairs do not depend on the seed
}

TEST_CASE("two-domain data: fashion_classes keeps one class per domain and has no ground truth") {
  if (!have_fashion_mnist()) return;
  DataOptions o = options("fashion_classes", 0);
  o.classes = {7, 9};
  const DataSplits d = load_data(o, 1);
  CHECK(d.test.ground_truth == GroundTruth::None);
  CHECK(d.test.class_a == 7);
  CHECK(d.test.class_b == 9);
  for (const Dataset* s : {&d.train, &d.test}) {
    CHECK(std::all_of(s->y.begin(), s->y.end(), [](std::int32_t y) { return y == 7; }));
    CHECK(std::all_of(s->y_b.begin(), s->y_b.end(), [](std::int32_t y) { return y == 9; }));
  }
  CHECK(d.test.size() == 1000);  // every test sneaker
  CHECK(d.test.x_b.shape()[0] == 1000);
  // each class is drawn from its own half of the training set: about half of its 6000 images
  CHECK(d.train.size() > 2700);
  CHECK(d.train.size() < 3300);
  o.classes = {7, 7};
  CHECK_THROWS_WITH_AS(load_data(o, 1), doctest::Contains("data.classes must be two different"), DataError);
}

TEST_CASE("two-domain data: a validation split or an unknown map is refused with the key named") {
  if (!have_fashion_mnist()) return;
  DataOptions o = options("fashion_invert");
  o.validation = 100;
  CHECK_THROWS_WITH_AS(load_data(o, 0), doctest::Contains("data.validation = 100: the two-domain set fashion_invert"),
                       DataError);
  o = options("fashion_flip");
  o.flip = "upside_down";
  CHECK_THROWS_WITH_AS(load_data(o, 0), doctest::Contains("data.flip must be"), DataError);
  CHECK_THROWS_WITH_AS(domain_map("blur", Tensor<float>::from_shape({1, 784})), doctest::Contains("unknown domain map"),
                       DataError);
}

TEST_CASE("two-domain data: data.paired trains on (a, T(a)) from A's half, and batches keep the pairs") {
  if (!have_fashion_mnist()) return;
  DataOptions o = options("fashion_invert");
  o.paired = true;
  const DataSplits d = load_data(o, 3);
  const DataSplits unpaired = load_data(options("fashion_invert"), 3);
  CHECK(d.train.ground_truth == GroundTruth::Both);
  CHECK(same_bits(d.train.x, unpaired.train.x));  // the same A half as the unpaired set
  CHECK(same_bits(d.train.x_b, domain_map("invert", d.train.x)));
  const std::size_t rows[] = {5, 2, 999};
  Batch b;
  b.x = gather_rows(d.train.x, rows, 3);
  add_paired_b(b, d.train, rows, 3);
  CHECK(same_bits(b.x_b, domain_map("invert", b.x)));
  o = options("fashion_classes", 0);
  o.paired = true;
  CHECK_THROWS_WITH_AS(load_data(o, 0), doctest::Contains("fashion_classes has no ground-truth pairs"), DataError);
}
