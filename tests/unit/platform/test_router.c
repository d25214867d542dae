/* test_router.c — the router answers with the most specific route whatever the table's order
 * (literal segments before parameters), and no route of the real table (every module's, src/cli/modules.c) can
 * shadow another: every route is reached by a path built from its own pattern, every pair that
 * shares paths is settled by the literal rule, and no pair is left to the table's order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/base.h"
#include "cli/modules.h"
#include "platform/http/http_int.h"

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

static int ok_handler(yj_req *r)
{
	(void)r;
	return 0;
}

#define R(m, p) {.method = m, .path = p, .fn = ok_handler, .summary = p}

/* A server holding only routes, enough for yj_route_match. */
static yj_server *server_of(const yj_route *const *tables, size_t ntables)
{
	yj_server *srv = yj_calloc(1, sizeof *srv);
	for (size_t t = 0; t < ntables; t++)
		for (const yj_route *rt = tables[t]; rt->method; rt++) {
			srv->routes = yj_realloc(srv->routes, (srv->nroutes + 1) * sizeof *srv->routes);
			srv->routes[srv->nroutes++] = rt;
		}
	yj_route_order(srv);
	return srv;
}

static void server_free(yj_server *srv)
{
	free(srv->routes);
	free(srv->order);
	free(srv);
}

/* The route answering method path, or NULL; *mismatch as the router sets it. The parameter
 * named pname (when not NULL) is copied into pval. */
static const yj_route *find(yj_server *srv, const char *method, const char *path, int *mismatch, const char *pname,
			    char *pval, size_t cap)
{
	yj_req r = {0};
	int mm = 0;
	r.method = method;
	r.path = (char *)path;
	const yj_route *rt = yj_route_match(srv, &r, &mm);
	if (mismatch)
		*mismatch = mm;
	for (int i = 0; i < r.nparams; i++) {
		if (pname && !strcmp(r.pnames[i], pname))
			snprintf(pval, cap, "%s", r.pvalues[i]);
		free(r.pnames[i]);
		free(r.pvalues[i]);
	}
	return rt;
}

/* The parameter route first, then the literal it would have hidden, then a deeper pair. */
static const yj_route param_first[] = {
	R("GET", "/x/{id}"),	     R("GET", "/x/new"),	 R("POST", "/x/new"),
	R("GET", "/x/{id}/items"), R("GET", "/x/{id}/items/{n}"), R("GET", "/x/{id}/items/latest"),
	R("GET", "/x/{id}.pdf"),
	{.method = NULL},
};
static const yj_route literal_first[] = {
	R("GET", "/x/{id}/items/latest"), R("GET", "/x/{id}/items/{n}"), R("GET", "/x/{id}/items"),
	R("POST", "/x/new"),		   R("GET", "/x/new"),		     R("GET", "/x/{id}"),
	R("GET", "/x/{id}.pdf"),
	{.method = NULL},
};

static void literal_before_parameter_in_any_order(void **state)
{
	(void)state;
	const yj_route *const orders[][1] = {{param_first}, {literal_first}};
	for (size_t o = 0; o < 2; o++) {
		yj_server *srv = server_of(orders[o], 1);
		char v[32] = "";
		int mm;
		const yj_route *rt = find(srv, "GET", "/x/new", &mm, NULL, NULL, 0);
		assert_non_null(rt);
		assert_string_equal(rt->path, "/x/new");
		rt = find(srv, "GET", "/x/42", &mm, "id", v, sizeof v);
		assert_string_equal(rt->path, "/x/{id}");
		assert_string_equal(v, "42");
		/* a parameter with a literal suffix takes its paths before the whole-segment one */
		rt = find(srv, "GET", "/x/42.pdf", &mm, "id", v, sizeof v);
		assert_string_equal(rt->path, "/x/{id}.pdf");
		assert_string_equal(v, "42");
		rt = find(srv, "GET", "/x/.pdf", &mm, "id", v, sizeof v); /* its value is never empty */
		assert_string_equal(rt->path, "/x/{id}");
		rt = find(srv, "GET", "/x/new/items/latest", &mm, "id", v, sizeof v);
		assert_string_equal(rt->path, "/x/{id}/items/latest");
		assert_string_equal(v, "new");
		rt = find(srv, "GET", "/x/7/items/3", &mm, "n", v, sizeof v);
		assert_string_equal(rt->path, "/x/{id}/items/{n}");
		assert_string_equal(v, "3");
		rt = find(srv, "HEAD", "/x/new", &mm, NULL, NULL, 0); /* HEAD is GET */
		assert_string_equal(rt->path, "/x/new");
		/* a known path with another method: no route, and the caller learns it is a 405 */
		assert_null(find(srv, "DELETE", "/x/new", &mm, NULL, NULL, 0));
		assert_int_equal(mm, 1);
		assert_null(find(srv, "GET", "/y", &mm, NULL, NULL, 0));
		assert_int_equal(mm, 0);
		assert_null(find(srv, "GET", "/x/", &mm, NULL, NULL, 0)); /* a parameter is never empty */
		server_free(srv);
	}
}

static void conflicts_are_named(void **state)
{
	(void)state;
	static const struct {
		yj_route a, b;
		int conflict;
	} cases[] = {
		{R("GET", "/x/{id}"), R("GET", "/x/{code}"), 1},
		{R("GET", "/x/{a}/c"), R("GET", "/x/b/{c}"), 1},
		{R("GET", "/x/{id}"), R("GET", "/x/new"), 0},
		{R("GET", "/x/new"), R("GET", "/x/{id}"), 0},
		{R("GET", "/x/{id}"), R("POST", "/x/{code}"), 0},
		{R("GET", "/x/{id}"), R("GET", "/x/{id}/items"), 0},
		{R("GET", "/x/{id}"), R("GET", "/y/{id}"), 0},
		{R("GET", "/x/a/{id}"), R("GET", "/x/{b}/{c}"), 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = yj_route_conflict(&cases[i].a, &cases[i].b);
		if (!!why != cases[i].conflict)
			fail_msg("%s vs %s: %s", cases[i].a.path, cases[i].b.path, why ? why : "no conflict");
		assert_int_equal(!!yj_route_conflict(&cases[i].b, &cases[i].a), cases[i].conflict);
	}
	assert_true(yj_route_overlap("/x/{id}", "/x/new"));
	assert_false(yj_route_overlap("/x/{id}", "/x/new/y"));
	assert_false(yj_route_overlap("/x/a", "/x/b"));
	assert_true(yj_route_cmp("/x/new", "/x/{id}") < 0);
	assert_true(yj_route_cmp("/x/{id}/new", "/x/{id}/{n}") < 0);
	assert_int_equal(yj_route_cmp("/x/{id}", "/x/{code}"), 0);
}

/* A path built from a pattern: each parameter becomes value (which no literal segment equals). */
static void sample_path(const char *pat, const char *value, char *out, size_t cap)
{
	size_t n = 0;
	while (*pat && n + 1 < cap) {
		if (*pat == '{') {
			const char *close = strchr(pat, '}');
			n += (size_t)snprintf(out + n, cap - n, "%s", value);
			pat = close ? close + 1 : pat + strlen(pat);
		} else {
			out[n++] = *pat++;
		}
	}
	out[n < cap ? n : cap - 1] = '\0';
}

/* A whole-segment parameter ("{id}"; "{id}.pdf" is a parameter with a literal suffix, more specific). */
static int whole_param(const char *seg, size_t len)
{
	return len > 2 && seg[0] == '{' && seg[len - 1] == '}';
}

/* The path both patterns take: a's segment where a's is not a whole parameter, else b's (each with
 * its parameters made a value). */
static void meet_path(const char *a, const char *b, char *out, size_t cap)
{
	size_t n = 0;
	while (*a == '/' && *b == '/' && n + 1 < cap) {
		a++, b++;
		size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
		const char *seg = whole_param(a, la) ? b : a;
		size_t len = whole_param(a, la) ? lb : la;
		char pat[256], val[256];
		snprintf(pat, sizeof pat, "%.*s", (int)len, seg);
		sample_path(pat, "0~", val, sizeof val);
		n += (size_t)snprintf(out + n, cap - n, "/%s", val);
		a += la, b += lb;
	}
}

/* Which of two overlapping patterns the literal rule picks, worked out here segment by segment
 * (not through yj_route_cmp): the one with the leftmost literal (or suffixed parameter) facing the
 * other's whole parameter. */
static const char *expected_winner(const char *a, const char *b)
{
	const char *pa = a, *pb = b;
	while (*pa == '/' && *pb == '/') {
		pa++, pb++;
		size_t la = strcspn(pa, "/"), lb = strcspn(pb, "/");
		if (whole_param(pa, la) != whole_param(pb, lb))
			return whole_param(pa, la) ? b : a;
		pa += la, pb += lb;
	}
	return NULL;
}

static void real_table_has_no_shadowed_route(void **state)
{
	(void)state;
	yj_server *srv = server_of(all_tables(), all_len());
	size_t n = srv->nroutes, overlapping = 0, literal_after_param = 0;
	assert_true(n > 50);
	for (size_t i = 0; i < n; i++) {
		const yj_route *a = srv->routes[i];
		char path[512];
		/* the route answers a path made from its own pattern */
		sample_path(a->path, "0~", path, sizeof path);
		const yj_route *got = find(srv, a->method, path, NULL, NULL, NULL, 0);
		if (got != a)
			fail_msg("%s %s is shadowed: %s goes to %s", a->method, a->path, path, got ? got->path : "nothing");
		for (size_t j = i + 1; j < n; j++) {
			const yj_route *b = srv->routes[j];
			const char *why = yj_route_conflict(a, b);
			if (why)
				fail_msg("%s %s and %s %s: %s", a->method, a->path, b->method, b->path, why);
			if (strcmp(a->method, b->method) || !yj_route_overlap(a->path, b->path))
				continue;
			/* a pair sharing paths: the path they share goes to the more specific route */
			overlapping++;
			const char *want = expected_winner(a->path, b->path);
			assert_non_null(want);
			literal_after_param += want == b->path;
			meet_path(a->path, b->path, path, sizeof path);
			got = find(srv, a->method, path, NULL, NULL, NULL, 0);
			if (!got || got->path != want)
				fail_msg("%s %s goes to %s, not %s", a->method, path, got ? got->path : "nothing", want);
		}
	}
	print_message("%zu routes, %zu pairs sharing paths (%zu with the literal later in the table)\n", n, overlapping,
		      literal_after_param);
	assert_true(overlapping > 0); /* the check above ran on something */
	server_free(srv);
}

/* Not a pass/fail test: the cost of one match over the real table, for the record. */
static void dispatch_cost(void **state)
{
	(void)state;
	yj_server *srv = server_of(all_tables(), all_len());
	char (*paths)[512] = yj_calloc(srv->nroutes, sizeof *paths);
	for (size_t i = 0; i < srv->nroutes; i++)
		sample_path(srv->routes[i]->path, "12345", paths[i], sizeof paths[i]);
	struct timespec t0, t1;
	size_t found = 0, reps = 20;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t k = 0; k < reps; k++)
		for (size_t i = 0; i < srv->nroutes; i++)
			found += find(srv, srv->routes[i]->method, paths[i], NULL, NULL, NULL, 0) != NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / (double)(reps * srv->nroutes);
	print_message("%.0f ns per match over %zu routes\n", ns, srv->nroutes);
	assert_int_equal(found, reps * srv->nroutes);
	free(paths);
	server_free(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literal_before_parameter_in_any_order),
		cmocka_unit_test(conflicts_are_named),
		cmocka_unit_test(real_table_has_no_shadowed_route),
		cmocka_unit_test(dispatch_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
