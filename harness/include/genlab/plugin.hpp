// GENLAB_REGISTER_MODEL(Class): the one line a model plugin adds to export itself through
// Boost.DLL: its factory, the plugin ABI version, its build stamp (genlab version and compiler
// ABI it was compiled with) and its description (Class::describe()).
// It does not load anything: the harness's loader does.
#pragma once
#include <boost/config.hpp>
#include <boost/dll/alias.hpp>

#include "genlab/model.hpp"
#include "genlab/sdk_version.hpp"

// The C++ ABI of this translation unit: standard library and libstdc++'s dual string ABI, the
// things that make std::string, std::vector and std::map of a plugin and of libgenlab differ.
// (The compiler's own version is not part of it: GCC and Clang share the Itanium C++ ABI.)
#if defined(_LIBCPP_VERSION)
#define GENLAB_STDLIB_NAME "libc++"
#elif defined(__GLIBCXX__)
#define GENLAB_STDLIB_NAME "libstdc++"
#else
#define GENLAB_STDLIB_NAME "unknown-stdlib"
#endif
#if defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define GENLAB_COMPILER_ABI GENLAB_STDLIB_NAME " cxx11-abi"
#else
#define GENLAB_COMPILER_ABI GENLAB_STDLIB_NAME " pre-cxx11-abi"
#endif

namespace genlab::plugin_abi {
using AbiVersionFn = int();
using StampFn = const char*();  // genlab_sdk_version, genlab_compiler_abi
using CreateFn = Model*();
using DescribeFn = ModelDescription();
}  // namespace genlab::plugin_abi

#define GENLAB_REGISTER_MODEL(Class)                                                      \
  namespace genlab_plugin_exports {                                                       \
  int abi_version() { return ::genlab::kPluginAbiVersion; }                               \
  const char* sdk_version() { return GENLAB_SDK_VERSION; }                                \
  const char* compiler_abi() { return GENLAB_COMPILER_ABI; }                              \
  ::genlab::Model* create() { return new Class(); }                                       \
  ::genlab::ModelDescription describe() { return Class::describe(); }                     \
  }                                                                                       \
  BOOST_DLL_ALIAS(genlab_plugin_exports::abi_version, genlab_abi_version)                 \
  BOOST_DLL_ALIAS(genlab_plugin_exports::sdk_version, genlab_sdk_version)                 \
  BOOST_DLL_ALIAS(genlab_plugin_exports::compiler_abi, genlab_compiler_abi)               \
  BOOST_DLL_ALIAS(genlab_plugin_exports::create, genlab_create_model)                     \
  BOOST_DLL_ALIAS(genlab_plugin_exports::describe, genlab_describe_model)
