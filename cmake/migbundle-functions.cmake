# migbundle-functions.cmake -- migbundle_add_executable() for CMake users.
#
#   migbundle_add_executable(<target> MIGRATIONS <dir>
#                            [NAME <name>] [DEFAULT_DB <url>]
#                            [SIGN_KEY <key.pem>] [DYNAMIC])
#
# Adds the executable <target>: the revision files under <dir> bundled by
# `migbundle build` into <target>_bundle.c in the current binary directory,
# linked fully statically with migbundle::main_static and
# migbundle::runtime_static (one file that runs alone, e.g. FROM scratch).
# DYNAMIC links migbundle::main and migbundle::runtime against the shared
# libpq, SQLite, zlib and libxxhash instead; so does a migbundle built
# without MIGBUNDLE_STATIC, which has no static runtime (a message says so). A relative <dir> is
# taken from the current source directory. NAME (default: <target>) is the
# program name recorded in the bundle; DEFAULT_DB the database URL used
# when neither --db nor DATABASE_URL is given. SIGN_KEY signs the release
# with that Ed25519 private key (`migbundle build --sign`; a relative path
# is taken from the current source directory, and editing the key file
# rebuilds the bundle). Keep the key out of the source tree: a release
# job passes its path, e.g. -DRELEASE_KEY=/run/secrets/release-key.pem.
#
# The bundle is regenerated whenever a revision file is edited, added or
# deleted: `migbundle build --depfile` lists every file and directory it
# read, and directories change mtime when entries come and go.
#
# The bundler is migbundle::migbundle (the installed tool, or the in-tree
# target). Set MIGBUNDLE_EXECUTABLE to use another one, e.g. a host build
# when cross-compiling.
#
# On ELF targets the executable is linked with migbundle-payload.ld (beside
# this file), which puts the compressed revisions last in the file, so that
# an executable cut short is reported (exit 3) rather than dying before
# main().
#
# Included by migbundle-config.cmake, and by migbundle's own CMakeLists.txt.
include_guard(GLOBAL)
set(_MIGBUNDLE_PAYLOAD_LD "${CMAKE_CURRENT_LIST_DIR}/migbundle-payload.ld")

function(migbundle_add_executable target)
    cmake_parse_arguments(PARSE_ARGV 1 arg "DYNAMIC"
        "MIGRATIONS;NAME;DEFAULT_DB;SIGN_KEY" "")
    if(arg_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "migbundle_add_executable(${target}): unknown "
            "arguments: ${arg_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT arg_MIGRATIONS)
        message(FATAL_ERROR "migbundle_add_executable(${target}): "
            "MIGRATIONS <dir> is required")
    endif()
    get_filename_component(_dir "${arg_MIGRATIONS}" ABSOLUTE
        BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT IS_DIRECTORY "${_dir}")
        message(FATAL_ERROR "migbundle_add_executable(${target}): "
            "MIGRATIONS \"${_dir}\" is not a directory")
    endif()
    if(NOT DEFINED arg_NAME)
        set(arg_NAME "${target}")
    endif()

    if(MIGBUNDLE_EXECUTABLE)
        set(_tool "${MIGBUNDLE_EXECUTABLE}")
    else()
        set(_tool migbundle::migbundle)
    endif()
    set(_out "${CMAKE_CURRENT_BINARY_DIR}/${target}_bundle.c")
    set(_args build "${_dir}" -o "${_out}" --depfile "${_out}.d"
        "--name=${arg_NAME}")
    if(DEFINED arg_DEFAULT_DB)
        list(APPEND _args "--default-db=${arg_DEFAULT_DB}")
    endif()
    set(_deps ${_tool})
    if(arg_SIGN_KEY)
        get_filename_component(_key "${arg_SIGN_KEY}" ABSOLUTE
            BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
        list(APPEND _args "--sign=${_key}")
        list(APPEND _deps "${_key}")
    endif()

    add_custom_command(
        OUTPUT "${_out}"
        COMMAND ${_tool} ${_args}
        DEPENDS ${_deps}
        DEPFILE "${_out}.d"
        COMMENT "Bundling the revisions in ${_dir} for ${target}"
        VERBATIM)
    add_executable(${target} "${_out}")
    # The same revisions give the same executable wherever the build tree
    # is: the bundle's path in the debug information and in __FILE__ is
    # written relative to it (GCC 8, Clang 10).
    if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE
            "-ffile-prefix-map=${CMAKE_CURRENT_BINARY_DIR}=.")
    endif()
    if(CMAKE_EXECUTABLE_FORMAT STREQUAL "ELF" AND
       CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
        target_link_options(${target} PRIVATE
            "LINKER:-T,${_MIGBUNDLE_PAYLOAD_LD}")
        set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
            "${_MIGBUNDLE_PAYLOAD_LD}")
    endif()
    if(NOT arg_DYNAMIC AND NOT TARGET migbundle::runtime_static)
        message(STATUS "migbundle_add_executable(${target}): this migbundle "
            "has no static runtime (built without MIGBUNDLE_STATIC); "
            "linking dynamically")
        set(arg_DYNAMIC ON)
    endif()
    if(arg_DYNAMIC)
        target_link_libraries(${target} PRIVATE migbundle::main
            migbundle::runtime)
    else()
        target_link_libraries(${target} PRIVATE migbundle::main_static
            migbundle::runtime_static)
        target_link_options(${target} PRIVATE -static -Wl,--gc-sections)
    endif()
endfunction()
