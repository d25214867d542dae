/* test_modules.c — the module list: every table a fresh database holds has exactly one owning module
 * (SQLite; the schema is the same on both engines), a list whose module comes before one it requires
 * or whose two modules claim one table is refused, and the route tables are gathered from the
 * descriptors. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli/modules.h"

static void every_table_has_one_owner(void **state)
{
	char dir[] = "/tmp/yj_modules_XXXXXX", *err = NULL;
	assert_non_null(mkdtemp(dir));
	char *url = yj_asprintf("sqlite:%s/m.db", dir);
	store *s = store_open(url, &err);
	assert_non_null(s);
	if (yj_migrate(s, &err) < 0)
		fail_msg("migrate: %s", err);
	store_stmt *st = store_prepare(store_conn_get(s), "SELECT name FROM sqlite_master WHERE type = 'table'"
							  " AND name NOT LIKE 'sqlite_%' ORDER BY name");
	assert_non_null(st);
	int n = 0;
	while (store_step(st) == ST_ROW) {
		const char *t = store_col_text(st, 0);
		if (!yj_module_owner(yj_modules, yj_modules_len, t))
			fail_msg("table %s has no owner among the modules", t);
		n++;
	}
	store_finalize(st);
	assert_true(n > 30);
	/* and the other way: every owned table exists */
	for (size_t i = 0; i < yj_modules_len; i++)
		for (const char *const *t = yj_modules[i]->tables; t && *t; t++) {
			int64_t c = 0;
			assert_int_equal(store_query_int64(store_conn_get(s),
							   "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
							   *t, &c),
					 ST_OK);
			if (c != 1)
				fail_msg("module %s owns %s, which no migration creates", yj_modules[i]->name, *t);
		}
	store_close(s);
	char *rm = yj_asprintf("rm -rf %s", dir);
	assert_int_equal(system(rm), 0);
	free(rm);
	free(url);
}

static void list_order_and_ownership_checked(void **state)
{
	char *err = NULL;
	assert_int_equal(yj_modules_check(yj_modules, yj_modules_len, &err), 0);
	/* inspection requires registry: listing it first is refused */
	const yj_module *wrong[] = {yj_modules[0], yj_modules[3], yj_modules[1]};
	assert_string_equal(yj_modules[3]->name, "inspection");
	assert_int_equal(yj_modules_check(wrong, 3, &err), -1);
	assert_non_null(strstr(err, "requires registry"));
	free(err);
	err = NULL;
	/* a second module claiming users */
	static const char *const tables[] = {"users", NULL};
	const yj_module thief = {.name = "thief", .tables = tables};
	const yj_module *two[] = {yj_modules[0], &thief};
	assert_int_equal(yj_modules_check(two, 2, &err), -1);
	assert_non_null(strstr(err, "users"));
	free(err);
}

static void routes_come_from_descriptors(void **state)
{
	size_t n = 0, want = 0;
	const yj_route *const *tables = yj_all_routes(&n);
	for (size_t i = 0; i < yj_modules_len; i++)
		for (const yj_route *const *r = yj_modules[i]->routes; r && *r; r++) {
			assert_true(want < n);
			assert_ptr_equal(tables[want], *r);
			want++;
		}
	assert_int_equal(n, want);
	assert_true(n >= 20);
	const yj_route *small[2];
	assert_int_equal(yj_modules_routes(yj_modules, yj_modules_len, small, 2), (size_t)-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_table_has_one_owner),
		cmocka_unit_test(list_order_and_ownership_checked),
		cmocka_unit_test(routes_come_from_descriptors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
