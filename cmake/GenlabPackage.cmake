# Installs genlab as a CMake package: `find_package(genlab)` in a user's project gives the
# imported target genlab::genlab (libgenlab + SDK headers + their xtensor/Boost needs) and
# genlab_add_plugin(). Layout under the prefix: bin/genlab, lib/libgenlab.so,
# lib/genlab/plugins/, include/genlab/, lib/cmake/genlab/. It installs no host header.
include(CMakePackageConfigHelpers)
set(GENLAB_CMAKE_DIR lib/cmake/genlab)
set(GENLAB_PLUGIN_INSTALL_DIR lib/genlab/plugins)
install(EXPORT genlabTargets NAMESPACE genlab:: DESTINATION ${GENLAB_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/genlabConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/generated/genlabConfig.cmake
                              INSTALL_DESTINATION ${GENLAB_CMAKE_DIR} PATH_VARS GENLAB_PLUGIN_INSTALL_DIR)
# Plugins must be rebuilt for another minor version (the ABI version is checked at load time too).
write_basic_package_version_file(${CMAKE_BINARY_DIR}/generated/genlabConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/generated/genlabConfig.cmake
              ${CMAKE_BINARY_DIR}/generated/genlabConfigVersion.cmake
              ${CMAKE_SOURCE_DIR}/cmake/GenlabPlugin.cmake
        DESTINATION ${GENLAB_CMAKE_DIR})
