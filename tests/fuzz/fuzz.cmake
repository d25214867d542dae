# fuzz.cmake — libFuzzer targets (clang). Every tests/fuzz/fuzz_*.c becomes a target; the core
# library is built with coverage instrumentation by the YJ_FUZZ flags in CMakeLists.txt.
file(GLOB FUZZ_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_*.c)
# fuzz_env.c is the shared set-up the targets link, not a target of its own.
list(FILTER FUZZ_SRC EXCLUDE REGEX "/fuzz_env\\.c$")
add_custom_target(fuzz_targets)
foreach(src IN LISTS FUZZ_SRC)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src} ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_env.c)
  target_link_libraries(${name} PRIVATE yjcore)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  add_dependencies(fuzz_targets ${name})
endforeach()

# fuzz_request's dictionary and one seed per route, written from the route table at build time
# (routes_dict.c) into build-fuzz/fuzz-data/, so new routes are fuzzed without editing a list.
add_executable(routes_dict ${CMAKE_SOURCE_DIR}/tests/fuzz/routes_dict.c)
target_link_libraries(routes_dict PRIVATE yjcore)
set(FUZZ_DATA ${CMAKE_BINARY_DIR}/fuzz-data)
add_custom_command(OUTPUT ${FUZZ_DATA}/fuzz_request.dict
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${FUZZ_DATA}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${FUZZ_DATA}
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 $<TARGET_FILE:routes_dict> ${FUZZ_DATA}
  DEPENDS routes_dict VERBATIM)
add_custom_target(fuzz_request_dict DEPENDS ${FUZZ_DATA}/fuzz_request.dict)
add_dependencies(fuzz_targets fuzz_request_dict)
