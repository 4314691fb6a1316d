# Scenario tests: tests/scenarios/*.yaml run by tests/scripts/run-scenario-test.sh
# in the modes their "# NTPS-TEST: modes" line names (default rt1 rt2 sim1 sim2);
# tests/scenarios/errors/*.yaml are loaded by `ntps scenario check`, which must
# report the error their "# NTPS-TEST: error" line names. The loader's fuzz
# driver runs for 20 s over every scenario as seeds. "# NTPS-TEST: modes none":
# a scenario that a test driver runs (tests/drivers/scn_*.c, args --scenario).

file(GLOB NTPS_SCENARIO_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/*.yaml)
set(NTPS_SCENARIO_RUNNER ${CMAKE_CURRENT_SOURCE_DIR}/scripts/run-scenario-test.sh)
foreach(src ${NTPS_SCENARIO_TESTS})
  get_filename_component(name ${src} NAME_WE)
  file(STRINGS ${src} modes_line REGEX "^# NTPS-TEST: modes ")
  file(STRINGS ${src} labels_line REGEX "^# NTPS-TEST: labels ")
  set(modes rt1 rt2 sim1 sim2)
  if(modes_line)
    string(REGEX REPLACE "^# NTPS-TEST: modes " "" modes "${modes_line}")
    separate_arguments(modes)
  endif()
  if(modes STREQUAL "none")     # run by a test driver (tests/drivers/scn_*.c), not alone
    set(modes "")
  endif()
  set(labels "")
  if(labels_line)
    string(REGEX REPLACE "^# NTPS-TEST: labels " "" labels "${labels_line}")
    separate_arguments(labels)
  endif()
  foreach(mode ${modes})
    add_test(NAME scn.${name}.${mode}
             COMMAND bash ${NTPS_SCENARIO_RUNNER} $<TARGET_FILE:ntps> ${src} ${mode} ${NTPS_TEST_DRIVER_DIR})
    set_tests_properties(scn.${name}.${mode} PROPERTIES LABELS "scenario;${mode};${labels}" TIMEOUT 180)
  endforeach()
endforeach()

file(GLOB NTPS_SCENARIO_ERRORS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/errors/*.yaml)
foreach(src ${NTPS_SCENARIO_ERRORS})
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME scn.error.${name} COMMAND bash ${NTPS_SCENARIO_RUNNER} $<TARGET_FILE:ntps> ${src} check none)
  set_tests_properties(scn.error.${name} PROPERTIES LABELS "scenario;unit" TIMEOUT 60)
endforeach()

add_test(NAME scn.fuzz_loader
         COMMAND scenario_fuzz --seconds 20 ${CMAKE_CURRENT_SOURCE_DIR}/scenarios
                 ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/errors ${CMAKE_SOURCE_DIR}/host/scenarios)
set_tests_properties(scn.fuzz_loader PROPERTIES LABELS "scenario;fuzz;unit" TIMEOUT 120)
