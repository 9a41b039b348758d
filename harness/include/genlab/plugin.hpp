// GENLAB_REGISTER_MODEL(Class): the one line a model plugin adds to export itself through
// Boost.DLL: its factory, the plugin ABI version, and its description (Class::describe()).
// It does not load anything: the harness's loader (loader.hpp) does.
#pragma once
#include <boost/config.hpp>
#include <boost/dll/alias.hpp>

#include "genlab/model.hpp"

namespace genlab::plugin_abi {
using AbiVersionFn = int();
using CreateFn = Model*();
using DescribeFn = ModelDescription();
}  // namespace genlab::plugin_abi

#define GENLAB_REGISTER_MODEL(Class)                                                      \
  namespace genlab_plugin_exports {                                                       \
  int abi_version() { return ::genlab::kPluginAbiVersion; }                               \
  ::genlab::Model* create() { return new Class(); }                                       \
  ::genlab::ModelDescription describe() { return Class::describe(); }                     \
  }                                                                                       \
  BOOST_DLL_ALIAS(genlab_plugin_exports::abi_version, genlab_abi_version)                 \
  BOOST_DLL_ALIAS(genlab_plugin_exports::create, genlab_create_model)                     \
  BOOST_DLL_ALIAS(genlab_plugin_exports::describe, genlab_describe_model)
