# The shared library, the version, and what `cmake --install build --prefix P` puts under P:
# lib/libgraphs.so.MAJOR (+ libgraphs.a), include/graphs/*.h, lib/pkgconfig/graphs.pc,
# lib/cmake/graphs/ (find_package(graphs)), bin/graphs, and the data under share/graphs.
# Everything installed is relocatable: the .pc file and the CMake config find the prefix from
# where they lie, and the library finds its data beside itself (src/core/version.c).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# One version number: project(VERSION) -> gr_version(), `graphs --version`, graphs.pc, the
# CMake package version and the SONAME.
set_source_files_properties(src/core/version.c PROPERTIES COMPILE_DEFINITIONS
  "GRAPHS_VERSION_MAJOR=${PROJECT_VERSION_MAJOR};GRAPHS_VERSION_MINOR=${PROJECT_VERSION_MINOR};GRAPHS_VERSION_PATCH=${PROJECT_VERSION_PATCH};GRAPHS_SOURCE_DATA_DIR=\"${GRAPHS_DATA_DIR}\";GRAPHS_INSTALL_DATA_DIR=\"${CMAKE_INSTALL_FULL_DATADIR}/graphs\"")

# libgraphs.so.MAJOR exports the public API only (the version script: cmake/exports.cmake), less
# bench.h (libgraphs-bench's, cmake/bench.cmake) plus the few internals libgraphs-bench calls.
string(REPLACE ";" "," GRAPHS_FRIEND_EXPORTS_CSV "${GRAPHS_FRIEND_EXPORTS}")
file(GLOB GRAPHS_PUBLIC_HEADERS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/include/graphs/*.h)
set(GRAPHS_MAP ${CMAKE_CURRENT_BINARY_DIR}/graphs.map)
add_custom_command(OUTPUT ${GRAPHS_MAP}
  COMMAND ${CMAKE_COMMAND} -DHEADERS_DIR=${CMAKE_CURRENT_SOURCE_DIR}/include/graphs
    -DSKIP=bench.h "-DEXTRA=${GRAPHS_FRIEND_EXPORTS_CSV}"
    -DOUT=${GRAPHS_MAP} -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/exports.cmake
  DEPENDS ${GRAPHS_PUBLIC_HEADERS} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/exports.cmake
  COMMENT "graphs.map: the exported symbols of libgraphs.so")
add_custom_target(graphs_map DEPENDS ${GRAPHS_MAP})
add_library(graphs_shared SHARED $<TARGET_OBJECTS:graphs_obj>)
add_dependencies(graphs_shared graphs_map)
set_target_properties(graphs_shared PROPERTIES OUTPUT_NAME graphs EXPORT_NAME graphs
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR} LINK_DEPENDS ${GRAPHS_MAP})
# --as-needed: no NEEDED entry for libpthread/libdl where libc has them (glibc 2.34+); the
# library NEEDs libyaml, libcjson, libm and libc only (tests/e2e/startup_deps.sh)
# -Bsymbolic-functions: the library's calls to its own exported functions bind inside it, not
# through the PLT (one indirect jump per gr_arena_alloc, per name lookup, on big graphs)
target_link_options(graphs_shared PRIVATE -Wl,--version-script=${GRAPHS_MAP} -Wl,--as-needed
  -Wl,-Bsymbolic-functions)
target_include_directories(graphs_shared PUBLIC
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(graphs_shared PRIVATE ${GRAPHS_LIB_DEPS})
set_target_properties(graphs_lib PROPERTIES EXPORT_NAME graphs_static)
target_include_directories(graphs_lib PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

install(TARGETS graphs_shared EXPORT graphsTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development)
install(TARGETS graphs_lib EXPORT graphsStaticTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# the CLI uses libgraphs.so (libgraphs-bench.so finds the same copy) wherever the prefix is moved
file(RELATIVE_PATH GRAPHS_BIN_TO_LIB "/r/${CMAKE_INSTALL_BINDIR}" "/r/${CMAKE_INSTALL_LIBDIR}")
set_target_properties(graphs PROPERTIES INSTALL_RPATH "$ORIGIN/${GRAPHS_BIN_TO_LIB}")
install(TARGETS graphs RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${GRAPHS_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/graphs)

# share/graphs: what gr_data_dir() looks for (hardware/ marks it)
set(GRAPHS_SHARE ${CMAKE_INSTALL_DATADIR}/graphs)
install(DIRECTORY hardware calibration models web DESTINATION ${GRAPHS_SHARE})
install(DIRECTORY data/published DESTINATION ${GRAPHS_SHARE}/data)
# a data file: graphs benchmark runs it as /usr/bin/python3 RUNNER (src/benchmarks/runner.c)
install(FILES tools/torch_runner.py DESTINATION ${GRAPHS_SHARE}/tools)

# pkg-config: prefix relative to the .pc file, so `--prefix P` at install time is honoured
file(RELATIVE_PATH GRAPHS_PC_UP "/r/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/r")
configure_file(cmake/graphs.pc.in ${CMAKE_CURRENT_BINARY_DIR}/graphs.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/graphs.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package: graphs::graphs (shared); graphs::graphs_static with COMPONENTS static
set(GRAPHS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/graphs)
install(EXPORT graphsTargets NAMESPACE graphs:: DESTINATION ${GRAPHS_CMAKE_DIR})
install(EXPORT graphsStaticTargets NAMESPACE graphs:: DESTINATION ${GRAPHS_CMAKE_DIR})
configure_package_config_file(cmake/graphsConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/graphsConfig.cmake INSTALL_DESTINATION ${GRAPHS_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/graphsConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/graphsConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/graphsConfigVersion.cmake DESTINATION ${GRAPHS_CMAKE_DIR})
