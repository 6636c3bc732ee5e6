# `cmake --build build --target docs`: the API reference (docs/Doxyfile) in build/docs/html,
# with the count of undocumented public functions printed. Not part of `all`.
find_program(DOXYGEN_EXECUTABLE doxygen)
if(NOT DOXYGEN_EXECUTABLE)
  message(STATUS "doxygen not found: no `docs` target (tools/setup.sh installs it)")
  return()
endif()
add_custom_target(docs
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cmake/doxygen.sh ${DOXYGEN_EXECUTABLE}
    ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/docs ${PROJECT_VERSION}
  COMMENT "API reference: build/docs/html (doxygen)" VERBATIM)
