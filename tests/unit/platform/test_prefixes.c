/* test_prefixes.c — a module's path prefix and its error writer: a problem reply under the prefix
 * goes out through the writer (the longest matching prefix wins), under any other path as
 * problem+json; and the binary's own modules give /fhir/ and /open311/ their formats. No store. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "cli/modules.h"

/* Each writer answers "<name> <status> <title>|<detail>|<number of errors>". */
static int writer(yj_req *r, const char *name, int status, const char *title, const char *detail, json_t *errors)
{
	char *s = yj_asprintf("%s %d %s|%s|%zu", name, status, title, detail, json_array_size(errors));
	json_decref(errors);
	return yj_reply_take(r, status, "text/plain; charset=utf-8", s, strlen(s));
}
static int writer_a(yj_req *r, int status, const char *title, const char *detail, json_t *errors)
{
	return writer(r, "A", status, title, detail, errors);
}
static int writer_b(yj_req *r, int status, const char *title, const char *detail, json_t *errors)
{
	return writer(r, "B", status, title, detail, errors);
}

static int refuse(yj_req *r)
{
	json_t *errors = json_array();
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "name", "detail", "必填"));
	json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "code", "detail", "应为 6 位数字"));
	return yj_reply_problem_errors(r, 400, "validation", "参数错误", "请修改后重试。", errors);
}

static const yj_route routes[] = {
	{"GET", "/x/fail", refuse, ROLE_PUBLIC, NULL, NULL, "t", "x", "-", 0},
	{"GET", "/x/deep/fail", refuse, ROLE_PUBLIC, NULL, NULL, "t", "x deep", "-", 0},
	{"GET", "/x/deeper/fail", refuse, ROLE_PUBLIC, NULL, NULL, "t", "x deeper", "-", 0},
	{"GET", "/plain/fail", refuse, ROLE_PUBLIC, NULL, NULL, "t", "plain", "-", 0},
	{"GET", "/api/fail", refuse, ROLE_PUBLIC, NULL, NULL, "t", "api", "-", 0},
	{"GET", "/xfail", refuse, ROLE_PUBLIC, NULL, NULL, "t", "no slash", "-", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};

static yj_server *server(void)
{
	static const yj_route *const tables[] = {routes};
	yj_http_config cfg = {0};
	return yj_server_new(&cfg, NULL, tables, 1, NULL, "/nonexistent");
}

static int get(yj_server *srv, const char *url, char **body)
{
	*body = NULL;
	return yj_server_dispatch(srv, "GET", url, NULL, NULL, 0, body);
}

/* The body is problem+json of the given status (type, status and instance as the platform writes). */
static void assert_problem(const char *body, int status, const char *path)
{
	json_t *p = json_loads(body, 0, NULL);
	if (!p)
		fail_msg("not JSON: %s", body);
	assert_int_equal(json_integer_value(json_object_get(p, "status")), status);
	assert_non_null(strstr(json_string_value(json_object_get(p, "type")), "urn:yijian:problem:"));
	assert_string_equal(json_string_value(json_object_get(p, "instance")), path);
	json_decref(p);
}

static void writer_for_its_prefix_only(void **state)
{
	(void)state;
	static const yj_path_prefix a_prefixes[] = {{"/x/", writer_a}, {NULL, NULL}};
	static const yj_path_prefix b_prefixes[] = {{"/x/deep/", writer_b}, {"/plain/", NULL}, {NULL, NULL}};
	const yj_module a = {.name = "a", .prefixes = a_prefixes}, b = {.name = "b", .prefixes = b_prefixes};
	const yj_module *mods[] = {yj_modules[0], &b, &a}; /* the list order decides nothing */
	yj_server *srv = server();
	yj_modules_set_prefixes(srv, mods, 3);
	char *body;

	/* under /x/: module a's writer, with the title, detail and per-field errors */
	assert_int_equal(get(srv, "/x/fail", &body), 400);
	assert_string_equal(body, "A 400 参数错误|请修改后重试。|2");
	free(body);
	/* an unknown path and a wrong method under the prefix go through it too */
	assert_int_equal(get(srv, "/x/nothing/here", &body), 404);
	assert_non_null(strstr(body, "A 404 未找到|"));
	free(body);
	char *resp = NULL;
	assert_int_equal(yj_server_dispatch(srv, "DELETE", "/x/fail", NULL, NULL, 0, &resp), 405);
	assert_non_null(strstr(resp, "A 405 "));
	free(resp);
	/* the longer prefix /x/deep/ is module b's; /x/deeper/ is not under it */
	assert_int_equal(get(srv, "/x/deep/fail", &body), 400);
	assert_string_equal(body, "B 400 参数错误|请修改后重试。|2");
	free(body);
	assert_int_equal(get(srv, "/x/deeper/fail", &body), 400);
	assert_string_equal(body, "A 400 参数错误|请修改后重试。|2");
	free(body);
	/* a prefix without a writer, the API, a path that only starts like a prefix: problem+json */
	assert_int_equal(get(srv, "/plain/fail", &body), 400);
	assert_problem(body, 400, "/plain/fail");
	free(body);
	assert_int_equal(get(srv, "/api/fail", &body), 400);
	assert_problem(body, 400, "/api/fail");
	free(body);
	assert_int_equal(get(srv, "/xfail", &body), 400);
	assert_problem(body, 400, "/xfail");
	free(body);
	assert_int_equal(get(srv, "/x", &body), 404);
	assert_problem(body, 404, "/x");
	free(body);

	assert_ptr_equal(yj_server_prefix_of(srv, "/x/deep/y")->errors, writer_b);
	assert_ptr_equal(yj_server_prefix_of(srv, "/x/y")->errors, writer_a);
	assert_null(yj_server_prefix_of(srv, "/api/v1/x"));
	yj_server_free(srv);

	/* a server given no prefixes answers problem+json everywhere */
	srv = server();
	assert_int_equal(get(srv, "/x/fail", &body), 400);
	assert_problem(body, 400, "/x/fail");
	free(body);
	yj_server_free(srv);
}

/* The binary's modules: FHIR's OperationOutcome under /fhir/, Open311's [{code, description}]
 * (XML for .xml) under /open311/, problem+json elsewhere — none of it known to the platform. */
static void the_binarys_formats(void **state)
{
	(void)state;
	yj_server *srv = server();
	yj_modules_set_prefixes(srv, yj_modules, yj_modules_len);
	char *body;
	assert_int_equal(get(srv, "/fhir/no/such/thing/here", &body), 404);
	json_t *oo = json_loads(body, 0, NULL);
	assert_non_null(oo);
	assert_string_equal(json_string_value(json_object_get(oo, "resourceType")), "OperationOutcome");
	json_t *issue = json_array_get(json_object_get(oo, "issue"), 0);
	assert_string_equal(json_string_value(json_object_get(issue, "code")), "not-found");
	assert_string_equal(json_string_value(json_object_get(issue, "diagnostics")), "未找到：请求的地址不存在，请检查链接是否正确。");
	json_decref(oo);
	free(body);

	assert_int_equal(get(srv, "/open311/no/such/thing.json", &body), 404);
	assert_string_equal(body, "[{\"code\":404,\"description\":\"未找到：请求的地址不存在，请检查链接是否正确。\"}]");
	free(body);
	assert_int_equal(get(srv, "/open311/no/such/thing.xml", &body), 404);
	assert_string_equal(body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors><error><code>404</code><description>"
				  "未找到：请求的地址不存在，请检查链接是否正确。</description></error></errors>\n");
	free(body);

	assert_int_equal(get(srv, "/api/v1/no/such/thing", &body), 404);
	assert_problem(body, 404, "/api/v1/no/such/thing");
	free(body);
	assert_int_equal(get(srv, "/fhirx/no", &body), 404);
	assert_problem(body, 404, "/fhirx/no");
	free(body);
	yj_server_free(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writer_for_its_prefix_only),
		cmocka_unit_test(the_binarys_formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
