// The unpaired two-domain sets built from Fashion-MNIST for translation models (CycleGAN):
// fashion_invert (B = 1 - A), fashion_flip (B = A mirrored or rotated by 90 degrees),
// fashion_edges (B = A's clipped Sobel magnitude) and fashion_classes (A = one class, B = another).
// Training: A and B come from the two halves of a permutation of the training set drawn from
// (seed, "data/domains"), so no training image is in both; test: all test images as A with T(A)
// as B, row for row (the paired ground truth), or the two classes' test images. It does not
// batch or shuffle within a domain (batching.cpp draws A and B from their own streams).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "data/sources.hpp"
#include "genlab/error.hpp"
#include "genlab/rng.hpp"

namespace genlab {

namespace {
constexpr std::size_t kSide = 28, kPixels = kSide * kSide;

// One 28x28 image `in` -> `out` under map `kind` (in, out: 784 floats, row-major).
void map_image(const std::string& kind, const float* in, float* out) {
  const auto at = [in](std::ptrdiff_t r, std::ptrdiff_t c) {  // zero padding outside the image
    const auto n = static_cast<std::ptrdiff_t>(kSide);
    return r < 0 || c < 0 || r >= n || c >= n ? 0.f : in[r * n + c];
  };
  for (std::size_t r = 0; r < kSide; ++r) {
    for (std::size_t c = 0; c < kSide; ++c) {
      float& o = out[r * kSide + c];
      if (kind == "invert") {
        o = 1.f - in[r * kSide + c];
      } else if (kind == "mirror") {
        o = in[r * kSide + (kSide - 1 - c)];
      } else if (kind == "rot90") {
        o = in[(kSide - 1 - c) * kSide + r];
      } else {  // edges: Sobel gx = [-1 0 1; -2 0 2; -1 0 1], gy its transpose
        const auto i = static_cast<std::ptrdiff_t>(r), j = static_cast<std::ptrdiff_t>(c);
        const float gx = (at(i - 1, j + 1) + 2.f * at(i, j + 1) + at(i + 1, j + 1)) -
                         (at(i - 1, j - 1) + 2.f * at(i, j - 1) + at(i + 1, j - 1));
        const float gy = (at(i + 1, j - 1) + 2.f * at(i + 1, j) + at(i + 1, j + 1)) -
                         (at(i - 1, j - 1) + 2.f * at(i - 1, j) + at(i - 1, j + 1));
        o = std::min(1.f, std::sqrt(gx * gx + gy * gy) / 4.f);
      }
    }
  }
}

// Rows idx of `from` as a data set named `name` (labels kept).
Dataset rows_of(const Dataset& from, const std::string& name, const std::vector<std::size_t>& idx) {
  Dataset out{name, gather_rows(from.x, idx.data(), idx.size()), gather_labels(from.y, idx.data(), idx.size()),
              from.sample_shape, from.num_classes};
  return out;
}

std::vector<std::size_t> with_label(const Dataset& d, const std::vector<std::size_t>& rows, std::int64_t label) {
  std::vector<std::size_t> out;
  for (const std::size_t r : rows) {
    if (d.y[r] == label) out.push_back(r);
  }
  return out;
}

std::vector<std::size_t> all_rows(std::size_t n) {
  std::vector<std::size_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = i;
  return out;
}

// Domain A = rows a of `from`, domain B = rows b (mapped by `kind` unless it is empty).
Dataset two_domain(const Dataset& from, const std::string& name, const std::vector<std::size_t>& a,
                   const std::vector<std::size_t>& b, const std::string& kind) {
  Dataset out = rows_of(from, name, a);
  Dataset other = rows_of(from, name, b);
  out.x_b = kind.empty() ? std::move(other.x) : domain_map(kind, other.x);
  out.y_b = std::move(other.y);
  return out;
}

std::string map_kind(const DataOptions& o) {
  if (o.name == "fashion_invert") return "invert";
  if (o.name == "fashion_edges") return "edges";
  if (o.name == "fashion_flip") {
    if (o.flip != "mirror" && o.flip != "rot90") {
      throw DataError("data.flip must be \"mirror\" or \"rot90\" (got \"" + o.flip + "\")");
    }
    return o.flip;
  }
  return "";  // fashion_classes
}
}  // namespace

bool is_two_domain_set(const std::string& name) {
  return name == "fashion_invert" || name == "fashion_flip" || name == "fashion_edges" || name == "fashion_classes";
}

Tensor<float> domain_map(const std::string& kind, const Tensor<float>& x) {
  if (kind != "invert" && kind != "mirror" && kind != "rot90" && kind != "edges") {
    throw DataError("unknown domain map '" + kind + "' (known: invert, mirror, rot90, edges)");
  }
  if (x.dimension() != 2 || x.shape()[1] != kPixels) {
    throw DataError("domain map '" + kind + "' needs 28x28 images as rows (N, 784), got " + shape_str(shape_of(x)));
  }
  Tensor<float> out = Tensor<float>::from_shape({x.shape()[0], kPixels});
  for (std::size_t i = 0; i < x.shape()[0]; ++i) map_image(kind, x.data() + i * kPixels, out.data() + i * kPixels);
  return out;
}

namespace data_detail {

std::pair<Dataset, Dataset> make_two_domain(const DataOptions& o, const std::pair<Dataset, Dataset>& fashion,
                                            std::uint64_t seed) {
  const std::string kind = map_kind(o);
  const Dataset& train = fashion.first;
  const Dataset& test = fashion.second;
  // (N,) -> A: the first half of the permutation, B: the second half
  const std::vector<std::size_t> order = Rng(seed, "data/domains").permutation(train.size());
  const auto half = static_cast<std::ptrdiff_t>(train.size() / 2);
  std::vector<std::size_t> half_a(order.begin(), order.begin() + half), half_b(order.begin() + half, order.end());
  if (o.name == "fashion_classes") {
    if (o.paired) throw DataError("data.paired: fashion_classes has no ground-truth pairs to train on");
    if (o.classes.size() != 2 || o.classes[0] == o.classes[1] ||
        std::any_of(o.classes.begin(), o.classes.end(), [&](std::int64_t c) { return c < 0 || c >= 10; })) {
      throw DataError("data.classes must be two different Fashion-MNIST classes in 0..9 (e.g. [7, 9])");
    }
    const std::vector<std::size_t> test_rows = all_rows(test.size());
    std::pair<Dataset, Dataset> out{
        two_domain(train, o.name, with_label(train, half_a, o.classes[0]), with_label(train, half_b, o.classes[1]), ""),
        two_domain(test, o.name, with_label(test, test_rows, o.classes[0]), with_label(test, test_rows, o.classes[1]),
                   "")};
    for (Dataset* d : {&out.first, &out.second}) {
      if (d->size() == 0 || d->x_b.shape()[0] == 0) {
        throw DataError("data.classes: a domain of fashion_classes is empty (data.limit too small?)");
      }
      d->class_a = static_cast<std::int32_t>(o.classes[0]);
      d->class_b = static_cast<std::int32_t>(o.classes[1]);
    }
    return out;
  }
  const std::vector<std::size_t> test_rows = all_rows(test.size());
  // paired (the supervised baseline): A's half with its own T as B, row for row
  std::pair<Dataset, Dataset> out{two_domain(train, o.name, half_a, o.paired ? half_a : half_b, kind),
                                  two_domain(test, o.name, test_rows, test_rows, kind)};
  const GroundTruth truth = kind == "edges" ? GroundTruth::AToB : GroundTruth::Both;
  out.second.ground_truth = truth;
  if (o.paired) out.first.ground_truth = truth;
  return out;
}

}  // namespace data_detail
}  // namespace genlab
