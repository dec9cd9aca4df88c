# `cmake --install`: the libraries, their headers, the zsim tool and a CMake
# package config, so that another project does
#
#   find_package(zsim REQUIRED)
#   target_link_libraries(my_test PRIVATE zsim::testing)
#
# (docs/testing-recipes.md; docs/examples/my-recipe/ is such a project, built
# in CI by tools/check-example.sh). The build's warning and sanitizer flags
# stay in the build (zsim_flags is a BUILD_INTERFACE dependency): a user's
# code compiles with the user's flags.
include(CMakePackageConfigHelpers)

set(ZSIM_PACKAGE_LIBRARIES zsim_io zsim_sim zsim_core zsim_checkers zsim_scenarios zsim_testing)
foreach(lib IN LISTS ZSIM_PACKAGE_LIBRARIES)
  if(NOT lib STREQUAL "zsim_testing")
    string(REPLACE "zsim_" "" export_name ${lib})
    set_target_properties(${lib} PROPERTIES EXPORT_NAME ${export_name})
  endif()
endforeach()

install(TARGETS ${ZSIM_PACKAGE_LIBRARIES} EXPORT zsimTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS zsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Every header of the libraries, at its path in the tree.
foreach(dir core sim checkers scenarios)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${ZSIM_INSTALL_INCLUDEDIR}/${dir}
    FILES_MATCHING PATTERN "*.h"
    PATTERN "testing/include" EXCLUDE)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/scenarios/testing/include/zsim/testing.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/zsim)

set(ZSIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/zsim)
install(EXPORT zsimTargets NAMESPACE zsim:: DESTINATION ${ZSIM_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/zsimConfig.cmake.in
  ${PROJECT_BINARY_DIR}/zsimConfig.cmake INSTALL_DESTINATION ${ZSIM_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/zsimConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/zsimConfig.cmake ${PROJECT_BINARY_DIR}/zsimConfigVersion.cmake
  DESTINATION ${ZSIM_CMAKE_DIR})
