# A Debian package of what `cmake --install` puts under a prefix, installed under /usr:
#   cmake --build build --target package     (or: cd build && cpack -G DEB)
# gives build/graphs_VERSION_ARCH.deb. Depends is what dpkg-shlibdeps (dpkg-dev) reads off the
# CLI's and libgraphs.so's ELF dependencies; the data under /usr/share/graphs is found beside
# /usr/bin/graphs and the library (gr_data_dir, docs/install.md). tests/e2e/deb.sh builds and checks it.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME graphs)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(GRAPHS_DEB_MAINTAINER "graphs maintainers <graphs@example.org>" CACHE STRING
  "Maintainer field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${GRAPHS_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "latency, energy and memory estimates of neural networks on hardware")
# the synopsis is the summary; this is the long description under it
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "graphs reads ONNX, TFLite and PyTorch FX models and estimates their latency,
energy and peak memory on GPUs, CPUs, TPUs and NPUs described in a YAML
registry, with a confidence level. This package holds the CLI, libgraphs
(shared and static), its headers, pkg-config and CMake files, the manual
pages, the hardware registry, calibration profiles and the model zoo.")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# shlibs for libgraphs.so.0; ldconfig runs from a trigger, not from maintainer scripts (CPack
# writes postinst and postrm calling it unless the package brings its own: these do nothing)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_LIST_DIR}/deb/triggers
  ${CMAKE_CURRENT_LIST_DIR}/deb/postinst ${CMAKE_CURRENT_LIST_DIR}/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# building against libgraphs.a or through pkg-config needs the dependencies' -dev packages;
# tools/torch_runner.py (graphs benchmark) needs torch
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
  "pkg-config, libyaml-dev, libcjson-dev, libhwloc-dev, libsqlite3-dev, libopenblas-dev, libdnnl-dev, python3-torch, python3-torchvision")
# RelWithDebInfo binaries are ten times their stripped size
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/deb/gzip_man.cmake)
include(CPack)
