# Compiler warnings and sanitizers shared by every genlab target (library, CLI, plugins, tests).
# It does not set optimisation flags: CMAKE_BUILD_TYPE (via the presets) does.
add_library(genlab_options INTERFACE)
target_compile_options(genlab_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
                       -Wno-unused-parameter $<$<BOOL:${GENLAB_WERROR}>:-Werror>)
if(GENLAB_SANITIZE)
  target_compile_options(genlab_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(genlab_options INTERFACE -fsanitize=address,undefined)
endif()
# ThreadSanitizer (the `tsan` preset: the thread pool and the executor's tests), and libFuzzer
# coverage for tests/fuzz (the `fuzz` preset, clang only; together with GENLAB_SANITIZE).
if(GENLAB_TSAN)
  target_compile_options(genlab_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(genlab_options INTERFACE -fsanitize=thread)
endif()
if(GENLAB_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "GENLAB_FUZZ needs clang (cmake --preset fuzz; libFuzzer is Debian's libclang-rt-14-dev)")
  endif()
  target_compile_options(genlab_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
