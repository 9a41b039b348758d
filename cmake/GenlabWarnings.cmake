# Compiler warnings and sanitizers shared by every genlab target (library, CLI, plugins, tests).
# It does not set optimisation flags: CMAKE_BUILD_TYPE (via the presets) does.
add_library(genlab_options INTERFACE)
target_compile_options(genlab_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
                       -Wno-unused-parameter $<$<BOOL:${GENLAB_WERROR}>:-Werror>)
if(GENLAB_SANITIZE)
  target_compile_options(genlab_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(genlab_options INTERFACE -fsanitize=address,undefined)
endif()
