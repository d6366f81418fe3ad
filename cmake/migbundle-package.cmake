# migbundle-package.cmake -- CPack settings: a Debian package.
#
#   cmake --build build && (cd build && cpack -G DEB)
#
# gives migbundle_<version>_<arch>.deb with what `cmake --install` installs
# under /usr: bin/migbundle, the runtime's static libraries, its headers,
# the CMake package (lib/cmake/migbundle) and the man pages. The package is
# for building applications: besides the shared libraries, it depends on
# the -dev packages, pkg-config and cmake that find_package(migbundle) and
# migbundle_add_executable() need in a consumer build.
# tests/cli/deb_package.sh builds the package, unpacks it into a scratch
# root and builds samples/consumer against it.
#
# Included at the end of the top-level CMakeLists.txt.
set(MIGBUNDLE_DEB_MAINTAINER "migbundle maintainers <maintainers@migbundle.invalid>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME migbundle)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${MIGBUNDLE_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "bundle SQL revision files into one self-contained migration executable")
set(CPACK_PACKAGE_DESCRIPTION
"migbundle reads a directory of SQL revision files (Alembic-style headers),
checks them and their revision graph, hashes and compresses each file and
writes a C source. Linked with the migbundle runtime, that source becomes
one executable that applies, rolls back and verifies the revisions on
PostgreSQL or SQLite. This package holds the bundler, the runtime's static
libraries and headers, the CMake package (find_package(migbundle),
migbundle_add_executable()) and the manual pages.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES OFF)

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MIGBUNDLE_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Explicit, so that the package is the same whichever tools the build host
# has: the shared libraries that migbundle and every program linked with
# the runtime load (dpkg-shlibdeps finds only libc6, zlib1g, libxxhash0
# and libssl3 in migbundle itself; tests/cli/deb_package.sh checks that
# its list stays covered), then what a consumer build needs: the headers and pkg-config
# files of those libraries, pkg-config and cmake.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6 (>= 2.34), libsqlite3-0, zlib1g, libxxhash0, libpq5, libssl3, libsqlite3-dev, zlib1g-dev, libxxhash-dev, libpq-dev, libssl-dev, pkg-config, cmake (>= 3.20)")
if(MIGBUNDLE_STATIC)
    # static executables link Debian's libssl.a and libcrypto.a (from
    # libssl-dev, above) and libc.a (libc6-dev) with the libpq archives
    # the package carries
    string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libc6-dev")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gcc | c-compiler")

include(CPack)
