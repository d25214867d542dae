/* test_scope.c — territory prefixes, remit, and the scoped query builder's SQL and binds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "platform/auth/scope.h"
#include "platform/store/query.h"

static void region_prefixes(void **state)
{
	char p[16];
	yj_region_prefix("330000", p);
	assert_string_equal(p, "33");
	yj_region_prefix("330300", p);
	assert_string_equal(p, "3303");
	yj_region_prefix("330302", p);
	assert_string_equal(p, "330302");
	yj_region_prefix("110100", p); /* 北京市市辖区 */
	assert_string_equal(p, "1101");
	yj_region_prefix("330302001", p);
	assert_string_equal(p, "330302001");
}

static void scope_allows_subtree_only(void **state)
{
	yj_scope sc;
	yj_scope_init(&sc, "330300", "health", "*");
	assert_true(yj_scope_allows(&sc, "330302", "police"));
	assert_true(yj_scope_allows(&sc, "330300", NULL));
	assert_false(yj_scope_allows(&sc, "330102", "health"));
	assert_false(yj_scope_allows(&sc, NULL, NULL));
	yj_scope_init(&sc, "330302", "insurance", "insurance,market");
	assert_true(yj_scope_allows(&sc, "330302", "insurance"));
	assert_true(yj_scope_allows(&sc, "330302", "market"));
	assert_false(yj_scope_allows(&sc, "330302", "health"));
	assert_false(yj_scope_allows(&sc, "330303", "insurance"));
	/* A remit that forgets the department itself still includes it. */
	yj_scope_init(&sc, "330302", "police", "");
	assert_true(yj_scope_allows(&sc, "330302", "police"));
	assert_int_equal(sc.ndepts, 1);
}

static const yj_table t = {"things", "region_code", "department", NULL};
static const yj_table owned = {"orders", "region_code", NULL, "subject_id IN ({S}) OR task_id IN (SELECT id FROM tasks WHERE subject_id IN ({S}))"};
static const yj_table reference = {"items", NULL, "department", "1=1"};
static const yj_table shared = {"calendar", NULL, NULL, NULL};

static void select_carries_scope(void **state)
{
	yj_scope sc;
	yj_scope_init(&sc, "330302", "market", "market");
	yj_qb *q = yj_q_select(&t, "id", &sc);
	yj_q_where(q, "name = ?");
	yj_q_text(q, "x");
	assert_string_equal(yj_q_sql(q), "SELECT id FROM things WHERE 1=1 AND region_code >= ? AND region_code < ? AND department IN (?) AND (name = ?)");
	yj_q_free(q);
}

static void update_carries_scope_after_set(void **state)
{
	yj_scope sc;
	yj_scope_init(&sc, "330300", "health", "*");
	yj_qb *q = yj_q_update(&t, &sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, 7);
	yj_q_set_text(q, "name", "y");
	assert_string_equal(yj_q_sql(q), "UPDATE things SET name = ? WHERE 1=1 AND region_code >= ? AND region_code < ? AND (id = ?)");
	yj_q_free(q);
}

static void unrestricted_has_no_predicate(void **state)
{
	yj_scope sc;
	yj_scope_unrestricted(&sc);
	yj_qb *q = yj_q_delete(&t, &sc);
	assert_string_equal(yj_q_sql(q), "DELETE FROM things WHERE 1=1");
	yj_q_free(q);
}

/* An institution user bound to two subjects sees owned rows through the table's condition, with the
 * set expanded at every {S}; a scoped table without a condition shows it nothing; unscoped tables and
 * reference data stay readable. */
static void subject_set_narrows_scoped_tables(void **state)
{
	yj_scope sc;
	yj_scope_init(&sc, "330302", "health", "*");
	sc.subject_bound = 1;
	sc.subjects[sc.nsubjects++] = 11;
	sc.subjects[sc.nsubjects++] = 12;
	yj_qb *q = yj_q_select(&owned, "id", &sc);
	assert_string_equal(yj_q_sql(q), "SELECT id FROM orders WHERE 1=1 AND region_code >= ? AND region_code < ? AND "
					 "(subject_id IN (?, ?) OR task_id IN (SELECT id FROM tasks WHERE subject_id IN (?, ?)))");
	yj_q_free(q);
	q = yj_q_update(&t, &sc);
	yj_q_set_int(q, "x", 1);
	assert_string_equal(yj_q_sql(q), "UPDATE things SET x = ? WHERE 1=1 AND region_code >= ? AND region_code < ? AND 1=0");
	yj_q_free(q);
	q = yj_q_select(&reference, "id", &sc);
	assert_string_equal(yj_q_sql(q), "SELECT id FROM items WHERE 1=1 AND (1=1)");
	yj_q_free(q);
	q = yj_q_select(&shared, "day", &sc);
	assert_string_equal(yj_q_sql(q), "SELECT day FROM calendar WHERE 1=1");
	yj_q_free(q);
	/* bound to nothing (an institution user without a binding): NULL matches no row */
	sc.nsubjects = 0;
	q = yj_q_select(&owned, "id", &sc);
	assert_string_equal(yj_q_sql(q), "SELECT id FROM orders WHERE 1=1 AND region_code >= ? AND region_code < ? AND "
					 "(subject_id IN (NULL) OR task_id IN (SELECT id FROM tasks WHERE subject_id IN (NULL)))");
	yj_q_free(q);
}

static void subject_bound_scope_allows_only_its_subjects(void **state)
{
	yj_scope sc;
	yj_scope_init(&sc, "330302", "health", "*");
	assert_true(yj_scope_has_subject(&sc, 99));
	sc.subject_bound = 1;
	sc.subjects[sc.nsubjects++] = 11;
	/* without the subject, a bound scope allows nothing: a check that cannot name it fails closed */
	assert_false(yj_scope_allows(&sc, "330302", "health"));
	assert_true(yj_scope_allows_subject(&sc, "330302", "health", 11));
	assert_false(yj_scope_allows_subject(&sc, "330302", "health", 12));
	assert_false(yj_scope_allows_subject(&sc, "330303", "health", 11));
}

/* yj_q_search: one condition per word (at most four, split at spaces and U+3000), LIKE with an escape
 * over every text column, and the id columns only for a word of digits. */
static void search_words_over_columns(void **state)
{
	yj_scope sc;
	yj_scope_init(&sc, "330300", "health", "*");
	static const char *const cols[] = {"name", "no", NULL}, *const ids[] = {"id", NULL};
	yj_qb *q = yj_q_select(&t, "id", &sc);
	yj_q_search(q, cols, ids, " 鹿城\xe3\x80\x80 12 ");
	assert_string_equal(yj_q_sql(q), "SELECT id FROM things WHERE 1=1 AND region_code >= ? AND region_code < ?"
					 " AND (name LIKE ? ESCAPE '\\' OR no LIKE ? ESCAPE '\\')"
					 " AND (name LIKE ? ESCAPE '\\' OR no LIKE ? ESCAPE '\\' OR id = ?)");
	yj_q_free(q);
	q = yj_q_select(&t, "id", &sc);
	yj_q_search(q, cols, NULL, "a b c d e 12");
	assert_int_equal((int)(strlen(yj_q_sql(q)) - strlen("SELECT id FROM things WHERE 1=1 AND region_code >= ? AND region_code < ?")),
			 4 * (int)strlen(" AND (name LIKE ? ESCAPE '\\' OR no LIKE ? ESCAPE '\\')"));
	yj_q_free(q);
	q = yj_q_select(&t, "id", &sc);
	yj_q_search(q, cols, ids, " \t");
	assert_string_equal(yj_q_sql(q), "SELECT id FROM things WHERE 1=1 AND region_code >= ? AND region_code < ?");
	yj_q_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(region_prefixes),
		cmocka_unit_test(scope_allows_subtree_only),
		cmocka_unit_test(select_carries_scope),
		cmocka_unit_test(update_carries_scope_after_set),
		cmocka_unit_test(unrestricted_has_no_predicate),
		cmocka_unit_test(subject_set_narrows_scoped_tables),
		cmocka_unit_test(subject_bound_scope_allows_only_its_subjects),
		cmocka_unit_test(search_words_over_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
