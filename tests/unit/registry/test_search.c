/* test_search.c — the registry's searches for readers outside it (registry.h, search_store.c) on a
 * real database (SQLite, or the PostgreSQL of YJ_TEST_DB): alternatives and their empty group, an
 * attribute a source does not have, the active filings of a day, changes newest first with a cursor,
 * and the caller's territory. Rows are planted with SQL: the test is the registry's own. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../testdb.h"
#include "registry/registry.h"

static yj_testdb t;
static store *db;
static yj_scope all, county;

#define I1 1001
#define I2 1002
#define I3 1003 /* in 330303 */
#define P1 2001
#define P2 2002
#define F1 3001
#define F2 3002

static int setup(void **state)
{
	(void)state;
	db = yj_testdb_open(&t, "search");
	yj_scope_unrestricted(&all);
	memset(&county, 0, sizeof county);
	snprintf(county.region_prefix, sizeof county.region_prefix, "330302");
	county.all_departments = 1;
	yj_testdb_exec_tx(&t,
		"INSERT INTO institutions (id, credit_code, name, type, level, grade, ownership, profit, clinical_depts, beds,"
		" equipment, region_code, insurance_designated, state, version, created_at, updated_at) VALUES"
		" (1001, 'C1', '鹿城第一医院', 'general_hospital', 'none', 'none', 'public', 'nonprofit', '', 0, '', '330302', 0,"
		"  'active', 1, 100, 100),"
		" (1002, 'C2', '鹿城诊所', 'clinic', 'none', 'none', 'private', 'forprofit', '', 0, '', '330302', 0, 'revoked', 2,"
		"  100, 300),"
		" (1003, 'C3', '龙湾诊所', 'clinic', 'none', 'none', 'private', 'forprofit', '', 0, '', '330303', 0, 'active', 1,"
		"  100, 200)");
	yj_testdb_exec_tx(&t,
		"INSERT INTO practitioners (id, name, sex, birth_date, id_cipher, id_hash, id_masked, certificate_no, category,"
		" practice_type, institution_id, region_code, prescription_right, antibiotic_grade, surgical_grade,"
		" insurance_physician, state, version, created_at, updated_at) VALUES"
		" (2001, '欧阳明', 'M', '1980-01-01', 'x', 'h1', 'm', 'N1', 'physician', 'clinical', 1001, '330302', 0, 'none', 0, 0,"
		"  'active', 1, 100, 100),"
		" (2002, '王霞', 'F', '1980-01-01', 'x', 'h2', 'm', 'N2', 'nurse', 'nursing', 1003, '330303', 0, 'none', 0, 0,"
		"  'retired', 1, 100, 100)");
	yj_testdb_exec_tx(&t,
		"INSERT INTO practice_filings (id, practitioner_id, institution_id, region_code, start_date, end_date, created_at)"
		" VALUES (3001, 2001, 1002, '330302', '2026-01-01', NULL, 500),"
		" (3002, 2001, 1003, '330303', '2026-01-01', '2026-03-31', 600)");
	/* The name index's rows as record_names.c numbers them: kind 2 (practitioners) << 42 | first code
	 * point << 21 | second (0: the last character's gram). 欧阳明: 欧阳 阳明 明; 王霞: 王霞 霞. */
	yj_testdb_exec_tx(&t, "INSERT INTO name_grams (gram, object_id) VALUES (8853620037171, 2001), (8876730639886, 2001),"
			      " (8850883215360, 2001), (8858124719902, 2002), (8877223444480, 2002)");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	yj_testdb_close(&t);
	return 0;
}

/* The ids a run search yields, in order, as "a,b,c"; frees s. */
static void ids(yj_reg_search *s, int rc, char *out, size_t cap)
{
	assert_int_equal(rc, ST_OK);
	yj_reg_hit h;
	out[0] = '\0';
	while ((rc = yj_reg_search_next(s, &h)) == ST_ROW) {
		snprintf(out + strlen(out), cap - strlen(out), "%s%lld", out[0] ? "," : "", (long long)h.id);
		json_decref(h.rec);
	}
	assert_int_equal(rc, ST_DONE);
	yj_reg_search_free(s);
}

static void test_alternatives(void **state)
{
	(void)state;
	char got[256];
	store_conn *c = store_conn_get(db);
	yj_reg_search *s = yj_reg_search_new(YJ_SRC_INSTITUTIONS, &all);
	yj_reg_search_begin(s);
	yj_reg_search_eq(s, YJ_RA_CREDIT_CODE, "C3");
	yj_reg_search_eq(s, YJ_RA_INST_TYPE, "general_hospital");
	yj_reg_search_end(s);
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "1001,1003");

	/* an empty group matches nothing; so does an attribute the source does not have */
	s = yj_reg_search_new(YJ_SRC_INSTITUTIONS, &all);
	yj_reg_search_begin(s);
	yj_reg_search_end(s);
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "");
	s = yj_reg_search_new(YJ_SRC_INSTITUTIONS, &all);
	yj_reg_search_begin(s);
	yj_reg_search_eq(s, YJ_RA_CATEGORY, "physician");
	yj_reg_search_end(s);
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "");

	/* no longer practising; paging after an id */
	s = yj_reg_search_new(YJ_SRC_INSTITUTIONS, &all);
	yj_reg_search_begin(s);
	yj_reg_search_no_longer(s);
	yj_reg_search_end(s);
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "1002");
	s = yj_reg_search_new(YJ_SRC_INSTITUTIONS, &all);
	ids(s, yj_reg_search_by_id(s, c, 1001, 1), got, sizeof got);
	assert_string_equal(got, "1002");
}

static void test_names(void **state)
{
	(void)state;
	char got[256];
	static const char *const compound[] = {"欧阳", NULL};
	store_conn *c = store_conn_get(db);
	yj_reg_search *s = yj_reg_search_new(YJ_SRC_PRACTITIONERS, &all);
	yj_reg_search_family(s, "欧", 1, compound); /* the beginning of the family name 欧阳 */
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "2001");
	s = yj_reg_search_new(YJ_SRC_PRACTITIONERS, &all);
	yj_reg_search_family(s, "王霞", 2, compound); /* longer than the family name 王 */
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "");
	s = yj_reg_search_new(YJ_SRC_PRACTITIONERS, &all);
	yj_reg_search_name(s, "王霞");
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "2002");
	/* one character: 霞 only ends a name (its last-character gram), 阳 only stands inside one (the
	 * bigram 阳明 starts with it); three characters: the first and the last bigram */
	static const struct {
		const char *q, *want;
	} one[] = {{"霞", "2002"}, {"阳", "2001"}, {"欧阳明", "2001"}, {"阳明", "2001"}, {"明欧", ""}, {"欧", "2001"}};
	for (size_t i = 0; i < sizeof one / sizeof *one; i++) {
		s = yj_reg_search_new(YJ_SRC_PRACTITIONERS, &all);
		yj_reg_search_name(s, one[i].q);
		ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
		assert_string_equal(got, one[i].want);
	}
	s = yj_reg_search_new(YJ_SRC_PRACTITIONERS, &all);
	yj_reg_search_given(s, "明", compound);
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "2001");
	s = yj_reg_search_new(YJ_SRC_PRACTITIONERS, &all);
	yj_reg_search_given(s, "阳", compound); /* 阳 belongs to the family name */
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "");
}

static void test_filings(void **state)
{
	(void)state;
	char got[256];
	store_conn *c = store_conn_get(db);
	yj_reg_search *s = yj_reg_search_new(YJ_SRC_FILINGS, &all);
	yj_reg_search_active(s, 1, "2026-06-01");
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "3001"); /* 3002 ended on 2026-03-31 */
	s = yj_reg_search_new(YJ_SRC_FILINGS, &all);
	yj_reg_search_active(s, 0, "2026-03-31");
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, ""); /* both still running on their last day */

	/* a filing is seen in the territory of the institution filed with */
	s = yj_reg_search_new(YJ_SRC_FILINGS, &county);
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "3001");

	/* one row, with its practitioner */
	s = yj_reg_search_new(YJ_SRC_FILINGS, &all);
	assert_int_equal(yj_reg_search_one(s, c, F2), ST_OK);
	yj_reg_hit h;
	assert_int_equal(yj_reg_search_next(s, &h), ST_ROW);
	assert_int_equal(h.changed, 600);
	assert_string_equal(json_string_value(json_object_get(h.rec, "end_date")), "2026-03-31");
	assert_string_equal(json_string_value(json_object_get(json_object_get(h.rec, "practitioner"), "name")), "欧阳明");
	json_decref(h.rec);
	yj_reg_search_free(s);
}

static void test_changes(void **state)
{
	(void)state;
	char got[256];
	store_conn *c = store_conn_get(db);
	yj_reg_search *s = yj_reg_search_new(YJ_SRC_INSTITUTIONS, &all);
	ids(s, yj_reg_search_by_change(s, c, 0, 0, 0, 0, 10), got, sizeof got);
	assert_string_equal(got, "1002,1003,1001");
	s = yj_reg_search_new(YJ_SRC_INSTITUTIONS, &all);
	ids(s, yj_reg_search_by_change(s, c, 150, 1, 300, I2, 10), got, sizeof got);
	assert_string_equal(got, "1003"); /* since 150, after the cursor (300, 1002) */
	s = yj_reg_search_new(YJ_SRC_INSTITUTIONS, &county);
	yj_reg_search_changed(s, YJ_RS_OUT, 100, 101);
	ids(s, yj_reg_search_by_id(s, c, 0, 10), got, sizeof got);
	assert_string_equal(got, "1002"); /* 1003 is outside the county */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_filings),
		cmocka_unit_test(test_changes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
