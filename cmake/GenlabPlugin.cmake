# genlab_add_plugin(<name> <sources...> [OUTPUT_DIRECTORY dir]): builds one model plugin as the
# shared library libgenlab_<name>.so, linked against the one shared libgenlab, with the SDK's
# compile needs: C++20 without GNU extensions, -ffp-contract=off as genlab itself (no FMA
# contraction, so a plugin built with -march=native rounds as everywhere else), hidden
# visibility (only the GENLAB_REGISTER_MODEL symbols are exported), no "lib" doubling.
# The same file serves genlab's own tree (plugins/) and, installed, a user's project after
# find_package(genlab): there it links genlab::genlab and writes the .so into the build folder
# (or OUTPUT_DIRECTORY), ready for GENLAB_PLUGIN_PATH or [model] path. It registers nothing.
function(genlab_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT_DIRECTORY" "")
  if(NOT arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "genlab_add_plugin(${name}): no source files given")
  endif()
  if(NOT name MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "genlab_add_plugin(${name}): a plugin name is lower case letters, digits and '_'")
  endif()
  set(target genlab_plugin_${name})
  add_library(${target} MODULE ${arg_UNPARSED_ARGUMENTS})
  if(TARGET genlab_options)  # inside genlab's own build
    target_link_libraries(${target} PRIVATE genlab genlab_options)
    set(out_dir ${GENLAB_PLUGIN_OUTPUT_DIR})
    set_property(GLOBAL APPEND PROPERTY GENLAB_PLUGINS ${name})
    # installed next to libgenlab: lib/genlab/plugins -> lib
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN/../..")
    install(TARGETS ${target} LIBRARY DESTINATION lib/genlab/plugins)
  else()
    target_link_libraries(${target} PRIVATE genlab::genlab)
    set(out_dir ${CMAKE_CURRENT_BINARY_DIR})
  endif()
  if(arg_OUTPUT_DIRECTORY)
    set(out_dir ${arg_OUTPUT_DIRECTORY})
  endif()
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-ffp-contract=off>)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME genlab_${name} PREFIX "lib" SUFFIX ".so"
    LIBRARY_OUTPUT_DIRECTORY ${out_dir}
    CXX_EXTENSIONS OFF CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
endfunction()
