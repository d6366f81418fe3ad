# Compiler flags shared by every target of the project (not exported).
add_library(mb_warnings INTERFACE)
target_compile_options(mb_warnings INTERFACE
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wvla $<$<BOOL:${MIGBUNDLE_WERROR}>:-Werror>)
if(MIGBUNDLE_SANITIZE)
    target_compile_options(mb_warnings INTERFACE
        -fsanitize=address,undefined -fno-sanitize-recover=all
        -fno-omit-frame-pointer)
    target_link_options(mb_warnings INTERFACE -fsanitize=address,undefined)
    # The sanitizer flags must reach the consumer-built executables too.
    add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
    add_link_options(-fsanitize=address,undefined)
endif()

# Apply C11 without extensions to a target.
function(mb_c11 target)
    set_target_properties(${target} PROPERTIES C_STANDARD 11
        C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
    target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:mb_warnings>)
    target_compile_definitions(${target} PRIVATE _POSIX_C_SOURCE=200809L)
endfunction()
