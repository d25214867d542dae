/* test_insp_api.c — the inspection handlers driven in-process through yj_server_dispatch, without a
 * socket (as h2o's t/00unit does), on a temporary SQLite file or YJ_TEST_DB's PostgreSQL: a task
 * created and re-assigned keeps its team as rows, leader first, with names from auth; `mine` finds
 * a member's tasks; and a page of 200 tasks, like one of 20 and like the export, costs the store a
 * constant number of statements (store_conn_statements), not one per task or team member; an
 * attachment of several chunks comes back byte for byte from the content-addressed store, also
 * after the migrations (platform 0011, inspection 0006) moved it there from the former base64 column. */
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
#include "platform/module.h"
#include "platform/attach/attach.h"
#include "inspection/inspection.h"

#include <sodium.h>

#define SUBJECT 77
#define BULK 210 /* tasks inserted beside the created one: more than the largest page */

static yj_testdb t;
static yj_server *srv;
static char *admin_tok, *ins_tok[3];
static char ins_id[3][21];

/* ---- requests ---- */

/* Dispatches method url with body as the bearer of tok; *out the parsed response (caller decrefs). */
static int call(const char *tok, const char *method, const char *url, const char *body, json_t **out)
{
	return yj_api_call(srv, tok, method, url, body, out);
}

/* Statements prepared by the request (this thread's connection is the handler's). */
static int64_t statements_of(const char *tok, const char *url, int want_status, json_t **out)
{
	int64_t before = store_conn_statements(store_conn_get(t.db));
	assert_int_equal(call(tok, "GET", url, NULL, out), want_status);
	return store_conn_statements(store_conn_get(t.db)) - before;
}

/* ---- fixture ---- */

static void user(const char *name, const char *role, const char *region, char id_out[21])
{
	int64_t id = yj_api_user(&t, name, role, region, "health");
	if (id_out)
		yj_id_format(id, id_out);
}

static int setup(void **state)
{
	srv = yj_api_open(&t, "insp_api", 4343);
	user("t.admin", "admin", "330300", NULL);
	admin_tok = yj_api_token(&t, "t.admin");
	for (int i = 0; i < 3; i++) {
		char name[16], url[96], body[64];
		snprintf(name, sizeof name, "t.ins%d", i);
		user(name, "inspector", "330302", ins_id[i]);
		ins_tok[i] = yj_api_token(&t, name);
		snprintf(url, sizeof url, "/api/v1/inspection/inspectors/%s", ins_id[i]);
		snprintf(body, sizeof body, "{\"cert_no\": \"33030200%d\"}", i);
		json_t *o;
		assert_int_equal(call(admin_tok, "PUT", url, body, &o), 200);
		json_decref(o);
	}
	yj_testdb_exec(&t, "INSERT INTO institutions (id, credit_code, name, type, level, grade, ownership, profit, clinical_depts,"
			   " beds, equipment, region_code, insurance_designated, state, version, created_at, updated_at) VALUES (77,"
			   " '91330302TEST00077X', '测试诊所', 'clinic', 'none', 'none', 'private', 'forprofit', '03', 0, '', '330302', 0,"
			   " 'active', 1, 0, 0)");
	return 0;
}

static int teardown(void **state)
{
	yj_server_free(srv);
	free(admin_tok);
	for (int i = 0; i < 3; i++)
		free(ins_tok[i]);
	yj_testdb_close(&t);
	return 0;
}

/* ---- tests ---- */

/* The team of task o as "id,id" into out. */
static void team_of(const json_t *o, char *out, size_t cap)
{
	size_t i;
	json_t *m;
	out[0] = '\0';
	json_array_foreach(json_object_get(o, "team"), i, m) {
		size_t n = strlen(out);
		snprintf(out + n, cap - n, "%s%s", i ? "," : "", json_string_value(json_object_get(m, "id")));
	}
}

static char task_id[21];

static void create_and_assign_keep_team_rows(void **state)
{
	char body[256], url[96], team[96], want[96];
	json_t *o;
	snprintf(body, sizeof body, "{\"kind\": \"patrol\", \"subject_id\": \"%d\", \"item_ids\": [\"8000001\"], \"team\": [\"%s\", \"%s\"]}",
		 SUBJECT, ins_id[1], ins_id[0]);
	assert_int_equal(call(admin_tok, "POST", "/api/v1/inspection/tasks", body, &o), 201);
	snprintf(task_id, sizeof task_id, "%s", json_string_value(json_object_get(o, "id")));
	team_of(o, team, sizeof team);
	snprintf(want, sizeof want, "%s,%s", ins_id[1], ins_id[0]);
	assert_string_equal(team, want); /* the leader first, as given */
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "team"), 0), "name")), "t.ins1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "team"), 1), "cert_no")), "330302000");
	json_decref(o);
	int64_t rows = -1;
	assert_int_equal(store_query_int64(store_conn_get(t.db), "SELECT COUNT(*) FROM inspection_task_members WHERE task_id = ?",
					   task_id, &rows), ST_OK);
	assert_int_equal(rows, 2);

	snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/assign", task_id);
	snprintf(body, sizeof body, "{\"team\": [\"%s\", \"%s\"]}", ins_id[2], ins_id[1]);
	assert_int_equal(call(admin_tok, "POST", url, body, &o), 200);
	json_decref(o);
	snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s", task_id);
	assert_int_equal(call(ins_tok[2], "GET", url, NULL, &o), 200);
	team_of(o, team, sizeof team);
	snprintf(want, sizeof want, "%s,%s", ins_id[2], ins_id[1]);
	assert_string_equal(team, want);
	json_decref(o);
	/* Off the team now: inspector 0 may not record results on it. */
	snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/checkin", task_id);
	assert_int_equal(call(ins_tok[0], "POST", url, "{\"lng\": 120.65, \"lat\": 28.01}", &o), 403);
	json_decref(o);
}

static void mine_finds_members_tasks(void **state)
{
	json_t *o;
	assert_int_equal(call(ins_tok[2], "GET", "/api/v1/inspection/tasks?mine=true", NULL, &o), 200);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "items"), 0), "id")), task_id);
	json_decref(o);
	assert_int_equal(call(ins_tok[0], "GET", "/api/v1/inspection/tasks?mine=true", NULL, &o), 200);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 0);
	json_decref(o);
}

/* BULK more tasks, each with a team of two of the three inspectors, written directly. */
static int bulk_tx(store_conn *c, void *arg)
{
	(void)arg;
	for (int i = 0; i < BULK; i++) {
		int64_t id = 5000000 + i;
		char *sql = yj_asprintf("INSERT INTO inspection_tasks (id, kind, item_ids, subject_id, subject_name, subject_code,"
					" region_code, department, state, created_by, created_at, updated_at) VALUES (%lld, 'patrol',"
					" '8000001', %d, '测试诊所', '91330302TEST00077X', '330302', 'health', 'assigned', 'test', 0, 0);"
					" INSERT INTO inspection_task_members (task_id, member_order, user_id) VALUES (%lld, 0, %s), (%lld, 1, %s)",
					(long long)id, SUBJECT, (long long)id, ins_id[i % 3], (long long)id, ins_id[(i + 1) % 3]);
		int rc = store_exec(c, sql);
		free(sql);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

static void page_costs_constant_statements(void **state)
{
	assert_int_equal(store_tx(t.db, bulk_tx, NULL), ST_OK);
	json_t *small, *big, *csv;
	int64_t n20 = statements_of(admin_tok, "/api/v1/inspection/tasks?limit=20", 200, &small);
	int64_t n200 = statements_of(admin_tok, "/api/v1/inspection/tasks?limit=200", 200, &big);
	int64_t nexp = statements_of(admin_tok, "/api/v1/inspection/tasks/export?format=csv", 200, &csv);
	print_message("statements: page of 20 %lld, page of 200 %lld, export of %d %lld\n", (long long)n20, (long long)n200,
		      BULK + 1, (long long)nexp);
	assert_int_equal(json_array_size(json_object_get(small, "items")), 20);
	assert_int_equal(json_array_size(json_object_get(big, "items")), 200);
	assert_true(json_is_string(json_object_get(big, "next_cursor")));
	/* Every task of the big page has its two members, named. */
	size_t i;
	json_t *task;
	int named = 0;
	json_array_foreach(json_object_get(big, "items"), i, task) {
		json_t *team = json_object_get(task, "team");
		assert_int_equal(json_array_size(team), 2);
		named += json_is_string(json_object_get(json_array_get(team, 0), "name")) &&
			 json_is_string(json_object_get(json_array_get(team, 1), "name"));
	}
	assert_int_equal(named, 200);
	/* The same number for 20 and 200 rows, and few: the page, its teams, their names, and what
	 * authentication costs. One statement per task would add at least 180. */
	assert_int_equal(n200, n20);
	assert_true(n200 <= 8);
	assert_true(nexp <= n200 + 1);
	/* Every task exported (a header line and one per task), each bulk task with both names. */
	const char *text = json_string_value(csv), *p;
	int lines = 0, pairs = 0;
	for (p = text; (p = strchr(p, '\n')); p++)
		lines++;
	for (p = text; (p = strstr(p, "t.ins0、t.ins1")); p++)
		pairs++;
	assert_int_equal(lines, 1 + BULK + 1);
	assert_int_equal(pairs, BULK / 3);
	json_decref(small);
	json_decref(big);
	json_decref(csv);
}

/* The lists that answered a fixed number of rows gained ?limit= and ?cursor= (issue 10 item 4):
 * without ?limit= the answer is what it was; with it, pages that join up. */
static void fixed_lists_page(void **state)
{
	json_t *all, *p1, *p2;
	assert_int_equal(call(admin_tok, "GET", "/api/v1/inspection/inspectors", NULL, &all), 200);
	assert_int_equal(json_array_size(json_object_get(all, "items")), 3);
	assert_true(json_is_null(json_object_get(all, "next_cursor")));
	assert_int_equal(call(admin_tok, "GET", "/api/v1/inspection/inspectors?limit=2", NULL, &p1), 200);
	assert_int_equal(json_array_size(json_object_get(p1, "items")), 2);
	char url[128];
	snprintf(url, sizeof url, "/api/v1/inspection/inspectors?limit=2&cursor=%s", json_string_value(json_object_get(p1, "next_cursor")));
	assert_int_equal(call(admin_tok, "GET", url, NULL, &p2), 200);
	assert_int_equal(json_array_size(json_object_get(p2, "items")), 1);
	assert_true(json_is_null(json_object_get(p2, "next_cursor")));
	assert_true(json_equal(json_object_get(json_array_get(json_object_get(all, "items"), 2), "user_id"),
			       json_object_get(json_array_get(json_object_get(p2, "items"), 0), "user_id")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(all, "items"), 0), "name")), "t.ins0");
	json_decref(all);
	json_decref(p1);
	json_decref(p2);
	/* The directory page with names and conflicts costs the same for one inspector as for three. */
	int64_t one = statements_of(admin_tok, "/api/v1/inspection/inspectors?limit=1", 200, &p1);
	int64_t three = statements_of(admin_tok, "/api/v1/inspection/inspectors?limit=3", 200, &p2);
	print_message("statements: directory page of 1 %lld, of 3 %lld\n", (long long)one, (long long)three);
	assert_int_equal(one, three);
	json_decref(p1);
	json_decref(p2);
	/* Orders page on (deadline, id): a cursor without its id is refused, a whole one taken. */
	json_t *bad = yj_cursor_json("2026-01-01"), *good = yj_cursor_json("2026-01-01,1");
	snprintf(url, sizeof url, "/api/v1/inspection/rectifications?cursor=%s", json_string_value(bad));
	assert_int_equal(call(admin_tok, "GET", url, NULL, &p1), 400);
	json_decref(p1);
	snprintf(url, sizeof url, "/api/v1/inspection/rectifications?limit=5&cursor=%s", json_string_value(good));
	assert_int_equal(call(admin_tok, "GET", url, NULL, &p1), 200);
	assert_true(json_is_null(json_object_get(p1, "next_cursor")));
	json_decref(p1);
	json_decref(bad);
	json_decref(good);
}

/* A file of n bytes that sniffs as PDF, the same for the same seed. */
static unsigned char *pdf_bytes(size_t n, unsigned seed)
{
	unsigned char *p = yj_malloc(n);
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		p[i] = (unsigned char)x;
	}
	memcpy(p, "%PDF-1.7\n", 9);
	return p;
}

/* GET url as the admin: the body's bytes (caller frees) and their count. */
static unsigned char *download(const char *url, size_t *n, int *status)
{
	char auth[160], *resp = NULL;
	snprintf(auth, sizeof auth, "Bearer %s", admin_tok);
	const char *const headers[] = {"Authorization", auth, NULL};
	*status = yj_server_dispatch(srv, "GET", url, headers, NULL, 0, &resp);
	*n = 0;
	/* The body may hold NULs: its length is the Content-Length the reply announced, which the
	 * dispatcher does not return; the caller compares against the known size instead. */
	return (unsigned char *)resp;
}

#define BIG (600u << 10) /* three chunks of 256 KiB */

static void attachment_round_trip_in_chunks(void **state)
{
	unsigned char *data = pdf_bytes(BIG, 1);
	char url[200], *resp = NULL, auth[160];
	snprintf(auth, sizeof auth, "Bearer %s", ins_tok[2]);
	const char *const headers[] = {"Authorization", auth, "Content-Type", "application/octet-stream", NULL};
	snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/attachments?name=big.pdf", task_id);
	assert_int_equal(yj_server_dispatch(srv, "POST", url, headers, (const char *)data, BIG, &resp), 201);
	json_t *o = json_loads(resp, 0, NULL);
	free(resp);
	int64_t chunks = -1;
	const char *hex = json_string_value(json_object_get(o, "sha256"));
	assert_int_equal(store_query_int64(store_conn_get(t.db), "SELECT COUNT(*) FROM blob_chunks WHERE sha256 = ?", hex, &chunks),
			 ST_OK);
	assert_int_equal(chunks, 3);
	int status;
	size_t n;
	unsigned char *got = download(json_string_value(json_object_get(o, "url")), &n, &status);
	assert_int_equal(status, 200);
	assert_memory_equal(got, data, BIG);
	free(got);
	json_decref(o);
	free(data);
}

/* The layout before platform 0011 and inspection 0006: contents as base64 TEXT in inspection_blobs.
 * Later tables (documents, complaint attachments) reference blobs: PostgreSQL drops those references
 * with CASCADE, which SQLite neither needs nor parses. */
static const char old_drop_sqlite[] = "DROP TABLE inspection_attachments; DROP TABLE blob_chunks; DROP TABLE blobs;";
static const char old_drop_pg[] = "DROP TABLE inspection_attachments; DROP TABLE blob_chunks; DROP TABLE blobs CASCADE;";
static const char old_layout[] =
	" CREATE TABLE inspection_blobs (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, content_b64 TEXT NOT NULL);"
	" CREATE TABLE inspection_attachments (id BIGINT PRIMARY KEY, task_id BIGINT NOT NULL REFERENCES inspection_tasks(id),"
	" sha256 TEXT NOT NULL REFERENCES inspection_blobs(sha256), media_type TEXT NOT NULL, size BIGINT NOT NULL,"
	" name TEXT NOT NULL, region_code TEXT NOT NULL, department TEXT NOT NULL, actor TEXT NOT NULL,"
	" created_at BIGINT NOT NULL, UNIQUE (task_id, sha256));"
	" CREATE INDEX inspection_attachments_actor ON inspection_attachments(actor, size)";

extern const yj_migration yj_platform_migrations[], yj_inspection_migrations[];

static const yj_migration *migration_of(const yj_migration *ms, int64_t version)
{
	for (; ms->version; ms++)
		if (ms->version == version)
			return ms;
	return NULL;
}

/* Platform 0011 (the blob tables), then inspection 0006 and its step, as the upgrade runs them. */
static int migrate_blobs_tx(store_conn *c, void *arg)
{
	(void)arg;
	const yj_migration *p = migration_of(yj_platform_migrations, 11), *i = migration_of(yj_inspection_migrations, 6);
	if (!p || !i || strcmp(p->name, "blobs") != 0 || strcmp(i->name, "attachments_to_blobs") != 0)
		return ST_ERR;
	int rc = store_exec(c, p->sql);
	if (rc >= 0)
		rc = store_exec(c, i->sql);
	return rc < 0 ? rc : yj_insp_blobs_migrate(c);
}

static void attachments_migrate_from_base64(void **state)
{
	yj_testdb_exec(&t, strcmp(store_engine(t.db), "postgresql") ? old_drop_sqlite : old_drop_pg);
	yj_testdb_exec(&t, old_layout);
	unsigned char *data = pdf_bytes(BIG, 2), h[32];
	char hex[65];
	crypto_hash_sha256(h, data, BIG);
	yj_hex_encode(h, sizeof h, hex);
	size_t blen = sodium_base64_encoded_len(BIG, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = yj_malloc(blen);
	sodium_bin2base64(b64, blen, data, BIG, sodium_base64_VARIANT_ORIGINAL);
	char *sql = yj_asprintf("INSERT INTO inspection_blobs VALUES ('%s', %u, '%s');"
				" INSERT INTO inspection_attachments VALUES (6000001, %s, '%s', 'application/pdf', %u, 'old.pdf',"
				" '330302', 'health', 'test', 0)",
				hex, BIG, b64, task_id, hex, BIG);
	yj_testdb_exec(&t, sql);
	free(sql);
	free(b64);
	assert_int_equal(store_tx(t.db, migrate_blobs_tx, NULL), ST_OK);
	char url[200];
	snprintf(url, sizeof url, "/api/v1/inspection/tasks/%s/attachments/%s", task_id, hex);
	int status;
	size_t n;
	unsigned char *got = download(url, &n, &status);
	assert_int_equal(status, 200);
	assert_memory_equal(got, data, BIG);
	free(got);
	free(data);
	int64_t left = -1;
	assert_int_equal(store_query_int64(store_conn_get(t.db), "SELECT COUNT(*) FROM blob_chunks WHERE sha256 = ?", hex, &left),
			 ST_OK);
	assert_int_equal(left, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_and_assign_keep_team_rows),
		cmocka_unit_test(mine_finds_members_tasks),
		cmocka_unit_test(page_costs_constant_statements),
		cmocka_unit_test(fixed_lists_page),
		cmocka_unit_test(attachment_round_trip_in_chunks),
		cmocka_unit_test(attachments_migrate_from_base64),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
