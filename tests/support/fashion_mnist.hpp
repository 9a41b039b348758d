// The installed Fashion-MNIST (Debian's dataset-fashion-mnist) for the tests that read it. CI
// installs it (.ci/install-deps): a missing data set fails the test that needs it instead of
// passing without testing anything. It does not load the data.
#pragma once
#include <doctest/doctest.h>

#include <filesystem>

namespace genlab::testing {

inline const std::filesystem::path fashion_folder = "/usr/share/datasets/fashion-mnist";

// true when the files are there; otherwise a failed check that says how to install them
inline bool have_fashion_mnist() {
  const bool present = std::filesystem::exists(fashion_folder / "train-images-idx3-ubyte.gz");
  CHECK_MESSAGE(present, "Fashion-MNIST is not installed (.ci/install-deps installs dataset-fashion-mnist)");
  return present;
}

}  // namespace genlab::testing
