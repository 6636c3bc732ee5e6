# libgraphs-bench: the measuring half of graphs (src/benchmarks: the micro kernels on OpenBLAS
# and oneDNN with OpenMP, the SQLite measurement store, hwloc host topology). libgraphs loads it
# with dlopen only when a command measures, reads a .db or detects the host (src/core/benchlib.c),
# so `graphs --help`, `profile` and `estimate` start without BLAS and its thread pool
# (docs/architecture.md). Built as libgraphs-bench.so.MAJOR (NEEDED libgraphs.so.MAJOR) and
# libgraphs-bench.a, installed beside libgraphs.
include(GNUInstallDirs)
pkg_check_modules(HWLOC REQUIRED IMPORTED_TARGET hwloc)
pkg_check_modules(SQLITE REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
find_library(DNNL_LIBRARY dnnl REQUIRED)
find_package(OpenMP REQUIRED)

set(GRAPHS_BENCH_SONAME libgraphs-bench.so.${PROJECT_VERSION_MAJOR})
set_source_files_properties(src/core/benchlib.c PROPERTIES COMPILE_DEFINITIONS
  "GRAPHS_BENCH_SONAME=\"${GRAPHS_BENCH_SONAME}\"")
# Internal libgraphs functions the bench library calls (the store's CSV import and export):
# exported by libgraphs.so besides its API (cmake/install.cmake), declared in src/core only.
set(GRAPHS_FRIEND_EXPORTS gr_csv_split gr_csv_write_field gr_gt_models_header
  gr_gt_subgraphs_header gr_infile_open gr_pub_header gr_pub_parse)

file(GLOB GRAPHS_BENCH_SOURCES CONFIGURE_DEPENDS src/benchmarks/*.c)
set(GRAPHS_BENCH_DEPS PkgConfig::HWLOC PkgConfig::SQLITE PkgConfig::OPENBLAS ${DNNL_LIBRARY}
  OpenMP::OpenMP_C PkgConfig::CJSON m pthread)
add_library(graphs_bench_obj OBJECT ${GRAPHS_BENCH_SOURCES})
set_target_properties(graphs_bench_obj PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_include_directories(graphs_bench_obj PRIVATE include src)
target_link_libraries(graphs_bench_obj PRIVATE ${GRAPHS_BENCH_DEPS})

# static: libgraphs-bench.a, used with libgraphs.a (tests, static consumers)
add_library(graphs_bench_lib STATIC $<TARGET_OBJECTS:graphs_bench_obj>)
set_target_properties(graphs_bench_lib PROPERTIES OUTPUT_NAME graphs-bench
  EXPORT_NAME graphs_bench_static)
target_link_libraries(graphs_bench_lib PUBLIC graphs_lib ${GRAPHS_BENCH_DEPS})

# shared: exports the API of include/graphs/bench.h and the table libgraphs loads
set(GRAPHS_BENCH_MAP ${CMAKE_CURRENT_BINARY_DIR}/graphs-bench.map)
add_custom_command(OUTPUT ${GRAPHS_BENCH_MAP}
  COMMAND ${CMAKE_COMMAND} -DHEADERS_DIR=${CMAKE_CURRENT_SOURCE_DIR}/include/graphs
    -DONLY=bench.h -DEXTRA=gr_benchlib_entry -DOUT=${GRAPHS_BENCH_MAP}
    -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/exports.cmake
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/include/graphs/bench.h
    ${CMAKE_CURRENT_SOURCE_DIR}/cmake/exports.cmake
  COMMENT "graphs-bench.map: the exported symbols of libgraphs-bench.so")
add_custom_target(graphs_bench_map DEPENDS ${GRAPHS_BENCH_MAP})
add_library(graphs_bench_shared SHARED $<TARGET_OBJECTS:graphs_bench_obj>)
add_dependencies(graphs_bench_shared graphs_bench_map)
set_target_properties(graphs_bench_shared PROPERTIES OUTPUT_NAME graphs-bench
  EXPORT_NAME graphs_bench VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
  LINK_DEPENDS ${GRAPHS_BENCH_MAP} INSTALL_RPATH "$ORIGIN")
target_link_options(graphs_bench_shared PRIVATE -Wl,--version-script=${GRAPHS_BENCH_MAP}
  -Wl,--no-undefined)
target_include_directories(graphs_bench_shared PUBLIC
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(graphs_bench_shared PUBLIC graphs_shared PRIVATE ${GRAPHS_BENCH_DEPS})
# whoever runs the CLI from the build tree may run `graphs benchmark`: build the library with it
add_dependencies(graphs graphs_bench_shared)

install(TARGETS graphs_bench_shared EXPORT graphsTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development)
install(TARGETS graphs_bench_lib EXPORT graphsStaticTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
file(RELATIVE_PATH GRAPHS_PC_UP "/r/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/r")
configure_file(cmake/graphs-bench.pc.in ${CMAKE_CURRENT_BINARY_DIR}/graphs-bench.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/graphs-bench.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
