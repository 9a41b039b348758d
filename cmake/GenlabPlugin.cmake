# genlab_add_plugin(<name> <sources...>): builds one model plugin as a shared library
# named libgenlab_<name>.so in build/<preset>/lib/genlab/plugins/ (the install layout), linked
# against the one shared libgenlab.
# It registers nothing anywhere: the loader finds plugins by file name.
function(genlab_add_plugin name)
  set(target genlab_plugin_${name})
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE genlab genlab_options)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME genlab_${name} PREFIX "lib"
    LIBRARY_OUTPUT_DIRECTORY ${GENLAB_PLUGIN_OUTPUT_DIR}
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  set_property(GLOBAL APPEND PROPERTY GENLAB_PLUGINS ${name})
  install(TARGETS ${target} LIBRARY DESTINATION lib/genlab/plugins)
endfunction()
