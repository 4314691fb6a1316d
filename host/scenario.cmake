# Scenarios (host/scn*.c, docs/scenarios.md): libyaml, the name tables
# generated from the headers, the default scenario built into the kernel
# library (host/scndefault.S), and the loader's fuzz driver.

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(NTPS_YAML QUIET yaml-0.1)
endif()
if(NOT NTPS_YAML_FOUND)
  find_library(NTPS_YAML_LIBRARIES yaml)
  find_path(NTPS_YAML_INCLUDE_DIRS yaml.h)
  if(NOT NTPS_YAML_LIBRARIES OR NOT NTPS_YAML_INCLUDE_DIRS)
    message(FATAL_ERROR "libyaml not found: apt-get install libyaml-dev (scripts/setup-debian.sh does)")
  endif()
endif()

# NTSTATUS names from include/ntstatus.h, information classes from
# include/ddk/pscallbacks.h: the scenario loader's tables.
set(NTPS_GENERATED ${CMAKE_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${NTPS_GENERATED})
function(ntps_generate_names header regex out)
  file(STRINGS ${header} lines REGEX "${regex}")
  set(text "/* generated from ${header} by host/scenario.cmake */\n")
  foreach(line ${lines})
    string(REGEX REPLACE "${regex}" "    { \"\\1\", \\2 }," entry "${line}")
    string(APPEND text "${entry}\n")
  endforeach()
  file(CONFIGURE OUTPUT ${out} CONTENT "${text}" @ONLY)
endfunction()
ntps_generate_names(${CMAKE_SOURCE_DIR}/include/ntstatus.h
  "^#define (STATUS_[A-Z0-9_]+) +\\(\\(NTSTATUS\\)(0x[0-9A-Fa-f]+)L?\\).*" ${NTPS_GENERATED}/scnstatus.inc)
ntps_generate_names(${CMAKE_SOURCE_DIR}/include/ddk/pscallbacks.h
  "^ +(Process[A-Za-z0-9]+) = ([0-9]+),?.*" ${NTPS_GENERATED}/scnprocessclass.inc)
ntps_generate_names(${CMAKE_SOURCE_DIR}/include/ddk/pscallbacks.h
  "^ +(Thread[A-Za-z0-9]+) = ([0-9]+),?.*" ${NTPS_GENERATED}/scnthreadclass.inc)

target_include_directories(ntoskrnl PRIVATE ${NTPS_GENERATED} ${NTPS_YAML_INCLUDE_DIRS})
target_link_libraries(ntoskrnl PUBLIC ${NTPS_YAML_LIBRARIES})
set_source_files_properties(${CMAKE_SOURCE_DIR}/host/scndefault.S PROPERTIES
  OBJECT_DEPENDS ${CMAKE_SOURCE_DIR}/host/scenarios/default.yaml
  COMPILE_OPTIONS "-Wa,-I${CMAKE_SOURCE_DIR}")

# The loader's fuzz driver: the loader alone (no kernel), seeds from
# tests/scenarios and host/scenarios; tests/CMakeLists.txt runs it.
set(NTPS_SCENARIO_LOADER_SOURCES ${CMAKE_SOURCE_DIR}/host/scnyaml.c ${CMAKE_SOURCE_DIR}/host/scnload.c
    ${CMAKE_SOURCE_DIR}/host/scnaction.c ${CMAKE_SOURCE_DIR}/host/scndevload.c ${CMAKE_SOURCE_DIR}/host/scnregload.c
    ${CMAKE_SOURCE_DIR}/host/scnuserload.c ${CMAKE_SOURCE_DIR}/host/scnnames.c)
add_executable(scenario_fuzz ${CMAKE_SOURCE_DIR}/tests/fuzz/scenario_fuzz.c ${NTPS_SCENARIO_LOADER_SOURCES})
target_include_directories(scenario_fuzz PRIVATE ${CMAKE_SOURCE_DIR} ${NTPS_GENERATED} ${NTPS_YAML_INCLUDE_DIRS})
target_compile_options(scenario_fuzz PRIVATE ${NTPS_WARN} ${NTPS_SAN_FLAGS})
target_compile_definitions(scenario_fuzz PRIVATE _GNU_SOURCE)
target_link_options(scenario_fuzz PRIVATE ${NTPS_SAN_FLAGS})
target_link_libraries(scenario_fuzz PRIVATE ${NTPS_YAML_LIBRARIES})

# With clang: the same target under libFuzzer (not built by default):
#   cmake --build build --target scenario_libfuzzer
#   build/scenario_libfuzzer -max_total_time=60 CORPUS_DIR tests/scenarios
find_program(NTPS_CLANG clang)
if(NTPS_CLANG)
  add_custom_target(scenario_libfuzzer
    COMMAND ${NTPS_CLANG} -g -O1 -fsanitize=fuzzer,address,undefined -DNTPS_LIBFUZZER -D_GNU_SOURCE
            -I${CMAKE_SOURCE_DIR} -I${NTPS_GENERATED} ${CMAKE_SOURCE_DIR}/tests/fuzz/scenario_fuzz.c
            ${NTPS_SCENARIO_LOADER_SOURCES} -lyaml -o ${CMAKE_BINARY_DIR}/scenario_libfuzzer
    COMMENT "clang -fsanitize=fuzzer: scenario_libfuzzer"
    VERBATIM)
endif()
