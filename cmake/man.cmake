# Man pages: build/man/graphs.1 and graphs-CMD.1 for each command `graphs --help` lists,
# written by help2man from the --help texts at build time (cmake/man_pages.sh), installed
# under share/man/man1. Without help2man the build goes on without them.
find_program(HELP2MAN_EXECUTABLE help2man)
if(NOT HELP2MAN_EXECUTABLE)
  message(STATUS "help2man not found: no man pages (tools/setup.sh installs it)")
  return()
endif()
set(GRAPHS_MAN_DIR ${CMAKE_CURRENT_BINARY_DIR}/man)
add_custom_command(OUTPUT ${GRAPHS_MAN_DIR}/graphs.1
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cmake/man_pages.sh $<TARGET_FILE:graphs>
    ${HELP2MAN_EXECUTABLE} ${GRAPHS_MAN_DIR}
  DEPENDS graphs ${CMAKE_CURRENT_SOURCE_DIR}/cmake/man_pages.sh
    ${CMAKE_CURRENT_SOURCE_DIR}/cmake/help2man.awk
  COMMENT "man pages from graphs --help (help2man)")
add_custom_target(man ALL DEPENDS ${GRAPHS_MAN_DIR}/graphs.1)
install(DIRECTORY ${GRAPHS_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
  FILES_MATCHING PATTERN "*.1" PATTERN bin EXCLUDE)
