// The doctest entry point shared by every test suite. Tests live in unit/, plugins/, integration/.
// Like the genlab CLI, it first re-executes itself with the OpenBLAS kernel genlab prefers on this
// CPU (blas.hpp), so in-process results use the same kernel as the runs the tests start.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "genlab/blas.hpp"

int main(int argc, char** argv) {
  genlab::blas::reexec_for_preferred_core(argv);
  doctest::Context context(argc, argv);
  return context.run();
}
