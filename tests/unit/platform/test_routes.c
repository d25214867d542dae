/* test_routes.c — the route table is the API's documentation: every route must carry what
 * OpenAPI needs, and the generated document must list every route, so none is undocumented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli/modules.h"

/* The binary's route tables (cli/modules.h). */
static size_t all_len(void)
{
	size_t n;
	yj_all_routes(&n);
	return n;
}

static const yj_route *const *all_tables(void)
{
	size_t n;
	return yj_all_routes(&n);
}

static void every_route_is_described(void **state)
{
	for (size_t t = 0; t < all_len(); t++)
		for (const yj_route *rt = all_tables()[t]; rt->method; rt++) {
			print_message("%s %s\n", rt->method, rt->path);
			assert_non_null(rt->fn);
			assert_non_null(rt->summary);
			assert_true(strlen(rt->summary) > 5);
			assert_non_null(rt->tag);
			assert_non_null(rt->response);
			assert_true(rt->path[0] == '/');
			for (const yj_field *f = rt->body; f && f->name; f++)
				assert_non_null(f->desc);
			for (const yj_qparam *q = rt->query; q && q->name; q++)
				assert_non_null(q->desc);
		}
}

static void openapi_lists_every_route(void **state)
{
	json_t *doc = yj_openapi(all_tables(), all_len());
	json_t *paths = json_object_get(doc, "paths");
	size_t n = 0;
	for (size_t t = 0; t < all_len(); t++)
		for (const yj_route *rt = all_tables()[t]; rt->method; rt++, n++) {
			char m[16] = {0};
			for (size_t i = 0; rt->method[i] && i < 15; i++)
				m[i] = (char)(rt->method[i] | 0x20);
			json_t *op = json_object_get(json_object_get(paths, rt->path), m);
			assert_non_null(op);
			assert_string_equal(json_string_value(json_object_get(op, "summary")), rt->summary);
		}
	assert_true(n > 10);
	json_decref(doc);
}

static void no_two_routes_collide(void **state)
{
	for (size_t a = 0; a < all_len(); a++)
		for (const yj_route *x = all_tables()[a]; x->method; x++)
			for (size_t b = 0; b < all_len(); b++)
				for (const yj_route *y = all_tables()[b]; y->method; y++)
					if (x != y)
						assert_false(strcmp(x->method, y->method) == 0 && strcmp(x->path, y->path) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_route_is_described),
		cmocka_unit_test(openapi_lists_every_route),
		cmocka_unit_test(no_two_routes_collide),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
