# tests.cmake — unit tests (cmocka), one executable per file under tests/unit/<capability>/.
# API, browser and fuzz suites are driven by scripts/check, which starts the servers they need.
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
file(GLOB_RECURSE UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/*.c)
foreach(src IN LISTS UNIT_TESTS)
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE yjcore PkgConfig::CMOCKA)
  add_test(NAME unit.${name} COMMAND ${name})
  # Tests that touch a database honour YJ_TEST_DB (set by scripts/check to a PostgreSQL URL in the
  # second pass); without it they use a temporary SQLite file.
  set_tests_properties(unit.${name} PROPERTIES LABELS unit TIMEOUT 300)
endforeach()

# The power-cut shim tests/api/durability.test.mjs preloads into `yijian serve` (see powercut.c);
# built next to the yijian binary, without sanitizers so it also loads into the ASan build.
add_library(yj_powercut MODULE ${CMAKE_SOURCE_DIR}/tests/api/powercut.c)
target_compile_options(yj_powercut PRIVATE -fno-sanitize=all)
target_link_options(yj_powercut PRIVATE -fno-sanitize=all)
target_link_libraries(yj_powercut PRIVATE Threads::Threads ${CMAKE_DL_LIBS})
set_target_properties(yj_powercut PROPERTIES PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# A database made before migrations were kept per module (tests/data/pre-modules/) opens, migrates
# and keeps every row; on PostgreSQL when YJ_TEST_DB is set, like the unit tests.
add_test(NAME upgrade.pre_modules COMMAND sh ${CMAKE_SOURCE_DIR}/tests/upgrade/test_upgrade.sh $<TARGET_FILE:yijian>)
set_tests_properties(upgrade.pre_modules PROPERTIES LABELS unit TIMEOUT 300)

# Table ownership (docs/development.md): the tree passes scripts/check-ownership.mjs, and planted
# violations in a copy of the tree fail it.
add_test(NAME ownership.check COMMAND sh ${CMAKE_SOURCE_DIR}/tests/ownership/test_ownership.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(ownership.check PROPERTIES LABELS unit TIMEOUT 120)

# GET routes read the replica under serve --db-read: none may write outside a transaction
# (scripts/check-get-writes.mjs passes on the tree; planted writes in a copy fail it).
add_test(NAME replica.get_writes COMMAND sh ${CMAKE_SOURCE_DIR}/tests/replica/test_get_writes.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(replica.get_writes PROPERTIES LABELS unit TIMEOUT 120)

# The summary of make bench: bench/result.mjs's bench-result lines (ratio, met) and bench/summary.mjs's table, its
# not-measured rows and its JSON (docs/benchmarks.md, "The summary of make bench").
add_test(NAME bench.summary COMMAND sh ${CMAKE_SOURCE_DIR}/tests/bench/test_summary.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(bench.summary PROPERTIES LABELS unit TIMEOUT 60)

# bench/run_ab's table: each run's search beside the control the change cannot move, ABBA order, means and new ÷ old
# (docs/benchmarks.md, "Issue 15: the search's saturation after the numeric grams").
add_test(NAME bench.run_ab COMMAND sh ${CMAKE_SOURCE_DIR}/tests/bench/test_run_ab.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(bench.run_ab PROPERTIES LABELS unit TIMEOUT 60)
