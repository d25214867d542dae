/* test_registry_api.c — the registry's handlers driven in process through the dispatcher
 * (yj_server_dispatch, no socket), on the shared test database (testdb.h: SQLite, or PostgreSQL with
 * YJ_TEST_DB): institutions, practitioners and licences created, listed and read; bad input refused
 * field by field with nothing written; a neighbouring county's user refused (404, absent from lists);
 * a role without write access refused. Only routes are used, so the test holds whatever the registry's
 * files look like inside. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../apitest.h"
#include "base/id.h"
#include "cli/cli.h"
#include "cli/modules.h"
#include "platform/auth/auth.h"
#include "platform/http/http.h"

#include <jansson.h>

/* Valid codes (check characters per GB 32100 and GB 11643; tests/api/codes.mjs made them). */
#define LC_CODE "52330302100000016G" /* an institution in 鹿城 (330302) */
#define LW_CODE "52330303100000024R" /* one in 龙湾 (330303) */
#define BAD_CODE "52330302100000016X" /* LC_CODE with a wrong check character */
#define LC_ID "330302198001010019"
#define LC_ID_BAD "330302198001010018"

static yj_testdb t;
static yj_server *srv;
static char *lc_tok, *lw_tok, *analyst_tok;
static char lc_inst[21], lw_inst[21], lc_prac[21];

/* Dispatches method url with body as the bearer of tok; *out the parsed response (caller decrefs). */
static int call(const char *tok, const char *method, const char *url, const char *body, json_t **out)
{
	return yj_api_call(srv, tok, method, url, body, out);
}

/* The number of items of GET url as tok. */
static size_t listed(const char *tok, const char *url)
{
	json_t *o;
	assert_int_equal(call(tok, "GET", url, NULL, &o), 200);
	size_t n = json_array_size(json_object_get(o, "items"));
	json_decref(o);
	return n;
}

/* ---- fixture ---- */

static char *user_token(const char *name, const char *role, const char *region, const char *dept)
{
	yj_api_user(&t, name, role, region, dept);
	return yj_api_token(&t, name);
}

static int setup(void **state)
{
	(void)state;
	srv = yj_api_open(&t, "registry_api", 5151);
	lc_tok = user_token("r.lc", "inspector", "330302", "health");
	lw_tok = user_token("r.lw", "inspector", "330303", "health");
	analyst_tok = user_token("r.analyst", "insurance_analyst", "330302", "insurance");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	yj_server_free(srv);
	free(lc_tok);
	free(lw_tok);
	free(analyst_tok);
	yj_testdb_close(&t);
	return 0;
}

static char *clinic(const char *code, const char *region, const char *name)
{
	return yj_asprintf("{\"credit_code\": \"%s\", \"name\": \"%s\", \"type\": \"clinic\", \"level\": \"none\","
			   " \"ownership\": \"private\", \"profit\": \"forprofit\", \"region_code\": \"%s\","
			   " \"clinical_depts\": [\"03\", \"12\"], \"lng\": 120.65, \"lat\": 28.01}",
			   code, name, region);
}

/* ---- institutions ---- */

static void institution_create_list_record(void **state)
{
	(void)state;
	json_t *o;
	char *body = clinic(LC_CODE, "330302", "温州鹿城康宁诊所");
	assert_int_equal(call(lc_tok, "POST", "/api/v1/institutions", body, &o), 201);
	free(body);
	assert_string_equal(json_string_value(json_object_get(o, "credit_code")), LC_CODE);
	assert_string_equal(json_string_value(json_object_get(o, "region_code")), "330302");
	snprintf(lc_inst, sizeof lc_inst, "%s", json_string_value(json_object_get(o, "id")));
	json_decref(o);
	body = clinic(LW_CODE, "330303", "温州龙湾永安诊所");
	assert_int_equal(call(lw_tok, "POST", "/api/v1/institutions", body, &o), 201);
	free(body);
	snprintf(lw_inst, sizeof lw_inst, "%s", json_string_value(json_object_get(o, "id")));
	json_decref(o);

	assert_int_equal(listed(lc_tok, "/api/v1/institutions"), 1);
	assert_int_equal(listed(lc_tok, "/api/v1/institutions?credit_code=" LC_CODE), 1);
	char url[96];
	snprintf(url, sizeof url, "/api/v1/institutions/%s", lc_inst);
	assert_int_equal(call(lc_tok, "GET", url, NULL, &o), 200);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "温州鹿城康宁诊所");
	json_decref(o);
	snprintf(url, sizeof url, "/api/v1/institutions/%s/history", lc_inst);
	assert_int_equal(call(lc_tok, "GET", url, NULL, &o), 200);
	json_decref(o);
}

static void institution_validation_changes_nothing(void **state)
{
	(void)state;
	json_t *o;
	int64_t before = yj_testdb_count(&t, "institutions"), leaves = yj_testdb_count(&t, "audit_leaves");
	char *body = clinic(BAD_CODE, "330302", "校验码错误诊所");
	assert_int_equal(call(lc_tok, "POST", "/api/v1/institutions", body, &o), 422);
	free(body);
	assert_string_equal(yj_api_first_error_field(o), "credit_code");
	json_decref(o);
	body = clinic(LC_CODE, "330302", "重复的诊所");
	assert_int_equal(call(lc_tok, "POST", "/api/v1/institutions", body, &o), 409); /* the code is taken */
	free(body);
	json_decref(o);
	assert_int_equal(yj_testdb_count(&t, "institutions"), before);
	assert_int_equal(yj_testdb_count(&t, "audit_leaves"), leaves);
}

static void institution_scope_and_role_refusals(void **state)
{
	(void)state;
	json_t *o;
	char url[96];
	/* The neighbour's institution is absent however it is asked for. */
	snprintf(url, sizeof url, "/api/v1/institutions/%s", lw_inst);
	assert_int_equal(call(lc_tok, "GET", url, NULL, &o), 404);
	json_decref(o);
	assert_int_equal(call(lc_tok, "PATCH", url, "{\"name\": \"被篡改\"}", &o), 404);
	json_decref(o);
	assert_int_equal(listed(lc_tok, "/api/v1/institutions?credit_code=" LW_CODE), 0);
	assert_int_equal(listed(lc_tok, "/api/v1/institutions?region=330303"), 0);
	assert_int_equal(call(lw_tok, "GET", url, NULL, &o), 200);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "温州龙湾永安诊所");
	json_decref(o);
	/* Moving one's own institution into the neighbour's county is refused. */
	snprintf(url, sizeof url, "/api/v1/institutions/%s", lc_inst);
	assert_int_equal(call(lc_tok, "PATCH", url, "{\"region_code\": \"330303\"}", &o), 422);
	json_decref(o);
	/* The insurance analyst reads the county's subjects but writes none. */
	assert_int_equal(listed(analyst_tok, "/api/v1/institutions"), 1);
	char *body = clinic("523303021000000326", "330302", "医保不能登记的诊所");
	assert_int_equal(call(analyst_tok, "POST", "/api/v1/institutions", body, &o), 403);
	free(body);
	json_decref(o);
}

/* ---- practitioners ---- */

static void practitioner_create_list_record(void **state)
{
	(void)state;
	json_t *o;
	char body[512];
	snprintf(body, sizeof body,
		 "{\"name\": \"张三\", \"id_number\": \"%s\", \"certificate_no\": \"110330302000001\", \"category\": \"physician\","
		 " \"practice_type\": \"clinical\", \"institution_id\": \"%s\"}",
		 LC_ID, lc_inst);
	assert_int_equal(call(lc_tok, "POST", "/api/v1/practitioners", body, &o), 201);
	snprintf(lc_prac, sizeof lc_prac, "%s", json_string_value(json_object_get(o, "id")));
	assert_string_equal(json_string_value(json_object_get(o, "id_masked")), "3303**************");
	assert_string_equal(json_string_value(json_object_get(o, "region_code")), "330302"); /* its institution's */
	char *text = json_dumps(o, 0);
	assert_null(strstr(text, LC_ID)); /* never the clear number */
	free(text);
	json_decref(o);
	assert_int_equal(listed(lc_tok, "/api/v1/practitioners"), 1);
	char url[96];
	snprintf(url, sizeof url, "/api/v1/practitioners/%s", lc_prac);
	assert_int_equal(call(lc_tok, "GET", url, NULL, &o), 200);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "张三");
	json_decref(o);
}

static void practitioner_refusals(void **state)
{
	(void)state;
	json_t *o;
	char body[512], url[96];
	int64_t before = yj_testdb_count(&t, "practitioners");
	snprintf(body, sizeof body,
		 "{\"name\": \"李四\", \"id_number\": \"%s\", \"certificate_no\": \"110330302000009\", \"category\": \"physician\","
		 " \"practice_type\": \"clinical\", \"institution_id\": \"%s\"}",
		 LC_ID_BAD, lc_inst);
	assert_int_equal(call(lc_tok, "POST", "/api/v1/practitioners", body, &o), 422);
	assert_string_equal(yj_api_first_error_field(o), "id_number");
	json_decref(o);
	assert_int_equal(yj_testdb_count(&t, "practitioners"), before);
	snprintf(url, sizeof url, "/api/v1/practitioners/%s", lc_prac);
	assert_int_equal(call(lw_tok, "GET", url, NULL, &o), 404);
	json_decref(o);
	assert_int_equal(listed(lw_tok, "/api/v1/practitioners"), 0);
}

/* ---- licences ---- */

static char licence[21];

static void licence_issue_list_record(void **state)
{
	(void)state;
	json_t *o;
	char body[512], url[96];
	snprintf(body, sizeof body,
		 "{\"kind\": \"med_inst_practice\", \"holder_type\": \"institution\", \"holder_id\": \"%s\","
		 " \"reason\": \"依申请核发\", \"valid_from\": \"2026-01-15\"}",
		 lc_inst);
	assert_int_equal(call(lc_tok, "POST", "/api/v1/licences", body, &o), 201);
	snprintf(licence, sizeof licence, "%s", json_string_value(json_object_get(o, "id")));
	assert_string_equal(json_string_value(json_object_get(o, "valid_to")), "2031-01-14");
	assert_string_equal(json_string_value(json_object_get(o, "status")), "valid");
	assert_string_equal(json_string_value(json_object_get(o, "holder_identifier")), LC_CODE);
	json_decref(o);
	assert_int_equal(listed(lc_tok, "/api/v1/licences"), 1);
	snprintf(url, sizeof url, "/api/v1/licences/%s", licence);
	assert_int_equal(call(lc_tok, "GET", url, NULL, &o), 200);
	assert_string_equal(json_string_value(json_object_get(o, "kind")), "med_inst_practice");
	json_decref(o);
}

static void licence_refusals(void **state)
{
	(void)state;
	json_t *o;
	char body[512], url[96];
	int64_t before = yj_testdb_count(&t, "licences");
	/* A practice licence of an institution cannot go to a practitioner. */
	snprintf(body, sizeof body,
		 "{\"kind\": \"med_inst_practice\", \"holder_type\": \"practitioner\", \"holder_id\": \"%s\", \"reason\": \"核发\"}",
		 lc_prac);
	assert_int_equal(call(lc_tok, "POST", "/api/v1/licences", body, &o), 422);
	assert_string_equal(yj_api_first_error_field(o), "holder_type");
	json_decref(o);
	snprintf(body, sizeof body, "{\"kind\": \"med_inst_practice\", \"holder_type\": \"institution\", \"holder_id\": \"%s\","
				    " \"reason\": \"   \"}", lc_inst);
	assert_int_equal(call(lc_tok, "POST", "/api/v1/licences", body, &o), 422);
	assert_string_equal(yj_api_first_error_field(o), "reason");
	json_decref(o);
	assert_int_equal(yj_testdb_count(&t, "licences"), before);
	/* The neighbour neither reads nor suspends it, nor issues one to the county's institution. */
	snprintf(url, sizeof url, "/api/v1/licences/%s", licence);
	assert_int_equal(call(lw_tok, "GET", url, NULL, &o), 404);
	json_decref(o);
	snprintf(url, sizeof url, "/api/v1/licences/%s/suspend", licence);
	assert_int_equal(call(lw_tok, "POST", url, "{\"reason\": \"越权暂停\"}", &o), 404);
	json_decref(o);
	assert_int_equal(listed(lw_tok, "/api/v1/licences"), 0);
	snprintf(body, sizeof body,
		 "{\"kind\": \"med_inst_practice\", \"holder_type\": \"institution\", \"holder_id\": \"%s\", \"reason\": \"核发\"}",
		 lc_inst);
	assert_int_equal(call(lw_tok, "POST", "/api/v1/licences", body, &o), 422); /* no such holder for them */
	json_decref(o);
	assert_int_equal(yj_testdb_count(&t, "licences"), before);
}

/* ---- lists written straight from the rows (record_write.c) ---- */

/* The raw body of GET url as tok (caller frees), asserting 200. */
static char *raw_get(const char *tok, const char *url)
{
	char auth[160], *resp = NULL;
	snprintf(auth, sizeof auth, "Bearer %s", tok);
	const char *const headers[] = {"Authorization", auth, NULL};
	assert_int_equal(yj_server_dispatch(srv, "GET", url, headers, NULL, 0, &resp), 200);
	assert_non_null(resp);
	return resp;
}

/* A list's body is, byte for byte, {"items":[each item's record as GET /{id} answers it],
 * "next_cursor":…}: the record is built as a JSON tree and masked by the kind's present hook, the
 * list is written from the rows, so key order, escapes, numbers and masking must agree. */
static void list_matches_records(const char *tok, const char *path)
{
	char url[128];
	snprintf(url, sizeof url, "%s?limit=200", path);
	char *list = raw_get(tok, url);
	json_t *o = json_loads(list, 0, NULL);
	assert_non_null(o);
	json_t *items = json_object_get(o, "items");
	assert_true(json_array_size(items) > 0);
	yj_buf want = YJ_BUF_INIT;
	yj_buf_puts(&want, "{\"items\":[");
	for (size_t i = 0; i < json_array_size(items); i++) {
		snprintf(url, sizeof url, "%s/%s", path, json_string_value(json_object_get(json_array_get(items, i), "id")));
		char *rec = raw_get(tok, url);
		yj_buf_printf(&want, "%s%s", i ? "," : "", rec);
		free(rec);
	}
	yj_buf_puts(&want, "],\"next_cursor\":null}");
	assert_string_equal(list, want.data);
	yj_buf_free(&want);
	size_t n = json_array_size(items);
	json_decref(o);
	free(list);
	/* A page of one, when there are more: one item and a cursor (the first item's id, base64url). */
	snprintf(url, sizeof url, "%s?limit=1", path);
	list = raw_get(tok, url);
	o = json_loads(list, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
	assert_int_equal(json_is_string(json_object_get(o, "next_cursor")), n > 1);
	json_decref(o);
	free(list);
}

static void lists_are_their_records(void **state)
{
	(void)state;
	json_t *o;
	/* Text that must be escaped, non-BMP characters, coordinates, codes and nulls. */
	char *body = clinic("523303021000000326", "330302", "鹿城\\\"引号\\\"与\\\\反斜杠诊所𠀀");
	assert_int_equal(call(lc_tok, "POST", "/api/v1/institutions", body, &o), 201);
	free(body);
	char url[96];
	snprintf(url, sizeof url, "/api/v1/institutions/%s", json_string_value(json_object_get(o, "id")));
	json_decref(o);
	int st = call(lc_tok, "PATCH", url, "{\"address\": \"鹿城区五马街 1 号（东门）😀\", \"beds\": 12,"
						   " \"insurance_designated\": true, \"lng\": 120.000001, \"lat\": 28.5}", &o);
	char *why = json_dumps(o, 0);
	if (st != 200)
		fail_msg("PATCH %d: %s", st, why);
	free(why);
	json_decref(o);
	/* Control characters are refused on input; a row written around the API may still hold them. */
	yj_testdb_exec(&t, "UPDATE institutions SET licence_no = 'a\tb\n\x1f" "c\x7f'"
			   " WHERE credit_code = '523303021000000326'");
	char pbody[512];
	snprintf(pbody, sizeof pbody,
		 "{\"name\": \"李四\", \"id_number\": \"11010519491231002X\", \"certificate_no\": \"110330302000002\","
		 " \"category\": \"nurse\", \"practice_type\": \"nursing\", \"institution_id\": \"%s\", \"surgical_grade\": 2,"
		 " \"prescription_right\": false}", lc_inst);
	assert_int_equal(call(lc_tok, "POST", "/api/v1/practitioners", pbody, &o), 201);
	json_decref(o);
	char *admin_tok = user_token("r.admin", "admin", "330300", "health");
	const char *toks[] = {lc_tok, analyst_tok, admin_tok};
	for (size_t i = 0; i < sizeof toks / sizeof toks[0]; i++) {
		list_matches_records(toks[i], "/api/v1/institutions");
		list_matches_records(toks[i], "/api/v1/practitioners");
	}
	free(admin_tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(institution_create_list_record),
		cmocka_unit_test(institution_validation_changes_nothing),
		cmocka_unit_test(institution_scope_and_role_refusals),
		cmocka_unit_test(practitioner_create_list_record),
		cmocka_unit_test(practitioner_refusals),
		cmocka_unit_test(licence_issue_list_record),
		cmocka_unit_test(licence_refusals),
		cmocka_unit_test(lists_are_their_records),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
