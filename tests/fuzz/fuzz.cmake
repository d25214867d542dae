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
