# Test drivers: tests/drivers/*.c(pp), each built with `ntps cc` and run by
# tests/scripts/run-driver-test.sh in the modes its "// NTPS-TEST: modes"
# line names (default: rt1 rt2 sim1 sim2).

file(GLOB NTPS_DRIVER_TESTS CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/drivers/*.c ${CMAKE_CURRENT_SOURCE_DIR}/drivers/*.cpp)
file(GLOB_RECURSE NTPS_PUBLIC_HEADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/include/*.h)
set(NTPS_DRIVER_RUNNER ${CMAKE_CURRENT_SOURCE_DIR}/scripts/run-driver-test.sh)
set(NTPS_TEST_DRIVER_DIR ${CMAKE_CURRENT_BINARY_DIR}/drivers)
file(MAKE_DIRECTORY ${NTPS_TEST_DRIVER_DIR})

set(NTPS_ALL_TEST_DRIVERS "")
foreach(src ${NTPS_DRIVER_TESTS})
  get_filename_component(name ${src} NAME_WE)
  file(STRINGS ${src} modes_line REGEX "^// NTPS-TEST: modes ")
  file(STRINGS ${src} cc_line REGEX "^// NTPS-TEST: cc ")
  file(STRINGS ${src} labels_line REGEX "^// NTPS-TEST: labels ")
  file(STRINGS ${src} sources_line REGEX "^// NTPS-TEST: sources ")
  set(labels "")
  if(labels_line)
    string(REGEX REPLACE "^// NTPS-TEST: labels " "" labels "${labels_line}")
    separate_arguments(labels)
  endif()
  set(modes rt1 rt2 sim1 sim2)
  if(modes_line)
    string(REGEX REPLACE "^// NTPS-TEST: modes " "" modes "${modes_line}")
    separate_arguments(modes)
    list(REMOVE_ITEM modes none)    # "modes none": built, not run
  endif()
  set(ccargs "")
  if(cc_line)
    string(REGEX REPLACE "^// NTPS-TEST: cc " "" ccargs "${cc_line}")
    separate_arguments(ccargs)
  endif()
  # More sources of the same driver, below tests/drivers/ (parts/ is not globbed).
  set(sources "")
  if(sources_line)
    string(REGEX REPLACE "^// NTPS-TEST: sources " "" sources_rel "${sources_line}")
    separate_arguments(sources_rel)
    foreach(part ${sources_rel})
      list(APPEND sources ${CMAKE_CURRENT_SOURCE_DIR}/drivers/${part})
    endforeach()
  endif()
  set(so ${NTPS_TEST_DRIVER_DIR}/${name}.so)
  add_custom_command(OUTPUT ${so}
    COMMAND $<TARGET_FILE:ntps> cc ${ccargs} -Wall -Wextra -Werror -Wno-unused-function
            -I${CMAKE_CURRENT_SOURCE_DIR}/include -o ${so} ${src} ${sources}
    DEPENDS ${src} ${sources} ntps ${NTPS_PLUGIN_DEP} ${NTPS_PUBLIC_HEADERS} ${CMAKE_CURRENT_SOURCE_DIR}/include/ktest.h
    COMMENT "ntps cc ${name}"
    VERBATIM)
  list(APPEND NTPS_ALL_TEST_DRIVERS ${so})
  foreach(mode ${modes})
    add_test(NAME drv.${name}.${mode}
             COMMAND bash ${NTPS_DRIVER_RUNNER} $<TARGET_FILE:ntps> ${so} ${mode} ${src})
    set_tests_properties(drv.${name}.${mode} PROPERTIES LABELS "driver;${mode};${labels}" TIMEOUT 180)
  endforeach()
endforeach()
# User-mode clients: tests/user/*.c(pp), built with `ntps cc --user` into
# NAME.exe.so beside the test drivers; a driver test runs one with
# "// NTPS-TEST: args --user @DRIVERDIR@/NAME.exe.so".
file(GLOB NTPS_USER_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/user/*.c ${CMAKE_CURRENT_SOURCE_DIR}/user/*.cpp)
foreach(src ${NTPS_USER_TESTS})
  get_filename_component(name ${src} NAME_WE)
  set(exe ${NTPS_TEST_DRIVER_DIR}/${name}.exe.so)
  add_custom_command(OUTPUT ${exe}
    COMMAND $<TARGET_FILE:ntps> cc --user -Wall -Wextra -Werror -o ${exe} ${src}
    DEPENDS ${src} ntps ntps_win32 ${NTPS_PLUGIN_DEP} ${NTPS_PUBLIC_HEADERS}
    COMMENT "ntps cc --user ${name}"
    VERBATIM)
  list(APPEND NTPS_ALL_TEST_DRIVERS ${exe})
endforeach()
add_custom_target(test_drivers ALL DEPENDS ${NTPS_ALL_TEST_DRIVERS})

# Script tests: tests/scripts/test_*.sh get the build directory as $1.
file(GLOB NTPS_SCRIPT_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/scripts/test_*.sh)
foreach(script ${NTPS_SCRIPT_TESTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME script.${name} COMMAND bash ${script} ${CMAKE_BINARY_DIR} ${NTPS_TEST_DRIVER_DIR})
  set(script_labels "script")
  set_tests_properties(script.${name} PROPERTIES LABELS "${script_labels}" TIMEOUT 300)
endforeach()
