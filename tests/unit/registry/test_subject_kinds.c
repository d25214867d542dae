/* test_subject_kinds.c — the other kinds of subject (registry/subject_kinds.c) on the shared test
 * database (SQLite, or PostgreSQL with YJ_TEST_DB), driven through /api/v1/subjects/{kind} in process:
 * every kind's field table is sound (a vocabulary for each code field, a type short enough for the
 * other modules' subject_kind), every kind takes a valid record and refuses bad ones field by field
 * with nothing written, and the licence each kind holds is issued to it while a licence of another
 * kind's is refused. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../apitest.h"
#include "base/codes.h"
#include "base/id.h"
#include "cli/cli.h"
#include "cli/modules.h"
#include "platform/auth/auth.h"
#include "platform/http/http.h"
#include "registry/registry.h"
#include "platform/events/events.h"

extern const struct yj_subscriber yj_credit_subscriber;

#include <jansson.h>

static yj_testdb t;
static yj_server *srv;
static char *lc_tok;

/* Per kind: its own fields of a valid record (JSON members after the head), the licence kind it holds
 * (NULL: none in the licence model) and one its kind may not hold. */
static const struct {
	const char *kind, *extra, *licence, *foreign_licence;
} K[] = {
	{"public_place", "\"category\": \"hotel\", \"staff\": 8", "public_place", "water_supply"},
	{"water_supply", "\"category\": \"secondary\", \"daily_capacity\": 30", "water_supply", "public_place"},
	{"school", "\"category\": \"primary\", \"students\": 600, \"boarding\": true", "water_supply", "public_place"},
	{"employer", "\"category\": \"mining\", \"hazard_factors\": [\"dust\"]", "occ_hazard_declaration", "public_place"},
	{"occ_service", "\"category\": \"detection\", \"qualification_level\": \"A\"", "occ_health_service", "public_place"},
	{"radiation_user", "\"category\": \"nuclear_medicine\", \"devices\": 1", "radiation_diagnosis", "public_place"},
	{"pharmacy", "\"category\": \"single\", \"pharmacists\": 1", NULL, "public_place"},
	{"childcare", "\"category\": \"hourly\", \"places\": 20", "childcare_filing", "public_place"},
	{"disinfect_maker", "\"category\": \"device\"", "disinfect_producer", "public_place"},
	{"unit_clinic", "\"category\": \"infirmary\", \"parent_unit\": \"某厂\"", "med_inst_practice", "public_place"},
	{"pharma_company", "\"category\": \"wholesaler\"", NULL, "public_place"},
};
#define NK (sizeof K / sizeof K[0])
static char ids[NK][21];

/* Dispatches method url with body as the bearer of tok; *out the parsed response (caller decrefs). */
static int call(const char *tok, const char *method, const char *url, const char *body, json_t **out)
{
	return yj_api_call(srv, tok, method, url, body, out);
}

static void code_of(int n, char out[19])
{
	char body8[9];
	snprintf(body8, sizeof body8, "3%07u", (unsigned)n % 10000000u);
	assert_int_equal(yj_credit_code_make("91330302", body8, out), 0);
}

static int setup(void **state)
{
	(void)state;
	srv = yj_api_open(&t, "subject_kinds", 6161);
	yj_api_user(&t, "k.lc", "inspector", "330302", "health");
	lc_tok = yj_api_token(&t, "k.lc");
	return lc_tok ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	yj_server_free(srv);
	free(lc_tok);
	yj_testdb_close(&t);
	return 0;
}

static void field_tables_are_sound(void **state)
{
	(void)state;
	for (int i = 0; i < YJ_NKINDS; i++) {
		const reg_kind *k = yj_reg_kinds[i];
		assert_true(strlen(k->type) < 16); /* enforcement and credit keep subject_kind in char[16] */
		assert_ptr_equal(yj_reg_kind_named(k->type), k);
		assert_true(yj_subject_kind_valid(k->type));
		for (const reg_field *f = k->fields; f->name; f++)
			if (f->type == RT_CODE || f->type == RT_CODES)
				assert_non_null(f->vocab);
		if (i < YJ_KIND_FIRST_OTHER)
			continue;
		/* the shared head, in order: what lists, exports and other modules read of any kind */
		assert_string_equal(k->fields[0].name, "credit_code");
		assert_string_equal(k->fields[1].name, "name");
		assert_string_equal(k->fields[2].name, "category");
		assert_string_equal(k->key_field, "credit_code");
	}
	assert_int_equal(YJ_NKINDS - YJ_KIND_FIRST_OTHER, (int)NK);
	assert_null(yj_reg_kind_named("rocket"));
	assert_false(yj_subject_kind_valid(NULL));
}

static void every_kind_takes_a_record(void **state)
{
	(void)state;
	json_t *o;
	char code[19], url[96];
	for (size_t i = 0; i < NK; i++) {
		code_of((int)i, code);
		char *body = yj_asprintf("{\"credit_code\": \"%s\", \"name\": \"鹿城%s\", \"region_code\": \"330302\", %s}", code,
					 K[i].kind, K[i].extra);
		snprintf(url, sizeof url, "/api/v1/subjects/%s", K[i].kind);
		int st = call(lc_tok, "POST", url, body, &o);
		if (st != 201)
			fail_msg("%s: %d %s", K[i].kind, st, json_dumps(o, 0));
		assert_string_equal(json_string_value(json_object_get(o, "state")), "active");
		snprintf(ids[i], sizeof ids[i], "%s", json_string_value(json_object_get(o, "id")));
		json_decref(o);
		free(body);
		/* read back, and the summary other modules read */
		snprintf(url, sizeof url, "/api/v1/subjects/%s/%s", K[i].kind, ids[i]);
		assert_int_equal(call(lc_tok, "GET", url, NULL, &o), 200);
		json_decref(o);
		yj_subject_summary s;
		yj_scope all;
		yj_scope_unrestricted(&all);
		int64_t id;
		yj_id_parse(ids[i], &id);
		assert_int_equal(yj_subject_get(store_conn_get(t.db), &all, K[i].kind, id, &s), ST_OK);
		assert_string_equal(s.credit_code, code);
		assert_string_equal(s.region_code, "330302");
	}
	assert_int_equal(yj_testdb_count(&t, "public_places"), 1);
	assert_int_equal(yj_testdb_count(&t, "pharma_companies"), 1);
}

static void bad_records_change_nothing(void **state)
{
	(void)state;
	json_t *o;
	char code[19], url[96];
	int64_t grams = yj_testdb_count(&t, "name_grams"), hist = yj_testdb_count(&t, "record_history");
	for (size_t i = 0; i < NK; i++) {
		snprintf(url, sizeof url, "/api/v1/subjects/%s", K[i].kind);
		code_of(100 + (int)i, code);
		/* no category */
		char *body = yj_asprintf("{\"credit_code\": \"%s\", \"name\": \"缺类别\", \"region_code\": \"330302\"}", code);
		assert_int_equal(call(lc_tok, "POST", url, body, &o), 422);
		const char *f = yj_api_first_error_field(o);
		assert_true(!strcmp(f, "category") || !strcmp(f, "hazard_factors"));
		json_decref(o);
		free(body);
		/* a wrong check character */
		code[17] = code[17] == '0' ? '1' : '0';
		body = yj_asprintf("{\"credit_code\": \"%s\", \"name\": \"错代码\", \"region_code\": \"330302\", %s}", code, K[i].extra);
		assert_int_equal(call(lc_tok, "POST", url, body, &o), 422);
		assert_string_equal(yj_api_first_error_field(o), "credit_code");
		json_decref(o);
		free(body);
	}
	assert_int_equal(yj_testdb_count(&t, "name_grams"), grams);
	assert_int_equal(yj_testdb_count(&t, "record_history"), hist);
	assert_int_equal(yj_testdb_count(&t, "schools"), 1);
}

static void licences_of_each_kind(void **state)
{
	(void)state;
	json_t *o;
	int64_t before = yj_testdb_count(&t, "licences");
	int issued = 0;
	for (size_t i = 0; i < NK; i++) {
		char *body;
		if (K[i].licence) {
			body = yj_asprintf("{\"kind\": \"%s\", \"holder_type\": \"%s\", \"holder_id\": \"%s\", \"reason\": \"新办\"}",
					   K[i].licence, K[i].kind, ids[i]);
			int st = call(lc_tok, "POST", "/api/v1/licences", body, &o);
			if (st != 201)
				fail_msg("%s %s: %d %s", K[i].kind, K[i].licence, st, json_dumps(o, 0));
			assert_string_equal(json_string_value(json_object_get(o, "holder_type")), K[i].kind);
			json_decref(o);
			free(body);
			issued++;
		}
		body = yj_asprintf("{\"kind\": \"%s\", \"holder_type\": \"%s\", \"holder_id\": \"%s\", \"reason\": \"新办\"}",
				   K[i].foreign_licence, K[i].kind, ids[i]);
		if (strcmp(K[i].kind, K[i].foreign_licence)) {
			assert_int_equal(call(lc_tok, "POST", "/api/v1/licences", body, &o), 422);
			assert_string_equal(yj_api_first_error_field(o), "holder_type");
			json_decref(o);
		}
		free(body);
	}
	assert_int_equal(yj_testdb_count(&t, "licences"), before + issued);
}

struct dir_seen {
	int n, places, schools, other;
	int64_t last_place;
};

static int dir_each(void *ctx, const yj_subject_entry *e)
{
	struct dir_seen *d = ctx;
	d->n++;
	if (!strcmp(e->kind, "public_place")) {
		assert_string_equal(e->type, "public_place");
		assert_true(e->id > d->last_place);
		d->last_place = e->id;
		d->places++;
	} else if (!strcmp(e->kind, "school")) {
		d->schools++;
	} else {
		d->other++;
	}
	return 0;
}

/* The draw's directory takes the other kinds when an item names them; a closed one is left out. */
static void directory_takes_other_kinds(void **state)
{
	(void)state;
	json_t *o;
	char url[96];
	snprintf(url, sizeof url, "/api/v1/subjects/school/%s", ids[2]);
	assert_int_equal(call(lc_tok, "PATCH", url, "{\"state\": \"closed\"}", &o), 200);
	json_decref(o);
	json_t *types = json_pack("[s, s, s]", "public_place", "school", "rocket");
	struct dir_seen d = {0};
	assert_int_equal(yj_subject_directory(store_conn_get(t.db), "330302", types, dir_each, &d), ST_OK);
	assert_int_equal(d.places, 1);
	assert_int_equal(d.schools, 0);
	assert_int_equal(d.other, 0);
	memset(&d, 0, sizeof d);
	assert_int_equal(yj_subject_directory(store_conn_get(t.db), "330303", types, dir_each, &d), ST_OK);
	assert_int_equal(d.n, 0); /* another county's directory */
	json_decref(types);
}

static int emit_tx(store_conn *c, void *arg)
{
	json_t *p = json_loads(arg, 0, NULL);
	assert_non_null(p);
	int rc = yj_event_emit(c, &(yj_event){"enforcement.decision_issued", "enforcement_case", "9101", "330302", "test", p}, NULL);
	json_decref(p);
	return rc;
}

/* Credit takes a decision against a pharmaceutical company (and a public place) as a credit record. */
static void credit_records_of_other_kinds(void **state)
{
	(void)state;
	for (size_t i = 0; i < NK; i++) {
		if (strcmp(K[i].kind, "pharma_company") && strcmp(K[i].kind, "public_place"))
			continue;
		char *payload = yj_asprintf(
			"{\"case_id\":\"910%zu\",\"decision_no\":\"温鹿卫公罚〔2026〕%zu号\",\"subject_kind\":\"%s\","
			"\"subject_id\":\"%s\",\"violation_code\":\"public_place\",\"penalty_kinds\":[\"warning\",\"fine\"],"
			"\"fine_fen\":300000,\"serious\":false,\"decided_on\":\"2026-03-10\",\"public_until\":\"2026-09-09\","
			"\"department\":\"health\"}",
			i, i, K[i].kind, ids[i]);
		assert_int_equal(store_tx(t.db, emit_tx, payload), ST_OK);
		free(payload);
	}
	while (yj_events_deliver(t.db, &yj_credit_subscriber, yj_now_ms(), NULL) > 0)
		;
	char sql[400];
	for (size_t i = 0; i < NK; i++) {
		if (strcmp(K[i].kind, "pharma_company") && strcmp(K[i].kind, "public_place"))
			continue;
		snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM credit_records WHERE category = 'penalty' AND subject_kind = '%s'"
					  " AND subject_id = %s", K[i].kind, ids[i]);
		assert_int_equal(yj_testdb_int(&t, sql, NULL), 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(field_tables_are_sound),
		cmocka_unit_test(every_kind_takes_a_record),
		cmocka_unit_test(bad_records_change_nothing),
		cmocka_unit_test(licences_of_each_kind),
		cmocka_unit_test(directory_takes_other_kinds),
		cmocka_unit_test(credit_records_of_other_kinds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
