/* test_name_walk.c — the institution name search as a walk of a gram's posting list with one plan for
 * every value (record_names.c, reg_name_walk_page): on PostgreSQL every page is the one the search
 * planned with its values gives (same ids, same order, page after page), and with the generic plan
 * forced — what PostgreSQL keeps after five executions — it still reads about a page of institutions,
 * not the province (the generic plan of the list's statement walked all of it: docs/benchmarks.md,
 * "Lists at 100,000 records"). On SQLite the walk is not taken. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../testdb.h"
#include "registry/reg_int.h"
#include "cli/modules.h"

enum { N = 3000, PAGE = 21 };

static yj_testdb t;
static store *db;
static int pg;

/* Every third name holds 卫生院, every third 人民医院, the rest 诊所; two counties, alternating. */
static char *name_of(int i)
{
	return yj_asprintf("%s%d号", i % 3 == 0 ? "鹿城卫生院" : i % 3 == 1 ? "人民医院" : "诊所", i);
}

static int plant(store_conn *c, void *arg)
{
	(void)arg;
	int64_t ids[N];
	char *names[N];
	for (int at = 0; at < N; at += 500) {
		yj_buf sql = YJ_BUF_INIT;
		yj_buf_puts(&sql, "INSERT INTO institutions (id, credit_code, name, type, level, grade, ownership, profit,"
				  " clinical_depts, beds, equipment, region_code, insurance_designated, state, version,"
				  " created_at, updated_at) VALUES");
		for (int i = at; i < at + 500; i++) {
			char *name = name_of(i);
			yj_buf_printf(&sql,
				      "%s (%d, 'C%d', '%s', 'clinic', 'none', 'none', 'private', 'forprofit', '', 0, '',"
				      " '%s', 0, 'active', 1, 100, 100)",
				      i > at ? "," : "", 1000 + i, i, name, i % 2 ? "330302" : "330303");
			free(name);
		}
		int rc = store_exec(c, sql.data);
		yj_buf_free(&sql);
		if (rc < 0)
			return rc;
	}
	for (int i = 0; i < N; i++) {
		ids[i] = 1000 + i;
		names[i] = name_of(i);
	}
	int rc = reg_index_names_fresh(c, &yj_institution_kind, ids, (const char *const *)names, N, 0);
	for (int i = 0; i < N; i++)
		free(names[i]);
	return rc;
}

/* Indexes practitioner 9001's name, as its insert would. */
static int index_one(store_conn *c, void *arg)
{
	(void)arg;
	int64_t id = 9001;
	const char *name = "欧阳明";
	return reg_index_names_fresh(c, &yj_practitioner_kind, &id, &name, 1, 0);
}

static int setup(void **state)
{
	(void)state;
	db = yj_testdb_open(&t, "name_walk");
	pg = !strcmp(store_engine(db), "postgresql");
	assert_int_equal(store_tx(db, plant, NULL), ST_OK);
	store_conn *c = store_conn_get(db);
	assert_int_equal(store_analyze(c, "institutions"), ST_OK);
	assert_int_equal(store_analyze(c, "name_grams"), ST_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	yj_testdb_close(&t);
	return 0;
}

/* The ids of a page into out ("a,b,…"), the last in *last; the rows' count. Finalizes st. */
static int page_ids(store_stmt *st, char *out, size_t cap, int64_t *last)
{
	assert_non_null(st);
	int n = 0, rc;
	out[0] = '\0';
	while ((rc = store_step(st)) == ST_ROW) {
		*last = store_col_int64(st, 0);
		snprintf(out + strlen(out), cap - strlen(out), "%s%lld", n++ ? "," : "", (long long)*last);
	}
	assert_int_equal(rc, ST_DONE);
	store_finalize(st);
	return n;
}

static store_stmt *planned_page(store_conn *c, const yj_scope *sc, const char *text, int64_t after)
{
	static const reg_filter name = {"q", "name", FL_NAME, NULL};
	yj_qb *q = reg_list_query(&yj_institution_kind, NULL, 0, sc);
	assert_int_equal(reg_list_filter(q, &yj_institution_kind, &name, text), 0);
	return reg_list_page(q, c, after, PAGE);
}

static void test_same_pages(void **state)
{
	(void)state;
	store_conn *c = store_conn_get(db);
	yj_scope all, province, county;
	yj_scope_unrestricted(&all);
	yj_scope_init(&province, "330000", "health", "*");
	yj_scope_init(&county, "330302", "health", "*");
	const reg_kind *k = &yj_institution_kind;
	assert_int_equal(reg_name_walk_fits(c, k, &province, "卫生院"), pg);
	assert_int_equal(reg_name_walk_fits(c, k, &all, "卫生院"), pg);
	assert_false(reg_name_walk_fits(c, k, &county, "卫生院")); /* a county: planned with its values */
	assert_false(reg_name_walk_fits(c, k, &province, " \xe3\x80\x80 ")); /* no word */
	/* one character: 号 ends all 3,000 names and 院 stands before a digit in 2,000 (common: the table's
	 * walk); 医 is in 1,000 (its range joined by key, planned with its values) */
	assert_int_equal(reg_name_walk_fits(c, k, &province, "号"), pg);
	assert_int_equal(reg_name_walk_fits(c, k, &province, "院"), pg);
	assert_false(reg_name_walk_fits(c, k, &province, "医"));
	assert_int_equal(reg_name_walk_fits(c, k, &province, "医 号"), 0); /* the first character decides */
	assert_int_equal(reg_name_walk_fits(c, k, &province, "鹿城 医"), pg); /* 医 by LIKE on the walk's rows */
	if (!pg)
		return;
	const char *texts[] = {"卫生院", "人民医院", "鹿城 卫生", "号", "院", "医", "号 1", "鹿城 医", "9 诊所", "城卫生院1", "诊所29", "无此名"};
	const yj_scope *scopes[] = {&all, &province};
	static char a[4096], b[4096];
	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
			int64_t after = 0, la = 0, lb = 0;
			int pages = 0;
			for (;; pages++) {
				int na = page_ids(planned_page(c, scopes[s], texts[i], after), a, sizeof a, &la);
				int nb = page_ids(reg_name_walk_page(c, &yj_institution_kind, scopes[s], texts[i], after, PAGE),
						  b, sizeof b, &lb);
				assert_string_equal(a, b);
				if (na < PAGE)
					break;
				after = la;
				(void)nb;
			}
			if (!strcmp(texts[i], "卫生院"))
				assert_int_equal(pages, N / 3 / PAGE); /* 1,000 names: 47 full pages and a last */
		}
}

/* The ids of every name holding each word of text (at most two), by LIKE alone: what the index must
 * not change. */
static void like_ids(store_conn *c, const char *w1, const char *w2, char *out, size_t cap)
{
	store_stmt *st = store_prepare(c, "SELECT id FROM institutions WHERE name LIKE ? AND name LIKE ? ORDER BY id");
	char *p1 = yj_asprintf("%%%s%%", w1), *p2 = yj_asprintf("%%%s%%", w2 ? w2 : "");
	store_bind_text(st, 1, p1, -1);
	store_bind_text(st, 2, p2, -1);
	int64_t last;
	page_ids(st, out, cap, &last);
	free(p1);
	free(p2);
}

/* The filter (the index narrowing, LIKE confirming) finds every name LIKE alone finds, no other, for
 * words of one character — at a name's start, only inside it, only at its end (号), a digit, none —
 * of two and of three or more, and two words at once. */
static void test_filter_is_like(void **state)
{
	(void)state;
	store_conn *c = store_conn_get(db);
	yj_scope all;
	yj_scope_unrestricted(&all);
	static const char *const texts[][2] = {
		{"医", NULL},	  {"鹿", NULL},	  {"院", NULL},	     {"号", NULL},	   {"7", NULL},
		{"无", NULL},	  {"卫生", NULL},   {"院1", NULL},	     {"卫生院", NULL},	   {"城卫生院1", NULL},
		{"诊所29", NULL}, {"所2", NULL},    {"号1", NULL},	     {"鹿城", "9号"},	   {"医", "1"},
		{"无此名", NULL},
	};
	static char got[65536], want[65536], page[4096];
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		char *text = yj_asprintf("%s%s%s", texts[i][0], texts[i][1] ? " " : "", texts[i][1] ? texts[i][1] : "");
		int64_t after = 0;
		got[0] = '\0';
		for (;;) {
			int n = page_ids(planned_page(c, &all, text, after), page, sizeof page, &after);
			if (n)
				snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", got[0] ? "," : "", page);
			if (n < PAGE)
				break;
		}
		like_ids(c, texts[i][0], texts[i][1], want, sizeof want);
		if (strcmp(got, want))
			fail_msg("%s: the filter found %.200s, LIKE %.200s", text, got, want);
		free(text);
	}
}

/* The name index's rows summed up, to compare two builds of it: count, distinct grams, and sums small
 * enough for SQLite's integers. */
static void index_summary(char *out, size_t cap)
{
	store_stmt *st = store_prepare(store_conn_get(db), "SELECT COUNT(*), COUNT(DISTINCT gram), SUM(object_id),"
							     " SUM(gram % 1000003), SUM(gram / 4398046511104) FROM name_grams");
	assert_non_null(st);
	assert_int_equal(store_step(st), ST_ROW);
	snprintf(out, cap, "%lld %lld %lld %lld %lld", (long long)store_col_int64(st, 0), (long long)store_col_int64(st, 1),
		 (long long)store_col_int64(st, 2), (long long)store_col_int64(st, 3), (long long)store_col_int64(st, 4));
	store_finalize(st);
}

/* A database at registry version 6 — the name index as text, a row per character and bigram, one of
 * them stale — with records of two kinds migrates to 7 with every record's name indexed as the code
 * writing them would have (the same rows as plant's), and searches answer as LIKE does. */
static void test_migration_from_text_grams(void **state)
{
	(void)state;
	store_conn *c = store_conn_get(db);
	yj_testdb_exec_tx(&t,
		"INSERT INTO practitioners (id, name, sex, birth_date, id_cipher, id_hash, id_masked, certificate_no, category,"
		" practice_type, institution_id, region_code, prescription_right, antibiotic_grade, surgical_grade,"
		" insurance_physician, state, version, created_at, updated_at) VALUES"
		" (9001, '欧阳明', 'M', '1980-01-01', 'x', 'h1', 'm', 'N1', 'physician', 'clinical', 1000, '330302', 0, 'none',"
		" 0, 0, 'active', 1, 100, 100)");
	assert_int_equal(store_tx(db, index_one, NULL), ST_OK);
	char before[200], after[200];
	index_summary(before, sizeof before);
	/* Version 6 as it was: 0007 not applied, name_grams keyed by text. */
	yj_testdb_exec_tx(&t, "DROP TABLE name_grams");
	yj_testdb_exec_tx(&t, "CREATE TABLE name_grams (gram TEXT NOT NULL, object_type TEXT NOT NULL, object_id BIGINT NOT"
			      " NULL, PRIMARY KEY (gram, object_type, object_id))");
	yj_testdb_exec_tx(&t, "INSERT INTO name_grams VALUES ('卫', 'institution', 1000), ('卫生', 'institution', 1000),"
			      " ('旧名', 'institution', 1001), ('欧', 'practitioner', 9001)");
	yj_testdb_exec_tx(&t, "DELETE FROM schema_migrations WHERE module = 'registry' AND version = 7");
	char *err = NULL;
	if (yj_migrate(db, &err) < 0)
		fail_msg("migrate: %s", err);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM schema_migrations WHERE module = 'registry' AND version = 7",
				       NULL),
			 1);
	index_summary(after, sizeof after);
	assert_string_equal(after, before);
	/* the gram column's finer histogram, for a one-character word's range (registry_module.c) */
	if (pg)
		assert_int_equal(yj_testdb_int(&t, "SELECT attstattarget FROM pg_attribute WHERE attrelid ="
						   " 'name_grams'::regclass AND attname = 'gram'", NULL),
				 300);
	test_filter_is_like(state);
	/* the practitioner, a kind of its own in the index: 阳 only inside its name, 明 only at its end */
	static const reg_filter name = {"q", "name", FL_NAME, NULL};
	yj_scope all;
	yj_scope_unrestricted(&all);
	const char *words[] = {"阳", "明", "欧阳明"};
	for (size_t i = 0; i < 3; i++) {
		yj_qb *q = reg_list_query(&yj_practitioner_kind, NULL, 0, &all);
		assert_int_equal(reg_list_filter(q, &yj_practitioner_kind, &name, words[i]), 0);
		char ids[64];
		int64_t last;
		assert_int_equal(page_ids(reg_list_page(q, c, 0, PAGE), ids, sizeof ids, &last), 1);
		assert_string_equal(ids, "9001");
	}
}

/* Institutions' rows read in the current transaction (sequential and through indexes). */
static int64_t rows_read(store_conn *c)
{
	int64_t v = -1;
	assert_int_equal(store_query_int64(c,
					   "SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) FROM "
					   "pg_stat_xact_user_tables WHERE relid = 'institutions'::regclass",
					   NULL, &v),
			 ST_OK);
	return v;
}

/* The plans (generic_plans or custom_plans) of the connection's prepared walks so far. */
static int64_t plans(const char *column)
{
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT COALESCE(SUM(%s), 0) FROM pg_prepared_statements WHERE statement LIKE '%%LATERAL%%' "
		 "AND statement NOT LIKE '%%pg_prepared_statements%%'",
		 column);
	return yj_testdb_int(&t, sql, NULL);
}

static void test_generic_plan_reads_a_page(void **state)
{
	(void)state;
	if (!pg)
		return;
	store_conn *c = store_conn_get(db);
	yj_scope province;
	yj_scope_init(&province, "330000", "health", "*");
	static char ids[4096];
	int64_t last = 0;
	/* Left to itself PostgreSQL keeps the generic plan after five executions: the walk is not planned
	 * again at each (what it is for). */
	for (int i = 0; i < 12; i++)
		page_ids(reg_name_walk_page(c, &yj_institution_kind, &province, "人民医院", 50 * i, PAGE), ids, sizeof ids,
			 &last);
	assert_true(plans("generic_plans") > plans("custom_plans"));
	/* What PostgreSQL may choose after five executions, from the first: the plan made without values. */
	assert_int_equal(store_exec(c, "SET plan_cache_mode = force_generic_plan"), ST_OK);
	assert_int_equal(store_begin(c, 0), ST_OK);
	for (int i = 0; i < 12; i++) {
		int64_t before = rows_read(c);
		assert_int_equal(page_ids(reg_name_walk_page(c, &yj_institution_kind, &province, i % 2 ? "卫生院" : "人民医院",
							     100 * i, PAGE),
					  ids, sizeof ids, &last),
				 PAGE);
		/* A page of 21 and the one after it: the walk stops there, whatever the plan. */
		int64_t read = rows_read(c) - before;
		assert_true(read <= PAGE + 1);
	}
	assert_int_equal(store_commit(c), ST_OK);
	/* It ran as a prepared statement on its generic plan, kept for every value. */
	assert_true(plans("generic_plans") >= 12);
	assert_int_equal(store_exec(c, "RESET plan_cache_mode"), ST_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_pages),
		cmocka_unit_test(test_filter_is_like),
		cmocka_unit_test(test_generic_plan_reads_a_page),
		cmocka_unit_test(test_migration_from_text_grams),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
