/* test_credit.c — credit supervision on a temporary SQLite file or YJ_TEST_DB's PostgreSQL: the
 * pure rules (cycles, periods, the longest repair period, the score), with the properties that
 * adding a penalty never raises a grade and removing an expired record never lowers one; points
 * from enforcement, inspection and claims events and by hand, natural-year cycles across a year end,
 * thresholds starting and lifting consequences; grades announced to inspection's read model; the
 * nightly end of disclosures; and the handlers in-process: an appeal past its period, points without
 * a source, a repair before the minimum period, checks of unknown subjects and decisions. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../apitest.h"
#include "base/id.h"
#include "base/date.h"
#include "cli/cli.h"
#include "cli/modules.h"
#include "credit/credit_int.h"
#include "platform/auth/auth.h"
#include "platform/http/http.h"
#include "platform/module.h"

#define INST 77
#define INST2 78
#define PRAC 88

static yj_testdb t;
static yj_server *srv;
static char *admin_tok, *liaison_tok;
extern const yj_subscriber yj_insp_credit_subscriber;

/* Dispatches method url with body as the bearer of tok; *out the parsed response (caller decrefs). */
static int call(const char *tok, const char *method, const char *url, const char *body, json_t **out)
{
	return yj_api_call(srv, tok, method, url, body, out);
}

static int64_t q(const char *sql)
{
	return yj_testdb_int(&t, sql, NULL);
}

static void deliver(void)
{
	while (yj_events_deliver(t.db, &yj_credit_subscriber, yj_now_ms(), NULL) > 0)
		;
	while (yj_events_deliver(t.db, &yj_insp_credit_subscriber, yj_now_ms(), NULL) > 0)
		;
}

struct emit_arg {
	const char *type, *stype, *sid, *payload;
};
static int emit_tx(store_conn *c, void *arg)
{
	struct emit_arg *e = arg;
	json_t *p = json_loads(e->payload, 0, NULL);
	assert_non_null(p);
	int rc = yj_event_emit(c, &(yj_event){e->type, e->stype, e->sid, "330302", "test", p}, NULL);
	json_decref(p);
	return rc;
}
static void emit(const char *type, const char *stype, const char *sid, const char *payload)
{
	struct emit_arg e = {type, stype, sid, payload};
	assert_int_equal(store_tx(t.db, emit_tx, &e), ST_OK);
}

static int setup(void **state)
{
	(void)state;
	srv = yj_api_open(&t, "credit", 1212);
	yj_api_user(&t, "c.admin", "admin", "330302", "health");
	yj_api_user(&t, "c.liaison", "liaison", "330302", "market");
	admin_tok = yj_api_token(&t, "c.admin");
	liaison_tok = yj_api_token(&t, "c.liaison");
	for (int i = 0; i < 2; i++) {
		char sql[600];
		snprintf(sql, sizeof sql,
			 "INSERT INTO institutions (id, credit_code, name, type, level, grade, ownership, profit, clinical_depts,"
			 " beds, equipment, region_code, insurance_designated, state, version, created_at, updated_at) VALUES (%d,"
			 " '91330302TEST000%02dX', '信用测试诊所%d', 'clinic', 'none', 'none', 'private', 'forprofit', '03', 0, '',"
			 " '330302', 0, 'active', 1, 0, 0)", INST + i, INST + i, i);
		yj_testdb_exec(&t, sql);
	}
	yj_testdb_exec(&t, "INSERT INTO practitioners (id, name, sex, birth_date, id_cipher, id_hash, id_masked, certificate_no,"
			   " category, practice_type, institution_id, region_code, prescription_right, antibiotic_grade,"
			   " surgical_grade, insurance_physician, state, version, created_at, updated_at) VALUES (88, '张医师', 'M',"
			   " '1980-01-01', 'x', 'h88', '3303**********0011', 'D330302000088', 'physician', 'clinical', 77, '330302',"
			   " 1, 'none', 0, 1, 'active', 1, 0, 0)");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	yj_server_free(srv);
	free(admin_tok);
	free(liaison_tok);
	yj_testdb_close(&t);
	return 0;
}

/* ---- pure rules ---- */

static void cycles_and_periods(void **state)
{
	(void)state;
	char out[11];
	assert_int_equal(credit_cycle_year("2026-12-31"), 2026);
	assert_int_equal(credit_cycle_year("2027-01-01"), 2027);
	assert_int_equal(credit_cycle_year("2026-13-01"), 0);
	credit_add_months("2026-12-31", 3, out);
	assert_string_equal(out, "2027-03-30");
	credit_add_months("2026-01-31", 1, out);
	assert_string_equal(out, "2026-02-27");
	credit_add_months("2026-05-01", 36, out);
	assert_string_equal(out, "2029-04-30");
	const char *kinds[] = {"warning", "fine", "revoke_licence"};
	int mins[] = {3, 3, 12}, maxs[] = {36, 36, 36}, lo, hi;
	credit_repair_months("fine,revoke_licence", kinds, mins, maxs, 3, &lo, &hi);
	assert_int_equal(lo, 12); /* several kinds: the longest */
	credit_repair_months("fine", kinds, mins, maxs, 3, &lo, &hi);
	assert_int_equal(lo, 3);
	assert_int_equal(hi, 36);
	credit_repair_months("", kinds, mins, maxs, 3, &lo, &hi);
	assert_int_equal(lo, 3);
}

static const credit_indicator IND[] = {
	{"PEN", "处罚", "penalties", "", 30, 10}, {"SER", "严重", "serious", "", 30, 30}, {"PTS", "记分", "points", "", 24, 2},
	{"CMP", "投诉", "complaints", "", 10, 2},  {"INS", "检查", "inspection", "", 10, 5}, {"COM", "表彰", "commendations", "", 5, 5},
};

static char grade_of(const credit_counts *k)
{
	return credit_grade_of(credit_score(IND, 6, k, NULL), 90, 75, 60);
}

/* Property: from any counts, one more penalty (serious or not) never raises the grade, and one
 * fewer record of any kind that counts against the subject never lowers it. */
static void grade_properties(void **state)
{
	(void)state;
	srand(20261206);
	for (int i = 0; i < 20000; i++) {
		credit_counts k = {rand() % 5, 0, rand() % 15, rand() % 8, rand() % 4, rand() % 3};
		k.serious = k.penalties ? rand() % (k.penalties + 1) : 0;
		char g = grade_of(&k);
		credit_counts more = k;
		more.penalties++;
		if (rand() % 2)
			more.serious++;
		assert_true(grade_of(&more) >= g); /* 'A' < 'D': a later letter is a lower grade */
		credit_counts fewer = k;
		int64_t *f[] = {&fewer.penalties, &fewer.points, &fewer.complaints, &fewer.inspection};
		int64_t *x = f[rand() % 4];
		if (*x > 0) {
			(*x)--;
			if (fewer.serious > fewer.penalties)
				fewer.serious = fewer.penalties;
			assert_true(grade_of(&fewer) <= g);
		}
	}
	json_t *contrib;
	credit_counts k = {2, 1, 4, 0, 0, 1};
	assert_int_equal(credit_score(IND, 6, &k, &contrib), 100 - 20 - 30 - 8 + 5);
	assert_int_equal(json_array_size(contrib), 6);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(contrib, 1), "value")), -30);
	json_decref(contrib);
	/* The nightly stores counts as text; read back under the same indicators they are the
	 * contributions credit_score gives (names with quotes, backslashes and control characters
	 * included), and a full array written before the counts were stored reads as it is. */
	credit_indicator odd[7];
	memcpy(odd, IND, sizeof IND);
	odd[6] = (credit_indicator){"Q\"1", "引号\"\\\n\t\x01/名", "penalties", "源\"", 7, 1};
	char *heads[7];
	for (int i = 0; i < 7; i++)
		assert_non_null(heads[i] = credit_count_head(&odd[i]));
	char text[4096];
	credit_counts none = {0};
	assert_int_equal(credit_score_counts(odd, heads, 7, &none, text, sizeof text), 100);
	assert_string_equal(text, "{}");
	srand(1206);
	for (int i = 0; i < 500; i++) {
		credit_counts c = {rand() % 5, rand() % 3, rand() % 15, rand() % 8, rand() % 4, rand() % 3};
		int score = credit_score_counts(odd, heads, 7, &c, text, sizeof text);
		assert_int_equal(score, credit_score(odd, 7, &c, &contrib));
		json_t *back = credit_contributions_of(odd, 7, text);
		assert_true(json_equal(back, contrib));
		json_decref(back);
		char *full = json_dumps(contrib, JSON_COMPACT);
		back = credit_contributions_of(odd, 7, full);
		assert_true(json_equal(back, contrib));
		json_decref(back);
		free(full);
		json_decref(contrib);
		if (strlen(text) >= 20)
			assert_int_equal(credit_score_counts(odd, heads, 7, &c, text, 20), -1); /* too small: refused */
	}
	for (int i = 0; i < 7; i++)
		free(heads[i]);
}

/* ---- points from events, cycles, consequences ---- */

static void decisions_score_and_revocation_voids(void **state)
{
	(void)state;
	emit("enforcement.decision_issued", "enforcement_case", "5001",
	     "{\"case_id\":\"5001\",\"decision_no\":\"温鹿卫医罚〔2026〕12号\",\"subject_kind\":\"institution\",\"subject_id\":\"77\","
	     "\"violation_code\":\"V-01\",\"penalty_kinds\":[\"warning\",\"fine\"],\"fine_fen\":500000,\"serious\":true,"
	     "\"decided_on\":\"2026-03-10\",\"public_until\":\"2029-03-09\",\"department\":\"health\"}");
	emit("enforcement.decision_issued", "enforcement_case", "5002",
	     "{\"case_id\":\"5002\",\"decision_no\":\"温鹿卫医罚〔2026〕13号\",\"subject_kind\":\"institution\",\"subject_id\":\"77\","
	     "\"violation_code\":\"V-02\",\"penalty_kinds\":[\"fine\"],\"fine_fen\":100000,\"serious\":false,"
	     "\"decided_on\":\"2026-04-01\",\"public_until\":\"2026-10-01\",\"department\":\"health\"}");
	emit("enforcement.decision_issued", "enforcement_case", "5003",
	     "{\"case_id\":\"5003\",\"decision_no\":\"温鹿卫医罚〔2026〕14号\",\"subject_kind\":\"institution\",\"subject_id\":\"999\","
	     "\"violation_code\":\"V-02\",\"penalty_kinds\":[\"fine\"],\"fine_fen\":1,\"serious\":false,"
	     "\"decided_on\":\"2026-04-01\",\"public_until\":\"2026-10-01\",\"department\":\"health\"}");
	deliver();
	assert_int_equal(q("SELECT SUM(points) FROM credit_points WHERE subject_id = 77 AND cycle_year = 2026"), 8);
	assert_int_equal(q("SELECT points FROM credit_points WHERE source_id = '5001'"), 6);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_records WHERE category = 'penalty' AND subject_id = 77"), 2);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_records WHERE disclose_until = '2029-03-09' AND serious = 1"), 1);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_points WHERE subject_id = 999"), 0); /* unregistered: nothing */
	/* Redelivering the same decision (a changed one with the same rule) scores nothing twice. */
	emit("enforcement.decision_changed", "enforcement_case", "5002",
	     "{\"case_id\":\"5002\",\"decision_no\":\"温鹿卫医罚〔2026〕13号\",\"subject_kind\":\"institution\",\"subject_id\":\"77\","
	     "\"violation_code\":\"V-02\",\"penalty_kinds\":[\"fine\",\"suspend_practice\"],\"fine_fen\":200000,\"serious\":true,"
	     "\"decided_on\":\"2026-04-01\",\"public_until\":\"2026-10-01\",\"department\":\"health\",\"reason\":\"复议变更\"}");
	deliver();
	/* Changed to serious: the general rule's 2 points are void, the serious rule's 6 count. */
	assert_int_equal(q("SELECT SUM(points) FROM credit_points WHERE subject_id = 77 AND state <> 'void'"), 12);
	assert_int_equal(q("SELECT fine_fen FROM credit_records WHERE source_id = '5002' AND category = 'penalty'"), 200000);
	/* 12 points: the institution's three consequences are in force for 2026, ending 31 December. */
	assert_int_equal(q("SELECT COUNT(*) FROM credit_consequences WHERE subject_id = 77 AND state = 'in_force' AND"
			   " ends_on = '2026-12-31' AND cycle_year = 2026"), 3);
	emit("enforcement.decision_revoked", "enforcement_case", "5002",
	     "{\"case_id\":\"5002\",\"decision_no\":\"温鹿卫医罚〔2026〕13号\",\"subject_kind\":\"institution\",\"subject_id\":\"77\","
	     "\"reason\":\"撤销\"}");
	deliver();
	assert_int_equal(q("SELECT SUM(points) FROM credit_points WHERE subject_id = 77 AND state <> 'void'"), 6);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_consequences WHERE subject_id = 77 AND state = 'in_force'"), 0);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_consequences WHERE subject_id = 77 AND state = 'lifted'"), 3);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_records WHERE source_id = '5002' AND category = 'penalty' AND state = 'void'"), 1);
}

static int points_tx(store_conn *c, void *arg)
{
	int64_t id;
	return yj_credit_points_add(c, arg, &id);
}

static void practitioner_cycles_across_year_end(void **state)
{
	(void)state;
	yj_credit_points_in a = {"practitioner", PRAC, "330302", "MIP-B3", 8, "2026-06-01", "manual", "医保处〔2026〕1号",
				 "医保处〔2026〕1号", "test"};
	assert_int_equal(store_tx(t.db, points_tx, &a), ST_OK);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_consequences WHERE subject_id = 88"), 0);
	/* the 2027 points are the next cycle's: 2026 stays at 8 */
	yj_credit_points_in b = {"practitioner", PRAC, "330302", "MIP-B1", 3, "2027-01-02", "manual", "医保处〔2027〕1号",
				 "医保处〔2027〕1号", "test"};
	assert_int_equal(store_tx(t.db, points_tx, &b), ST_OK);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_consequences WHERE subject_id = 88"), 0);
	/* Points by hand in 2026 reach 9: suspension for its months from the day reached. */
	yj_credit_points_in c9 = {"practitioner", PRAC, "330302", "MIP-B1", 1, "2026-12-31", "manual", "医保处〔2026〕9号",
				  "医保处〔2026〕9号", "test"};
	assert_int_equal(store_tx(t.db, points_tx, &c9), ST_OK);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_consequences WHERE subject_id = 88 AND rule_code = 'PRA-9' AND"
			   " starts_on = '2026-12-31' AND ends_on = '2027-03-30' AND cycle_year = 2026"), 1);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_consequences WHERE subject_id = 88 AND rule_code = 'PRA-12'"), 0);
	yj_credit_points_in c12 = {"practitioner", PRAC, "330302", "MIP-B1", 3, "2026-12-31", "manual", "医保处〔2026〕10号",
				   "医保处〔2026〕10号", "test"};
	assert_int_equal(store_tx(t.db, points_tx, &c12), ST_OK);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_consequences WHERE subject_id = 88 AND rule_code = 'PRA-12' AND"
			   " ends_on = '2027-12-30'"), 1);
	/* The 2027 cycle counts only 2027's points (history kept). */
	assert_int_equal(q("SELECT SUM(points) FROM credit_points WHERE subject_id = 88 AND cycle_year = 2026"), 12);
	assert_int_equal(q("SELECT SUM(points) FROM credit_points WHERE subject_id = 88 AND cycle_year = 2027"), 3);
	/* A confirmed claims flag scores the physician named by its physician_code, on the event's day. */
	emit("claims.flag_confirmed", "claim_flag", "7001",
	     "{\"state\":\"confirmed\",\"rule_id\":\"R-OVER\",\"institution_code\":\"91330302TEST00077X\",\"amount_fen\":1200,"
	     "\"physician_code\":\"D330302000088\"}");
	deliver();
	assert_int_equal(q("SELECT COUNT(*) FROM credit_points WHERE source_type = 'claim_flag' AND subject_id = 88 AND"
			   " rule_code = 'MIP-B1' AND points = 1"), 1);
	/* A point outside its band, or without a source, is refused and writes nothing. */
	yj_credit_points_in bad = {"practitioner", PRAC, "330302", "MIP-B1", 4, "2026-12-31", "manual", "x", "x", "test"};
	assert_int_equal(store_tx(t.db, points_tx, &bad), ST_ERR);
	yj_credit_points_in nodoc = {"practitioner", PRAC, "330302", "MIP-B1", 1, "2026-12-31", "manual", "y", "", "test"};
	assert_int_equal(store_tx(t.db, points_tx, &nodoc), ST_ERR);
}

static void scoring_findings_only(void **state)
{
	(void)state;
	int64_t before = q("SELECT COUNT(*) FROM credit_points WHERE subject_id = 78");
	emit("inspection.finding_recorded", "inspection_task", "6001",
	     "{\"task_id\":\"6001\",\"subject_id\":\"78\",\"finding\":{\"id\":\"6101\",\"point_code\":\"MW-03\",\"severity\":\"major\","
	     "\"created_at\":1780000000000}}");
	emit("inspection.finding_recorded", "inspection_task", "6001",
	     "{\"task_id\":\"6001\",\"subject_id\":\"78\",\"finding\":{\"id\":\"6102\",\"point_code\":\"MQ-01\",\"severity\":\"minor\","
	     "\"created_at\":1780000000000}}");
	emit("inspection.task_completed", "inspection_task", "6001",
	     "{\"task_id\":\"6001\",\"subject_id\":\"78\",\"outcome\":\"non_compliant\",\"completed_on\":\"2026-05-28\"}");
	deliver();
	assert_int_equal(q("SELECT COUNT(*) FROM credit_points WHERE subject_id = 78") - before, 1);
	assert_int_equal(q("SELECT points FROM credit_points WHERE subject_id = 78 AND rule_code = 'INS-MW-03'"), 4);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_records WHERE subject_id = 78 AND category = 'inspection'"), 1);
}

/* ---- evaluation, the grade event and inspection's read model ---- */

struct ev_arg {
	int64_t id;
	const char *today;
	char grade[2];
};
static int eval_tx(store_conn *c, void *arg)
{
	struct ev_arg *e = arg;
	return yj_credit_evaluate(c, "institution", e->id, "330302", e->today, e->grade);
}

static void grades_reach_inspection(void **state)
{
	(void)state;
	struct ev_arg e = {INST, "2026-06-01", ""};
	assert_int_equal(store_tx(t.db, eval_tx, &e), ST_OK);
	/* 77: one serious penalty in publication (−10 −30) and 6 points (−12): 48 → D */
	assert_string_equal(e.grade, "D");
	assert_int_equal(q("SELECT score FROM credit_grades WHERE subject_id = 77"), 48);
	deliver();
	assert_int_equal(q("SELECT COUNT(*) FROM subject_signals WHERE subject_id = 77 AND credit_grade = 'D'"), 1);
	int64_t events = q("SELECT COUNT(*) FROM events WHERE type = 'credit.grade_changed'");
	assert_int_equal(store_tx(t.db, eval_tx, &e), ST_OK); /* unchanged: no second event */
	assert_int_equal(q("SELECT COUNT(*) FROM events WHERE type = 'credit.grade_changed'"), events);
	/* 78: 4 points (−8) and a non-compliant inspection (−5): 87 → B. */
	struct ev_arg f = {INST2, "2026-06-01", ""};
	assert_int_equal(store_tx(t.db, eval_tx, &f), ST_OK);
	assert_string_equal(f.grade, "B");
	assert_int_equal(q("SELECT score FROM credit_grades WHERE subject_id = 78"), 87);
}

static void nightly_ends_disclosures_on_their_day(void **state)
{
	(void)state;
	/* 5001 is disclosed until 2029-03-09; on 2029-03-10 it ends, dated its last day, and 77 improves. */
	int64_t n = 0;
	assert_int_equal(yj_credit_nightly(t.db, "2029-03-10", &n), ST_OK);
	assert_true(n >= 3);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_records WHERE source_id = '5001' AND category = 'penalty' AND state ="
			   " 'expired' AND ended_on = '2029-03-09'"), 1);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_grades WHERE subject_id = 77 AND grade = 'A'"), 1);
	/* Removing an expired record never lowers a grade: the grade stays. */
	yj_testdb_exec_tx(&t, "DELETE FROM credit_records WHERE state = 'expired' AND subject_id = 77");
	assert_int_equal(yj_credit_nightly(t.db, "2029-03-11", &n), ST_OK);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_grades WHERE subject_id = 77 AND grade = 'A'"), 1);
}

struct prac_eval {
	int64_t id;
	char grade[2];
};
static int prac_eval_tx(store_conn *c, void *arg)
{
	struct prac_eval *e = arg;
	return yj_credit_evaluate(c, "practitioner", e->id, "330302", "2026-06-01", e->grade);
}

/* The nightly reads a page of subjects at a time and writes only what changed: across a page
 * boundary (2,500 subjects) its grades are those of the one-subject evaluation, each change of grade
 * has its history row, audit leaf and event, and a second night on the same day writes nothing. */
static void nightly_pages_match_one_at_a_time(void **state)
{
	(void)state;
	yj_testdb_exec_tx(&t, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 2500)"
			      " INSERT INTO credit_records (id, subject_kind, subject_id, region_code, category, title, source_type,"
			      " source_id, source_doc, occurred_on, disclose_until, serious, penalty_kinds, fine_fen, department,"
			      " state, created_at) SELECT 7000000 + i, 'practitioner', 9000000 + i, '330302', CASE WHEN i % 3 = 0"
			      " THEN 'penalty' WHEN i % 3 = 1 THEN 'complaint' ELSE 'licence' END, 't', 'test', 'p' || i, 'd' || i,"
			      " '2026-03-01', '2027-12-31', CASE WHEN i % 9 = 0 THEN 1 ELSE 0 END, '', 0, 'health', 'active', 0"
			      " FROM n");
	yj_testdb_exec_tx(&t, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 2500)"
			      " INSERT INTO credit_points (id, subject_kind, subject_id, region_code, rule_code, points, cycle_year,"
			      " occurred_on, source_type, source_id, source_doc, state, appeal_due, created_at, actor) SELECT"
			      " 7100000 + i, 'practitioner', 9000000 + i, '330302', 'MIP-B1', 1 + i % 3, 2026, '2026-03-01',"
			      " 'manual', 'p' || i, 'd' || i, 'confirmed', '2026-03-08', 0, 'test' FROM n WHERE i % 4 = 0");
	int64_t leaves = q("SELECT COUNT(*) FROM audit_leaves"), events = q("SELECT COUNT(*) FROM events WHERE type ="
									     " 'credit.grade_changed'");
	int64_t n = 0, stmts = store_conn_statements(store_conn_get(t.db));
	assert_int_equal(yj_credit_nightly(t.db, "2026-06-01", &n), ST_OK);
	assert_true(n >= 2500);
	/* Statements (each a round trip on PostgreSQL) grow with the pages, not the subjects: the
	 * statements of 500 rows, one page of 5,000 (docs/benchmarks.md). */
	stmts = store_conn_statements(store_conn_get(t.db)) - stmts;
	assert_true(stmts <= 60); /* 38 now; 146 with statements of 50 rows and pages of 1,000 */
	assert_int_equal(q("SELECT COUNT(*) FROM credit_grades WHERE subject_id >= 9000000 AND subject_id < 9002500"), 2500);
	/* Every new grade is a change from none: one history row, leaf and event each. */
	int64_t changed = q("SELECT COUNT(*) FROM credit_grade_history WHERE subject_id >= 9000000 AND subject_id < 9002500");
	assert_true(changed >= 2500);
	assert_true(q("SELECT COUNT(*) FROM audit_leaves") - leaves >= 2500);
	assert_true(q("SELECT COUNT(*) FROM events WHERE type = 'credit.grade_changed'") - events >= 2500);
	/* Grades differ across the set (penalties, serious ones, points) and match the one-at-a-time path. */
	assert_true(q("SELECT COUNT(DISTINCT score) FROM credit_grades WHERE subject_id >= 9000000 AND subject_id < 9002500") >= 4);
	for (int64_t i = 0; i < 2500; i += 123) {
		char sql[160];
		snprintf(sql, sizeof sql, "SELECT score FROM credit_grades WHERE subject_kind = 'practitioner' AND subject_id = %lld",
			 (long long)(9000000 + i));
		int64_t before = q(sql);
		struct prac_eval e = {9000000 + i, ""};
		assert_int_equal(store_tx(t.db, prac_eval_tx, &e), ST_OK);
		assert_int_equal(q(sql), before);
	}
	assert_int_equal(q("SELECT COUNT(*) FROM credit_grade_history WHERE subject_id >= 9000000 AND subject_id < 9002500"),
			 changed);
	/* A second night on the same day: nothing to write. */
	leaves = q("SELECT COUNT(*) FROM audit_leaves");
	events = q("SELECT COUNT(*) FROM events");
	int64_t updated = q("SELECT MAX(updated_at) FROM credit_grades");
	assert_int_equal(yj_credit_nightly(t.db, "2026-06-01", &n), ST_OK);
	assert_int_equal(q("SELECT COUNT(*) FROM audit_leaves"), leaves);
	assert_int_equal(q("SELECT COUNT(*) FROM events"), events);
	assert_int_equal(q("SELECT MAX(updated_at) FROM credit_grades"), updated);
}

/* ---- handlers ---- */

static void handlers_refuse_bad_input(void **state)
{
	(void)state;
	json_t *o;
	/* points without a source document */
	assert_int_equal(call(admin_tok, "POST", "/api/v1/credit/points",
			      "{\"subject_kind\":\"institution\",\"subject_id\":\"78\",\"rule_code\":\"INS-MAN\",\"points\":2,"
			      "\"occurred_on\":\"2026-01-05\",\"source_doc\":\"  \"}", &o), 422);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "errors"), 0), "field")), "source_doc");
	json_decref(o);
	int64_t n = q("SELECT COUNT(*) FROM credit_points");
	assert_int_equal(call(admin_tok, "POST", "/api/v1/credit/points",
			      "{\"subject_kind\":\"institution\",\"subject_id\":\"78\",\"rule_code\":\"INS-MAN\",\"points\":2,"
			      "\"occurred_on\":\"2026-01-05\",\"source_doc\":\"温鹿卫记〔2026〕1号\"}", &o), 201);
	json_decref(o);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_points"), n + 1);
	/* an appeal past its period: refused, nothing changed */
	yj_testdb_exec_tx(&t, "UPDATE credit_points SET appeal_due = '2026-01-12' WHERE source_doc = '温鹿卫记〔2026〕1号'");
	int64_t pid = q("SELECT id FROM credit_points WHERE source_doc = '温鹿卫记〔2026〕1号'");
	char url[128];
	snprintf(url, sizeof url, "/api/v1/credit/points/%lld/appeal", (long long)pid);
	assert_int_equal(call(admin_tok, "POST", url, "{\"reason\":\"不服\"}", &o), 422);
	assert_non_null(strstr(json_string_value(json_object_get(o, "type")), "appeal-period-over"));
	json_decref(o);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_points WHERE state = 'appealed'"), 0);
	/* within the period: appealed, then accepted, the points void */
	yj_testdb_exec_tx(&t, "UPDATE credit_points SET appeal_due = '2099-01-01' WHERE source_doc = '温鹿卫记〔2026〕1号'");
	assert_int_equal(call(admin_tok, "POST", url, "{\"reason\":\"非本机构行为\"}", &o), 200);
	json_decref(o);
	snprintf(url, sizeof url, "/api/v1/credit/points/%lld/appeal-decision", (long long)pid);
	assert_int_equal(call(admin_tok, "POST", url, "{\"result\":\"accepted\",\"reason\":\"申辩成立\"}", &o), 200);
	json_decref(o);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_points WHERE state = 'void' AND appeal_result = 'accepted'"), 1);
	/* a repair before the minimum period */
	assert_int_equal(call(admin_tok, "POST", "/api/v1/credit/records",
			      "{\"subject_kind\":\"institution\",\"subject_id\":\"78\",\"category\":\"penalty\",\"title\":\"罚款\","
			      "\"source_doc\":\"温鹿市监罚〔2099〕1号\",\"occurred_on\":\"2099-01-01\",\"penalty_kinds\":[\"fine\"]}", &o), 201);
	json_decref(o);
	int64_t rid = q("SELECT id FROM credit_records WHERE source_doc = '温鹿市监罚〔2099〕1号'");
	snprintf(url, sizeof url, "/api/v1/credit/records/%lld/repairs", (long long)rid);
	assert_int_equal(call(admin_tok, "POST", url, "{\"commitment\":\"承诺守信\",\"evidence\":\"已缴纳罚款\"}", &o), 422);
	assert_non_null(strstr(json_string_value(json_object_get(o, "type")), "repair-too-early"));
	json_decref(o);
	assert_int_equal(q("SELECT COUNT(*) FROM credit_repairs"), 0);
	/* checks: unknown subject, unknown decision, then an answer with the consequence in force */
	assert_int_equal(call(liaison_tok, "GET", "/api/v1/credit/check?subject=91330302NOSUCH000X&decision=grade_review", NULL, &o), 404);
	json_decref(o);
	assert_int_equal(call(liaison_tok, "GET", "/api/v1/credit/check?subject=91330302TEST00077X&decision=no_such", NULL, &o), 422);
	json_decref(o);
	int64_t leaves = q("SELECT COUNT(*) FROM audit_leaves");
	assert_int_equal(call(liaison_tok, "GET", "/api/v1/credit/check?subject=D330302000088&decision=insurance_payment", NULL, &o), 200);
	assert_true(json_is_boolean(json_object_get(o, "allowed")));
	assert_null(json_object_get(o, "points")); /* the answer, not the record */
	json_decref(o);
	assert_int_equal(q("SELECT COUNT(*) FROM audit_leaves"), leaves + 1);
	/* the liaison does not read whole files */
	assert_int_equal(call(liaison_tok, "GET", "/api/v1/credit/subjects/77", NULL, &o), 403);
	json_decref(o);
}

/* Every linkage rule restricts its decision exactly when its condition holds: for each rule a fresh
 * subject is checked before and after its condition is made true (a list entry, a grade, a
 * consequence in force), and the restriction names the rule, its source and its end. */
struct link_rule {
	char code[32], kind[16], cond[24], param[40], decision[40];
};
struct link_arg {
	struct link_rule *r;
	int64_t id;
	int phase; /* 0: check only; 1: make the condition hold, then check */
	json_t *out;
};
static int link_tx(store_conn *c, void *arg)
{
	struct link_arg *a = arg;
	const char *today = "2026-06-01";
	int rc = ST_OK;
	if (a->phase && !strcmp(a->r->cond, "list")) {
		const char *rule = !strcmp(a->r->param, "black") ? (!strcmp(a->r->kind, "institution") ? "BLACK-SER" : "BLACK-PRA")
							       : (!strcmp(a->r->kind, "institution") ? "SERIOUS-REVOKE" : "SERIOUS-PRA");
		int64_t eid;
		char until[11];
		rc = yj_credit_list_enter(c, a->r->param, a->r->kind, a->id, "330302", rule, "温鹿卫信〔2026〕99号", today, "test",
					  &eid, until);
	} else if (a->phase && !strcmp(a->r->cond, "grade_at_most")) {
		rc = credit_exec(c, NULL, "INSERT INTO credit_grades (subject_kind, subject_id, region_code, score, grade, model_version,"
					  " contributions, evaluated_on, updated_at) VALUES (?, ?, '330302', 10, ?, 1, '[]', ?, 0)",
				 "titt", a->r->kind, a->id, a->r->param, today);
	} else if (a->phase && !strcmp(a->r->cond, "consequence")) {
		rc = credit_exec(c, NULL, "INSERT INTO credit_consequences (id, subject_kind, subject_id, region_code, rule_code,"
					  " consequence, cycle_year, starts_on, ends_on, state, created_at) SELECT ?, ?, ?, '330302', code,"
					  " consequence, 2026, '2026-05-01', '2026-12-31', 'in_force', 0 FROM credit_consequence_rules WHERE"
					  " consequence = ? AND subject_kind = ?", "ititt", yj_id_new(), a->r->kind, a->id, a->r->param,
				 a->r->kind);
	}
	if (rc < 0)
		return rc;
	credit_subject s = {"", a->id, "330302", "", ""};
	snprintf(s.kind, sizeof s.kind, "%s", a->r->kind);
	return credit_check(c, &s, a->r->decision, today, &a->out);
}

static void every_linkage_rule(void **state)
{
	(void)state;
	store_conn *c = store_conn_get(t.db);
	store_stmt *st = store_prepare(c, "SELECT code, subject_kind, condition, param, decision FROM credit_linkage_rules ORDER BY code");
	struct link_rule rules[64];
	int n = 0;
	while (n < 64 && store_step(st) == ST_ROW) {
		snprintf(rules[n].code, sizeof rules[n].code, "%s", store_col_text(st, 0));
		snprintf(rules[n].kind, sizeof rules[n].kind, "%s", store_col_text(st, 1));
		snprintf(rules[n].cond, sizeof rules[n].cond, "%s", store_col_text(st, 2));
		snprintf(rules[n].param, sizeof rules[n].param, "%s", store_col_text(st, 3));
		snprintf(rules[n].decision, sizeof rules[n].decision, "%s", store_col_text(st, 4));
		n++;
	}
	store_finalize(st);
	assert_true(n >= 20);
	for (int i = 0; i < n; i++) {
		int64_t id = 5000 + i;
		struct link_arg a = {&rules[i], id, 0, NULL};
		assert_int_equal(store_tx(t.db, link_tx, &a), ST_OK);
		assert_int_equal(json_array_size(a.out), 0);
		json_decref(a.out);
		a.phase = 1;
		assert_int_equal(store_tx(t.db, link_tx, &a), ST_OK);
		int found = 0;
		size_t k;
		json_t *x;
		json_array_foreach(a.out, k, x)
		{
			if (strcmp(json_string_value(json_object_get(x, "rule")), rules[i].code))
				continue;
			found = 1;
			assert_true(strlen(json_string_value(json_object_get(x, "source"))) > 0);
			assert_true(strlen(json_string_value(json_object_get(x, "reason"))) > 0);
		}
		if (!found)
			fail_msg("rule %s (%s %s → %s) did not restrict", rules[i].code, rules[i].cond, rules[i].param, rules[i].decision);
		json_decref(a.out);
	}
	/* an unknown decision, or one for the other kind, is not found */
	credit_subject s = {"institution", INST, "330302", "", ""};
	json_t *out = NULL;
	assert_int_equal(credit_check(c, &s, "title_promotion", "2026-06-01", &out), ST_NOTFOUND);
	assert_int_equal(credit_check(c, &s, "no_such", "2026-06-01", &out), ST_NOTFOUND);
}

/* The check from a key (credit_check_subject: the registry's key and the check in one statement)
 * answers as the lookup followed by credit_check: every decision, for an institution by its credit
 * code, a practitioner by certificate number and by registry id, one of them black-listed. */
struct by_key_arg {
	int64_t entry;
};
static int list_inst2(store_conn *c, void *arg)
{
	struct by_key_arg *a = arg;
	char until[11];
	return yj_credit_list_enter(c, "black", "institution", INST2, "330302", "BLACK-SER", "温鹿卫信〔2026〕98号", "2026-06-01",
				    "test", &a->entry, until);
}

static void check_by_key_as_by_subject(void **state)
{
	(void)state;
	store_conn *c = store_conn_get(t.db);
	struct by_key_arg a = {0};
	assert_int_equal(store_tx(t.db, list_inst2, &a), ST_OK);
	static const struct { const char *q, *kind; int64_t id; } subj[] = {
		{"91330302TEST00077X", "institution", INST}, {"91330302TEST00078X", "institution", INST2},
		{"D330302000088", "practitioner", PRAC}, {"88", "practitioner", PRAC}};
	const char *decisions[] = {"grade_review", "institution_award", "title_promotion", "insurance_payment", "no_such"};
	int restricted = 0;
	for (size_t i = 0; i < sizeof subj / sizeof subj[0]; i++)
		for (size_t j = 0; j < sizeof decisions / sizeof decisions[0]; j++) {
			credit_subject want = {"", subj[i].id, "330302", "", ""}, got;
			snprintf(want.kind, sizeof want.kind, "%s", subj[i].kind);
			json_t *w = NULL, *g = NULL;
			int wrc = credit_check(c, &want, decisions[j], "2026-06-01", &w);
			/* with the caller's credential epochs read in the same statement, or without */
			yj_auth_epochs ep = {-1, -1, -1};
			int grc = credit_check_subject(c, subj[i].q, decisions[j], "2026-06-01", &got, &g, j % 2 ? &ep : NULL);
			if (grc != wrc || (w || g ? !w || !g || !json_equal(w, g) : 0))
				fail_msg("%s %s: %d against %d, or other restrictions", subj[i].q, decisions[j], grc, wrc);
			if (j % 2) /* a registry id is looked up apart, without them */
				assert_int_equal(ep.read, strcmp(subj[i].q, "88") != 0);
			/* the subject is known either way; an unknown decision says so with its id */
			assert_int_equal(got.id, subj[i].id);
			assert_string_equal(got.kind, subj[i].kind);
			assert_string_equal(got.region, "330302");
			restricted += (int)json_array_size(g);
			json_decref(w);
			json_decref(g);
		}
	assert_true(restricted > 0);
	credit_subject none;
	json_t *out = NULL;
	assert_int_equal(credit_check_subject(c, "91330302NOSUCH0000", "grade_review", "2026-06-01", &none, &out, NULL), ST_NOTFOUND);
	assert_int_equal(none.id, 0);
	assert_null(out);
	assert_int_equal(credit_check_subject(c, "999999", "grade_review", "2026-06-01", &none, &out, NULL), ST_NOTFOUND);
	assert_int_equal(none.id, 0);
	/* The epochs are the current ones, read by the check's own statement: a raise shows at once. */
	yj_auth_epochs e1, e2;
	credit_subject got;
	assert_int_equal(credit_check_subject(c, "91330302TEST00077X", "grade_review", "2026-06-01", &got, &out, &e1), ST_OK);
	json_decref(out);
	assert_int_equal(store_exec(c, "UPDATE cache_epochs SET n = n + 1 WHERE id = 1"), ST_OK);
	assert_int_equal(credit_check_subject(c, "91330302TEST00077X", "grade_review", "2026-06-01", &got, &out, &e2), ST_OK);
	json_decref(out);
	assert_true(e1.read && e2.read);
	assert_int_equal(e2.cred, e1.cred + 1);
	assert_int_equal(e2.ref, e1.ref);
	assert_int_equal(credit_check_subject(c, "91330302NOSUCH0000", "grade_review", "2026-06-01", &none, &out, &e1),
			 ST_NOTFOUND);
	assert_int_equal(e1.read, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cycles_and_periods),
		cmocka_unit_test(grade_properties),
		cmocka_unit_test(decisions_score_and_revocation_voids),
		cmocka_unit_test(practitioner_cycles_across_year_end),
		cmocka_unit_test(scoring_findings_only),
		cmocka_unit_test(grades_reach_inspection),
		cmocka_unit_test(nightly_ends_disclosures_on_their_day),
		cmocka_unit_test(handlers_refuse_bad_input),
		cmocka_unit_test(every_linkage_rule),
		cmocka_unit_test(nightly_pages_match_one_at_a_time),
		cmocka_unit_test(check_by_key_as_by_subject),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
