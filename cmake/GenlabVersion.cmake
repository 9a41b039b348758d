# Records genlab's version and the git commit it was built from (for run-file provenance).
# The commit is read at BUILD time (not configure time), so a rebuild after a commit records
# the new one; "-dirty" marks uncommitted changes. Outside a git checkout it is "unknown".
set(GENLAB_VERSION_CPP ${CMAKE_BINARY_DIR}/generated/version.cpp)
add_custom_target(genlab_version_stamp
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${GENLAB_VERSION_CPP}
          -DVERSION=${PROJECT_VERSION} -P ${CMAKE_SOURCE_DIR}/cmake/write_version.cmake
  BYPRODUCTS ${GENLAB_VERSION_CPP}
  COMMENT "Stamping the git commit into libgenlab")
