# Records genlab's version and the git commit it was built from (for run-file provenance).
# It does not fail outside a git checkout: the commit is then "unknown".
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                OUTPUT_VARIABLE GENLAB_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET RESULT_VARIABLE _genlab_git_rc)
if(NOT _genlab_git_rc EQUAL 0 OR GENLAB_GIT_COMMIT STREQUAL "")
  set(GENLAB_GIT_COMMIT "unknown")
endif()
