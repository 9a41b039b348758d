# Finds every third-party dependency from Debian 12 packages (see .ci/install-deps).
# Nothing is downloaded: a missing package is a configure error that names the apt package.
function(genlab_require found package)
  if(NOT ${found})
    message(FATAL_ERROR "genlab: missing dependency; install it with: sudo apt-get install ${package} "
                        "(or run .ci/install-deps, which installs all of them)")
  endif()
endfunction()

find_package(xtl QUIET)
genlab_require(xtl_FOUND xtensor-dev)
find_package(xtensor QUIET)
genlab_require(xtensor_FOUND xtensor-dev)
find_package(tomlplusplus QUIET)
genlab_require(tomlplusplus_FOUND libtomlplusplus-dev)
find_package(CLI11 QUIET)
genlab_require(CLI11_FOUND libcli11-dev)
find_package(Boost 1.74 QUIET COMPONENTS filesystem)
genlab_require(Boost_FOUND "libboost-dev libboost-filesystem-dev")
find_package(ZLIB QUIET)
genlab_require(ZLIB_FOUND zlib1g-dev)
find_package(PNG QUIET)
genlab_require(PNG_FOUND libpng-dev)
set(HDF5_PREFER_PARALLEL OFF)
find_package(HDF5 QUIET COMPONENTS C)
genlab_require(HDF5_FOUND libhdf5-dev)
find_package(OpenSSL QUIET COMPONENTS Crypto)  # SHA-256 of plugin and reference-classifier files
genlab_require(OpenSSL_FOUND libssl-dev)
find_package(Threads REQUIRED)

# OpenBLAS: linked by name so that openblas_set_num_threads() is available; its <cblas.h>
# lives in the openblas-pthread include folder (never mixed with xtensor-blas's cblas.h).
find_library(GENLAB_OPENBLAS_LIB NAMES openblas)
find_path(GENLAB_OPENBLAS_INCLUDE cblas.h PATHS /usr/include/x86_64-linux-gnu/openblas-pthread
          /usr/include/openblas NO_DEFAULT_PATH)
genlab_require(GENLAB_OPENBLAS_LIB libopenblas-dev)
genlab_require(GENLAB_OPENBLAS_INCLUDE libopenblas-dev)

find_path(GENLAB_RANDOM123_INCLUDE Random123/philox.h)
genlab_require(GENLAB_RANDOM123_INCLUDE librandom123-dev)

if(GENLAB_BUILD_TESTS)
  find_package(doctest QUIET)
  genlab_require(doctest_FOUND doctest-dev)
endif()
