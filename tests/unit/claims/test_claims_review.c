/* test_claims_review.c — persisting a screening for review (review.c, review_store.c) into a real
 * store (a temporary SQLite file, or YJ_TEST_DB's PostgreSQL in a schema of its own): every flagged
 * line stored exactly once, counts and amounts of the run, batch and INSERT-size boundaries giving
 * the same records, patient ids encrypted with a keyed hash and mask, regions from the registry,
 * one audit leaf per run, and bad input refused without writing anything. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../testdb.h"
#include <unistd.h>

#include "claims_test.h"
#include "base/id.h"
#include "claims/claims.h"
#include "platform/audit/audit.h"
#include "platform/pii/pii.h"
#include "registry/record.h"
#include "cli/modules.h"

static yj_testdb t; /* the fixture: tests/unit/testdb.h */
static store *db;
static yj_rules *rs;
static yj_refs refs;
static yj_claims *cl;
static yj_screen_result res;
static char claims_path[300], rules_dir[300];

/* ---- helpers ---- */

static int64_t query_int(const char *sql, const char *bind)
{
	return yj_testdb_int(&t, sql, bind);
}

static int64_t run_int(const char *sql, int64_t run)
{
	char b[21];
	yj_id_format(run, b);
	return query_int(sql, b);
}

static int persist(const char *region, int batch, int per_insert, yj_review_stats *st, char **err)
{
	yj_review_opts o = {claims_path, rules_dir, region, "cli:test", yj_now_ms(), batch, per_insert, 0, 0, NULL, NULL, NULL};
	return yj_review_persist(db, cl, rs, &res, &o, st, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "flag|claim|line" of every flagged line as the engine made them, sorted. */
static char **engine_lines(size_t *n)
{
	char **v = yj_malloc(res.n * sizeof *v);
	for (size_t i = 0; i < res.n; i++) {
		int32_t r = res.f[i].row;
		v[i] = yj_asprintf("%d|%s|%d", res.f[i].flag + 1, yj_dict_str(cl->dict[YJ_D_CLAIM], cl->claim[r]), cl->line_no[r]);
	}
	qsort(v, res.n, sizeof *v, cmp_str);
	*n = res.n;
	return v;
}

/* The same from the stored records of a run (line_nos split), sorted. */
static char **stored_lines(int64_t run, size_t *n)
{
	store_stmt *st = store_prepare(store_conn_get(db), "SELECT flag_id, claim_id, line_nos FROM claim_flags WHERE run_id = ?");
	assert_non_null(st);
	store_bind_int64(st, 1, run);
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	while (store_step(st) == ST_ROW) {
		char *lines = yj_strdup(store_col_text(st, 2));
		for (char *save, *t = strtok_r(lines, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 256;
				v = yj_realloc(v, cap * sizeof *v);
			}
			v[(*n)++] = yj_asprintf("%lld|%s|%s", (long long)store_col_int64(st, 0), store_col_text(st, 1), t);
		}
		free(lines);
	}
	store_finalize(st);
	qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The records of a run as one text, in the order of their ids (which follow rule, flag and claim). */
static char *records_text(int64_t run)
{
	store_stmt *st = store_prepare(store_conn_get(db), "SELECT flag_id, rule_id, result_type, claim_id, line_nos,"
							   " institution_code, physician_id, patient_hash, amount_fen, message,"
							   " region_code, state FROM claim_flags WHERE run_id = ? ORDER BY id");
	assert_non_null(st);
	store_bind_int64(st, 1, run);
	yj_buf b = YJ_BUF_INIT;
	while (store_step(st) == ST_ROW) {
		for (int i = 0; i < 12; i++)
			yj_buf_printf(&b, "%s%s", i ? "|" : "", store_col_text(st, i) ? store_col_text(st, i) : "NULL");
		yj_buf_puts(&b, "\n");
	}
	store_finalize(st);
	return yj_buf_detach(&b);
}

static const char *inst_code(int i)
{
	return yj_dict_str(cl->dict[YJ_D_INST], i);
}

struct inst_arg {
	const char *code, *region;
};

static int add_institution_tx(store_conn *c, void *arg)
{
	struct inst_arg *a = arg;
	yj_scope sc;
	yj_scope_unrestricted(&sc);
	json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:f, s:f}", "credit_code", a->code, "name",
			       "测试诊所", "type", "诊所", "level", "none", "ownership", "private", "profit", "forprofit",
			       "region_code", a->region, "clinical_depts", "03", "lng", 120.65, "lat", 28.01);
	json_t *errors = json_array();
	json_t *rec = yj_reg_validate(c, &yj_institution_kind, &sc, in, 0, NULL, errors);
	if (json_array_size(errors)) {
		char *e = json_dumps(errors, 0);
		fail_msg("institution: %s", e);
	}
	int64_t id;
	int rc = yj_reg_insert(c, &yj_institution_kind, rec, "test", &id);
	json_decref(in);
	json_decref(errors);
	json_decref(rec);
	return rc;
}

/* ---- setup ---- */

static int setup(void **state)
{
	db = yj_testdb_open(&t, "review");
	yj_id_seed(12345);
	char *err = NULL, *keys = yj_asprintf("%s/keys", t.dir);
	if (yj_audit_keys_load(keys, &err) < 0 || yj_pii_keys_load(keys, &err) < 0)
		fail_msg("keys: %s", err);
	free(keys);

	/* 6,000 generated lines with 5 % violations and the generator's registry and death register. */
	rs = ct_rules();
	char *root = ct_repo_dir();
	snprintf(rules_dir, sizeof rules_dir, "%srules", root);
	free(root);
	snprintf(claims_path, sizeof claims_path, "%s/claims.csv", t.dir);
	char *labels = yj_asprintf("%s/labels.csv", t.dir), *reg = yj_asprintf("%s/registry", t.dir),
	     *deaths = yj_asprintf("%s/deaths.csv", t.dir);
	yj_gen_opts go = {6000, 3, 0.05, claims_path, labels, reg, deaths, 0};
	yj_gen_stats gs;
	if (yj_gen_claims(&go, rs, &gs, &err) < 0)
		fail_msg("gen: %s", err);
	if (yj_refs_load_registry(&refs, reg, &err) < 0 || yj_refs_load_deaths(&refs, deaths, &err) < 0)
		fail_msg("refs: %s", err);
	yj_load_opts lo = {.threads = 2};
	yj_load_report rep = {0};
	if (yj_claims_load_file(claims_path, &lo, &cl, &rep, &err) < 0)
		fail_msg("load: %s", err);
	yj_load_report_free(&rep);
	assert_int_equal(yj_screen(cl, rs, &refs, 2, &res), YJ_OK);
	print_message("%zu flagged lines in %d flags\n", res.n, res.nflags);
	assert_true(res.n > 100);
	free(labels);
	free(reg);
	free(deaths);
	return 0;
}

static int teardown(void **state)
{
	yj_screen_result_free(&res);
	yj_claims_free(cl);
	yj_refs_free(&refs);
	yj_rules_free(rs);
	yj_testdb_close(&t);
	return 0;
}

/* ---- tests ---- */

/* Without any institution in the registry, the run's territory must be given. Nothing is written. */
static void test_region_needed(void **state)
{
	int64_t runs = query_int("SELECT COUNT(*) FROM claim_runs", NULL);
	yj_review_stats st;
	char *err = NULL;
	assert_int_equal(persist(NULL, 0, 0, &st, &err), YJ_ERR);
	assert_non_null(strstr(err, "--region"));
	free(err);
	err = NULL;
	assert_int_equal(persist("999999", 0, 0, &st, &err), YJ_ERR);
	assert_non_null(strstr(err, "999999"));
	free(err);
	assert_int_equal(query_int("SELECT COUNT(*) FROM claim_runs", NULL), runs);
	assert_int_equal(query_int("SELECT COUNT(*) FROM claim_flags", NULL), 0);
}

/* Every flagged line is stored exactly once, in records of one flag and one claim; the run's
 * counts and amount match the engine's; one audit leaf for the whole run. */
static void test_counts(void **state)
{
	int64_t leaves = query_int("SELECT COUNT(*) FROM audit_leaves", NULL);
	yj_review_stats st;
	char *err = NULL;
	if (persist("330300", 7, 3, &st, &err) < 0)
		fail_msg("persist: %s", err);
	int64_t records = yj_review_count_records(cl, &res);
	assert_int_equal(st.records, records);
	assert_true(records >= res.nflags && records <= (int64_t)res.n);
	assert_int_equal(st.transactions, (records + 6) / 7);
	assert_int_equal(run_int("SELECT COUNT(*) FROM claim_flags WHERE run_id = ?", st.run_id), records);
	assert_int_equal(run_int("SELECT COUNT(DISTINCT flag_id) FROM claim_flags WHERE run_id = ?", st.run_id), res.nflags);
	int64_t amount = 0;
	for (size_t i = 0; i < res.n; i++)
		amount += res.f[i].amount;
	assert_true(amount > 0);
	assert_int_equal(st.amount_fen, amount);
	assert_int_equal(run_int("SELECT SUM(amount_fen) FROM claim_flags WHERE run_id = ?", st.run_id), amount);
	assert_int_equal(run_int("SELECT amount_fen FROM claim_runs WHERE id = ?", st.run_id), amount);
	assert_int_equal(run_int("SELECT record_count FROM claim_runs WHERE id = ?", st.run_id), records);
	assert_int_equal(run_int("SELECT flag_count FROM claim_runs WHERE id = ?", st.run_id), res.nflags);
	assert_int_equal(run_int("SELECT flagged_lines FROM claim_runs WHERE id = ?", st.run_id), (int64_t)res.n);
	assert_int_equal(run_int("SELECT line_count FROM claim_runs WHERE id = ?", st.run_id), (int64_t)cl->n);
	assert_int_equal(run_int("SELECT COUNT(*) FROM claim_runs WHERE finished_at IS NOT NULL AND id = ?", st.run_id), 1);
	assert_int_equal(run_int("SELECT COUNT(*) FROM claim_flags WHERE state <> 'pending' AND run_id = ?", st.run_id), 0);
	assert_int_equal(run_int("SELECT COUNT(*) FROM claim_flags WHERE department <> 'insurance' AND run_id = ?", st.run_id), 0);
	/* No institution is registered yet: every record has the run's territory. */
	assert_int_equal(st.in_registry, 0);
	assert_int_equal(run_int("SELECT COUNT(*) FROM claim_flags WHERE region_code = '330300' AND run_id = ?", st.run_id), records);

	size_t ne, ns;
	char **e = engine_lines(&ne), **s = stored_lines(st.run_id, &ns);
	assert_int_equal(ns, ne);
	for (size_t i = 0; i < ne; i++)
		assert_string_equal(s[i], e[i]);
	free_strs(e, ne);
	free_strs(s, ns);

	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves", NULL), leaves + 1);
	char id[21];
	yj_id_format(st.run_id, id);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves WHERE action = 'claims.screen' AND object_id = ?", id), 1);
}

/* Transactions of one record, of all records, and INSERTs of one row or more rows than a batch
 * all store the same records. */
static void test_batch_boundaries(void **state)
{
	int64_t records = yj_review_count_records(cl, &res);
	const int cases[][2] = {{0, 0}, {1, 1}, {(int)records, 1000}, {(int)records - 1, (int)records - 1}, {2000, 100},
				{100, 7}};
	char *first = NULL;
	for (size_t i = 0; i < YJ_ARRAY_LEN(cases); i++) {
		yj_review_stats st;
		char *err = NULL;
		if (persist("330300", cases[i][0], cases[i][1], &st, &err) < 0)
			fail_msg("persist %zu: %s", i, err);
		int batch = cases[i][0] > 0 ? cases[i][0] : 2000;
		assert_int_equal(st.transactions, (records + batch - 1) / batch);
		char *text = records_text(st.run_id);
		if (!first)
			first = text;
		else {
			assert_string_equal(text, first);
			free(text);
		}
	}
	free(first);
}

/* Patient ids: ciphertext that decrypts to the claim's patient, keyed hash and mask; never clear. */
static void test_patient_encrypted(void **state)
{
	yj_review_stats st;
	char *err = NULL;
	if (persist("330300", 0, 0, &st, &err) < 0)
		fail_msg("persist: %s", err);
	store_stmt *q = store_prepare(store_conn_get(db), "SELECT claim_id, patient_cipher, patient_hash, patient_masked,"
							  " message, line_nos FROM claim_flags WHERE run_id = ?");
	store_bind_int64(q, 1, st.run_id);
	int n = 0;
	while (store_step(q) == ST_ROW) {
		int32_t claim = yj_dict_find(cl->dict[YJ_D_CLAIM], store_col_text(q, 0), strlen(store_col_text(q, 0)));
		assert_true(claim >= 0);
		size_t row = 0;
		while (row < cl->n && cl->claim[row] != claim)
			row++;
		const char *patient = yj_dict_str(cl->dict[YJ_D_PATIENT], cl->patient[row]);
		const char *cipher = store_col_text(q, 1);
		assert_null(strstr(cipher, patient));
		assert_true(strncmp(cipher, "v1:", 3) == 0);
		char *clear = yj_pii_decrypt(cipher);
		assert_non_null(clear);
		assert_string_equal(clear, patient);
		yj_pii_free(clear);
		char h[65], m[64];
		yj_pii_hash(patient, h);
		assert_string_equal(store_col_text(q, 2), h);
		assert_string_equal(store_col_text(q, 3), yj_pii_mask_id(patient, m));
		assert_string_not_equal(store_col_text(q, 3), patient);
		assert_null(strstr(store_col_text(q, 4), patient));
		n++;
	}
	store_finalize(q);
	assert_true(n > 100);
}

/* A record takes the region of its institution when the registry has it; the run's territory by
 * default is the smallest region holding the registered institutions. */
static void test_registry_region(void **state)
{
	struct inst_arg a = {inst_code(0), "330302"}, b = {inst_code(1), "330303"};
	assert_int_equal(store_tx(db, add_institution_tx, &a), ST_OK);
	assert_int_equal(store_tx(db, add_institution_tx, &b), ST_OK);
	yj_review_stats st;
	char *err = NULL;
	if (persist(NULL, 0, 0, &st, &err) < 0)
		fail_msg("persist: %s", err);
	assert_string_equal(st.region_code, "330300");
	int64_t n0 = 0, n1 = 0;
	int64_t records = yj_review_count_records(cl, &res);
	store_stmt *q = store_prepare(store_conn_get(db), "SELECT institution_code, region_code FROM claim_flags WHERE run_id = ?");
	store_bind_int64(q, 1, st.run_id);
	while (store_step(q) == ST_ROW) {
		const char *inst = store_col_text(q, 0), *region = store_col_text(q, 1);
		if (!strcmp(inst, a.code)) {
			assert_string_equal(region, "330302");
			n0++;
		} else if (!strcmp(inst, b.code)) {
			assert_string_equal(region, "330303");
			n1++;
		} else {
			assert_string_equal(region, "330300");
		}
	}
	store_finalize(q);
	assert_true(n0 > 0 && n1 > 0);
	assert_int_equal(st.in_registry, n0 + n1);
	assert_true(n0 + n1 < records);
	assert_int_equal(run_int("SELECT region_code FROM claim_runs WHERE id = ?", st.run_id), 330300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_needed),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_batch_boundaries),
		cmocka_unit_test(test_patient_encrypted),
		cmocka_unit_test(test_registry_region),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
