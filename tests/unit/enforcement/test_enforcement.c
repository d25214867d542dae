/* test_enforcement.c — the enforcement module's clocks on the real working-day calendar (春节 2026 with
 * its 调休 Saturdays, 国庆节 2025 and 2026; a calendar-day period ending on a holiday moves to the next
 * working day), the late fee's cap, the discretion bands of the seeded benchmark table, the guards of
 * the state machine (role, officer, state, legal review before and after a hearing, collective
 * discussion, the decision clock), and the complaint subscriber's idempotent clue. SQLite, or the
 * PostgreSQL of YJ_TEST_DB. */
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
#include "../testdb.h"
#include "enforcement/enf_int.h"
#include "platform/auth/auth.h"
#include "platform/attach/attach.h"
#include "platform/module.h"

int enf_on_clue_referred(store_conn *c, const yj_event_view *ev, void *arg);
int enf_on_patrol_reported(store_conn *c, const yj_event_view *ev, void *arg);

static yj_testdb T;

static void period(int working, const char *from, int n, const char *want)
{
	char out[11];
	assert_int_equal(enf_period_end(store_conn_get(T.db), from, n, working, out), ST_OK);
	if (strcmp(out, want))
		fail_msg("%s + %d %s days: %s, want %s", from, n, working ? "working" : "calendar", out, want);
}

static void test_working_days_across_holidays(void **st)
{
	(void)st;
	/* 春节 2026: 02-14 (Sat) is a make-up working day, 02-15…02-23 holidays */
	period(1, "2026-02-12", 1, "2026-02-13");
	period(1, "2026-02-12", 2, "2026-02-14");
	period(1, "2026-02-12", 3, "2026-02-24");
	period(1, "2026-02-12", 5, "2026-02-26"); /* art. 64: five working days to request a hearing */
	/* 国庆节 2026: 10-01…10-07 holidays, 10-10 (Sat) worked */
	period(1, "2026-09-30", 3, "2026-10-10");
	period(1, "2026-09-30", 5, "2026-10-13");
	period(1, "2026-09-30", 7, "2026-10-15"); /* 双公示: seven working days */
	/* 国庆节 2025: 10-01…10-08 holidays, 10-11 (Sat) worked */
	period(1, "2025-09-30", 3, "2025-10-11");
}

static void test_calendar_days_roll_to_working_day(void **st)
{
	(void)st;
	/* art. 60: 90 calendar days from 2025-07-04 end on 2025-10-02, a holiday: next working day 10-09 */
	period(0, "2025-07-04", 90, "2025-10-09");
	/* art. 67: 15 days from 2026-01-31 end on 02-15 (春节): next working day 02-24 */
	period(0, "2026-01-31", 15, "2026-02-24");
	/* an ordinary Saturday moves to Monday; a 调休 Saturday is a working day and stays */
	period(0, "2026-03-01", 6, "2026-03-09");
	period(0, "2026-02-01", 13, "2026-02-14");
	period(0, "2026-03-02", 3, "2026-03-05");
	char out[11];
	assert_int_equal(enf_period_end(store_conn_get(T.db), "2026-02-30", 3, 0, out), ST_ERR);
}

static void test_late_fee(void **st)
{
	(void)st;
	assert_int_equal(enf_late_fee(10000, 10, 30), 3000);
	assert_int_equal(enf_late_fee(10000, 33, 30), 9900);
	assert_int_equal(enf_late_fee(10000, 34, 30), 10000); /* capped at the fine (art. 72) */
	assert_int_equal(enf_late_fee(10000, 3650, 30), 10000);
	assert_int_equal(enf_late_fee(10000, 0, 30), 0);
	assert_int_equal(enf_late_fee(0, 10, 30), 0);
	assert_int_equal(enf_late_fee(INT64_C(1000000000000), 33, 30), INT64_C(990000000000));
	assert_int_equal(enf_late_fee(333, 1, 30), 9);
}

static void band(const char *code, const char *tier, enf_band *b, int *dbl)
{
	int64_t version, max;
	char *tiers = NULL, name[256];
	assert_int_equal(enf_benchmark_get(store_conn_get(T.db), code, &version, &tiers, dbl, &max, name), ST_OK);
	assert_int_equal(version, 1);
	assert_int_equal(enf_band_of(tiers, tier, b), 0);
	free(tiers);
}

static void test_bands(void **st)
{
	(void)st;
	enf_band b;
	int dbl;
	json_t *wf = json_pack("[s, s]", "warning", "fine"), *rev = json_pack("[s, s]", "fine", "revoke_licence"),
	       *none = json_array(), *warn = json_pack("[s]", "warning");
	band("medical_waste", "general", &b, &dbl);
	assert_int_equal(b.fine_min, 1000000);
	assert_int_equal(b.fine_max, 2000000);
	assert_int_equal(dbl, 0);
	assert_true(enf_within_band(&b, wf, 1500000));
	assert_true(enf_within_band(&b, wf, 1000000));
	assert_false(enf_within_band(&b, wf, 999999));
	assert_false(enf_within_band(&b, wf, 2000001));
	assert_false(enf_within_band(&b, rev, 1500000));
	assert_false(enf_within_band(&b, warn, 1500000)); /* a fine needs the kind "fine" */
	band("medical_waste", "none", &b, &dbl);
	assert_true(enf_within_band(&b, none, 0));
	assert_false(enf_within_band(&b, warn, 0));
	band("unqualified_staff", "heavier", &b, &dbl);
	assert_true(enf_within_band(&b, rev, 10000000));
	band("unqualified_staff", "lighter", &b, &dbl);
	assert_false(enf_within_band(&b, rev, 2000000)); /* revocation only in the heaviest tier */
	band("dispute_handling", "general", &b, &dbl);
	assert_int_equal(dbl, 1);
	assert_int_equal(enf_band_of("{}", "general", &b), -1);
	assert_int_equal(enf_band_of("not json", "general", &b), -1);
	int64_t v, m;
	char *tiers = NULL, name[256];
	assert_int_equal(enf_benchmark_get(store_conn_get(T.db), "no_such", &v, &tiers, &dbl, &m, name), ST_NOTFOUND);
	json_decref(wf);
	json_decref(rev);
	json_decref(none);
	json_decref(warn);
}

static int guard(const enf_case *k, const char *action, unsigned role, int64_t user, const char *today, const json_t *body)
{
	char msg[512];
	return enf_guard(k, enf_action_find(action), role, user, today, body, msg, sizeof msg);
}

static void test_guards(void **st)
{
	(void)st;
	enf_case k = {.state = "investigating", .officers = {11, 12}, .nofficers = 2, .decision_due = "2026-06-30"};
	json_t *empty = json_object(), *waived = json_pack("{s:b}", "waived", 1);
	assert_int_equal(guard(&k, "conclude", ROLE_INSPECTOR, 11, "2026-04-01", empty), 0);
	assert_int_equal(guard(&k, "conclude", ROLE_INSPECTOR, 13, "2026-04-01", empty), 409); /* not an officer */
	assert_int_equal(guard(&k, "conclude", ROLE_LEADER, 11, "2026-04-01", empty), 409);   /* wrong role */
	assert_int_equal(guard(&k, "decide", ROLE_LEADER, 1, "2026-04-01", empty), 409);      /* wrong state */
	k.nofficers = 1;
	assert_int_equal(guard(&k, "conclude", ROLE_INSPECTOR, 11, "2026-04-01", empty), 409); /* art. 42 */
	k.nofficers = 2;
	/* a major case with an art. 58 trigger, proposal at step 5 */
	snprintf(k.state, sizeof k.state, "deliberated");
	k.serious = 1;
	k.t_complex = 1;
	k.proposal_seq = 5;
	assert_true(enf_legal_review_required(&k));
	assert_int_equal(guard(&k, "notify", ROLE_INSPECTOR, 11, "2026-04-01", empty), 409);
	k.legal_ok_seq = 7;
	assert_int_equal(guard(&k, "notify", ROLE_INSPECTOR, 11, "2026-04-01", empty), 409); /* collective discussion */
	k.collective_seq = 8;
	assert_int_equal(guard(&k, "notify", ROLE_INSPECTOR, 11, "2026-04-01", empty), 0);
	/* notified: the statement period runs unless waived; a hearing trigger adds its request period */
	snprintf(k.state, sizeof k.state, "notified");
	snprintf(k.statement_due, sizeof k.statement_due, "2026-04-06");
	k.hearing_trigger = 1;
	snprintf(k.hearing_request_due, sizeof k.hearing_request_due, "2026-04-08");
	assert_int_equal(guard(&k, "decide", ROLE_LEADER, 1, "2026-04-06", empty), 409);
	assert_int_equal(guard(&k, "decide", ROLE_LEADER, 1, "2026-04-07", empty), 409);
	assert_int_equal(guard(&k, "decide", ROLE_LEADER, 1, "2026-04-09", empty), 0);
	assert_int_equal(guard(&k, "decide", ROLE_LEADER, 1, "2026-04-06", waived), 0);
	assert_int_equal(guard(&k, "request_hearing", ROLE_INSPECTOR, 11, "2026-04-08", empty), 0);
	assert_int_equal(guard(&k, "request_hearing", ROLE_INSPECTOR, 11, "2026-04-09", empty), 409);
	/* heard: the hearing (step 10) needs a legal review after it; the presider is not an officer */
	snprintf(k.state, sizeof k.state, "hearing_requested");
	assert_int_equal(guard(&k, "hold_hearing", ROLE_INSPECTOR, 11, "2026-04-10", empty), 409);
	assert_int_equal(guard(&k, "hold_hearing", ROLE_LEGAL_REVIEWER, 20, "2026-04-10", empty), 0);
	snprintf(k.state, sizeof k.state, "heard");
	k.hearing_seq = 10;
	k.t_hearing_rights = 1;
	assert_int_equal(guard(&k, "decide", ROLE_LEADER, 1, "2026-04-10", empty), 409);
	k.legal_ok_seq = 11;
	assert_int_equal(guard(&k, "decide", ROLE_LEADER, 1, "2026-04-10", empty), 0);
	/* the decision clock: past it, an approved extension first */
	assert_int_equal(guard(&k, "decide", ROLE_LEADER, 1, "2026-07-01", empty), 409);
	assert_int_equal(guard(&k, "extend", ROLE_LEADER, 1, "2026-07-01", empty), 0);
	assert_int_equal(guard(&k, "extend", ROLE_INSPECTOR, 11, "2026-07-01", empty), 409);
	/* next states */
	json_t *ret = json_pack("{s:s}", "opinion", "return");
	assert_string_equal(enf_next_state(&k, enf_action_find("legal_review"), ret), "investigating");
	snprintf(k.prior_state, sizeof k.prior_state, "notified");
	assert_string_equal(enf_next_state(&k, enf_action_find("resume"), empty), "notified");
	/* crime suspected: no closing without transfer */
	enf_case t = {.state = "transferred", .suspect_crime = 1};
	assert_int_equal(guard(&t, "close", ROLE_LEADER, 1, "2026-04-10", empty), 409);
	t.transferred = 1;
	assert_int_equal(guard(&t, "close", ROLE_LEADER, 1, "2026-04-10", empty), 0);
	json_decref(ret);
	json_decref(empty);
	json_decref(waived);
}

static int deliver(store_conn *c, void *arg)
{
	return enf_on_clue_referred(c, arg, NULL);
}

static void test_complaint_clue(void **st)
{
	(void)st;
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "complaint_id", "777", "subject_kind", "institution", "category",
			      "illegal_practice", "department", "health", "received_on", "2026-03-02");
	yj_event_view ev = {.id = 1, .type = "complaints.clue_referred", .subject_type = "complaint", .subject_id = "777",
			    .region_code = "330302", .actor = "system", .payload = p};
	assert_int_equal(store_tx(T.db, deliver, &ev), ST_OK);
	assert_int_equal(store_tx(T.db, deliver, &ev), ST_OK); /* delivered again: still one clue */
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_clues WHERE source = 'complaint' AND source_ref = ?", "777"), 1);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_clues WHERE received_on = ?", "2026-03-02"), 1);
	json_decref(p);
}

static int deliver_patrol(store_conn *c, void *arg)
{
	return enf_on_patrol_reported(c, arg, NULL);
}

/* complaints.patrol_reported: one clue with source "grid_report" and the patrol id, however often it is delivered,
 * with its 案件受理记录; no free text of the member's in the clue */
static void test_patrol_clue(void **st)
{
	(void)st;
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:[s, s], s:s, s:s}", "patrol_id", "8801", "subject_kind", "institution",
			      "subject_id", "424242", "grid_code", "G330302001", "problems", "licence_displayed", "waste",
			      "reported_on", "2026-03-03", "department", "health");
	yj_event_view ev = {.id = 2, .type = "complaints.patrol_reported", .subject_type = "grid_patrol", .subject_id = "8801",
			    .region_code = "330302001", .actor = "system", .payload = p};
	assert_int_equal(store_tx(T.db, deliver_patrol, &ev), ST_OK);
	assert_int_equal(store_tx(T.db, deliver_patrol, &ev), ST_OK); /* delivered again: still one clue */
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_clues WHERE source = 'grid_report' AND source_ref = ?", "8801"), 1);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_clues WHERE source = 'grid_report' AND received_on = ?", "2026-03-03"), 1);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_clues WHERE source = 'grid_report' AND summary LIKE ?", "%licence_displayed、waste%"), 1);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_documents d JOIN enf_clues c ON c.id = d.clue_id"
					   " WHERE c.source = 'grid_report' AND d.kind = ?", "case_acceptance"), 1);
	/* another patrol is another clue */
	json_object_set_new(p, "patrol_id", json_string("8802"));
	assert_int_equal(store_tx(T.db, deliver_patrol, &ev), ST_OK);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_clues WHERE source = ?", "grid_report"), 2);
	json_decref(p);
}

/* The hourly job: a case before its decision whose deadline is near or past gets the leaders' deadline
 * to-do; one far from it, or suspended, or decided, gets none. */
static void test_clock_job(void **st)
{
	(void)st;
	int64_t u1 = 0, u2 = 0;
	char *err = NULL;
	yj_user_new a = {"enf.clock1", NULL, "Ceshi-mima-2026", "inspector", "330302", "health", NULL};
	yj_user_new b = {"enf.clock2", NULL, "Ceshi-mima-2026", "inspector", "330302", "health", NULL};
	if (yj_user_create(T.db, &a, "cli:test", &u1, &err) < 0 || yj_user_create(T.db, &b, "cli:test", &u2, &err) < 0)
		fail_msg("user: %s", err);
	char sql[2000];
	snprintf(sql, sizeof sql,
		 "INSERT INTO enf_clues (id, source, subject_kind, subject_id, subject_name, summary, received_on, state, region_code,"
		 " department, actor, created_at) VALUES (900, 'manual', 'institution', 1, '测试诊所', '测试', '2026-03-01', 'filed',"
		 " '330302', 'health', 'test', 0);"
		 "INSERT INTO enf_cases (id, clue_id, state, subject_kind, subject_id, subject_name, subject_code, officers, approved_by,"
		 " filed_on, decision_due, region_code, department, created_at, updated_at) VALUES"
		 " (901, 900, 'investigating', 'institution', 1, '超期诊所', '', '%lld,%lld', '1', '2026-02-01', '2026-05-04', '330302', 'health', 0, 0),"
		 " (902, 900, 'notified', 'institution', 1, '临期诊所', '', '%lld,%lld', '1', '2026-03-01', '2026-06-05', '330302', 'health', 0, 0),"
		 " (903, 900, 'filed', 'institution', 1, '远期诊所', '', '%lld,%lld', '1', '2026-05-20', '2026-08-18', '330302', 'health', 0, 0),"
		 " (904, 900, 'suspended', 'institution', 1, '中止诊所', '', '%lld,%lld', '1', '2026-01-20', '2026-04-20', '330302', 'health', 0, 0),"
		 " (905, 900, 'decided', 'institution', 1, '已决定诊所', '', '%lld,%lld', '1', '2026-01-20', '2026-04-20', '330302', 'health', 0, 0)",
		 (long long)u1, (long long)u2, (long long)u1, (long long)u2, (long long)u1, (long long)u2, (long long)u1, (long long)u2,
		 (long long)u1, (long long)u2);
	yj_testdb_exec_tx(&T, sql);
	int n = 0;
	assert_int_equal(enf_clock_run(T.db, "2026-06-01", &n), ST_OK);
	assert_int_equal(n, 4); /* 901 (overdue) and 902 (due in 4 days): a leaders' and an officers' to-do each */
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM todos WHERE kind = ? AND role = 'leader'", "enforcement.deadline"), 2);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM todos WHERE kind = 'enforcement.deadline' AND object_id IN (903, 904, 905)"
				       " AND kind <> ?", "x"),
			 0);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM todos WHERE kind = 'enforcement.case' AND title LIKE ?",
				       "处罚案件已超期%"),
			 1);
	/* run again the same day: the same to-dos, nothing added */
	assert_int_equal(enf_clock_run(T.db, "2026-06-01", &n), ST_OK);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM todos WHERE kind LIKE ?", "enforcement.%"), 4);
}

/* Supervision escalation: an active supervision past its own deadline (case still open) or with its report
 * overdue becomes escalated, with the supervising office's leaders' to-do and a step on the case; one in time
 * stays; a second run changes nothing. */
static void test_supervision_escalation(void **st)
{
	(void)st;
	yj_testdb_exec_tx(&T, "INSERT INTO enf_supervisions (id, case_id, state, office_region, office_department, supervisor, reason,"
			      " started_on, due_on, report_due, region_code, department, created_at) VALUES"
			      " (950, 901, 'active', '330300', 'health', '1', '督办', '2026-05-01', '2026-05-30', '2026-06-20', '330302', 'health', 1),"
			      " (951, 902, 'active', '330300', 'health', '1', '督办', '2026-05-01', '2026-07-30', '2026-05-25', '330302', 'health', 1),"
			      " (952, 903, 'active', '330300', 'health', '1', '督办', '2026-05-01', '2026-07-30', '2026-06-20', '330302', 'health', 1)");
	int n = 0;
	assert_int_equal(enf_supervision_clock_run(T.db, "2026-06-01", &n), ST_OK);
	assert_int_equal(n, 2);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_supervisions WHERE state = ?", "escalated"), 2);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_supervisions WHERE id = 952 AND state = ?", "active"), 1);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM todos WHERE kind = ? AND role = 'leader' AND region_code = '330300'",
				       "enforcement.supervision_escalated"),
			 2);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_steps WHERE action = ?", "supervision_escalate"), 2);
	assert_int_equal(enf_supervision_clock_run(T.db, "2026-06-01", &n), ST_OK);
	assert_int_equal(n, 0);
}

/* Migration 0004 renames the patrol clues of before it ("grid") to "grid_report"; one whose patrol id a hand-entered
 * report already carries keeps it as "patrol:<id>". Run here on rows made as they were (after test_patrol_clue). */
extern const yj_migration yj_enforcement_migrations[];
static void test_grid_source_migration(void **st)
{
	(void)st;
	const char *copy = "INSERT INTO enf_clues (id, source, source_ref, subject_kind, subject_id, subject_name, summary, received_on,"
			   " state, region_code, department, actor, created_at) SELECT id + %d, 'grid', '%s', subject_kind, subject_id,"
			   " subject_name, summary, received_on, state, region_code, department, actor, created_at FROM enf_clues"
			   " WHERE source = 'grid_report' AND source_ref = '8802'";
	char sql[600];
	snprintf(sql, sizeof sql, copy, 1, "8801"); /* collides with test_patrol_clue's grid_report 8801 */
	yj_testdb_exec_tx(&T, sql);
	snprintf(sql, sizeof sql, copy, 2, "8803");
	yj_testdb_exec_tx(&T, sql);
	const yj_migration *m = yj_enforcement_migrations;
	while (m->version && m->version != 4)
		m++;
	assert_int_equal(m->version, 4);
	/* its renaming statements alone: the index exists already */
	const char *upd = strstr(m->sql, "UPDATE enf_clues");
	assert_non_null(upd);
	yj_testdb_exec_tx(&T, upd);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_clues WHERE source = ?", "grid"), 0);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_clues WHERE source = 'grid_report' AND source_ref = ?", "patrol:8801"), 1);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_clues WHERE source = 'grid_report' AND source_ref = ?", "8803"), 1);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM enf_clues WHERE source = 'grid_report' AND source_ref = ?", "8801"), 1);
	/* PostgreSQL: the extended statistics of the state-filtered list */
	if (!strcmp(store_engine(T.db), "postgresql"))
		assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM pg_statistic_ext WHERE stxname = ? AND stxstattarget = 1000 AND stxnamespace ="
					       " (SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
					       "enf_cases_state_region_stats"),
				 1);
}

/* An evidence file of any size goes into the attachment store from a file, one chunk in memory at a time: the
 * content read back is the file, and the same content again is stored once. */
static int put_fd_tx(store_conn *c, void *arg)
{
	void **a = arg;
	return yj_blob_put_fd(c, *(int *)a[0], a[1], a[2]);
}

static void test_blob_from_file(void **st)
{
	(void)st;
	size_t n = 2 * YJ_BLOB_CHUNK + 12345;
	unsigned char *data = malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7 + i / 1000);
	FILE *in = tmpfile(), *out = tmpfile();
	assert_int_equal(fwrite(data, 1, n, in), n);
	fflush(in);
	int fd = fileno(in);
	char hex[65], hex2[65];
	int64_t size = 0;
	void *a[3] = {&fd, hex, &size};
	assert_int_equal(store_tx(T.db, put_fd_tx, a), ST_OK);
	assert_int_equal(size, (int64_t)n);
	assert_int_equal(yj_testdb_int(&T, "SELECT chunks FROM blobs WHERE sha256 = ?", hex), 3);
	int64_t before = yj_testdb_int(&T, "SELECT COUNT(*) FROM blob_chunks WHERE sha256 = ?", hex);
	a[1] = hex2;
	assert_int_equal(store_tx(T.db, put_fd_tx, a), ST_OK);
	assert_string_equal(hex, hex2);
	assert_int_equal(yj_testdb_int(&T, "SELECT COUNT(*) FROM blob_chunks WHERE sha256 = ?", hex), before);
	assert_int_equal(yj_blob_write(store_conn_get(T.db), hex, fileno(out)), ST_OK);
	fflush(out);
	rewind(out);
	unsigned char *back = malloc(n + 1);
	assert_int_equal(fread(back, 1, n + 1, out), n);
	assert_memory_equal(back, data, n);
	free(back);
	free(data);
	fclose(in);
	fclose(out);
}

int main(void)
{
	yj_testdb_open(&T, "enforcement");
	char keys[128], *err = NULL;
	snprintf(keys, sizeof keys, "%s/keys", T.dir);
	if (yj_audit_keys_load(keys, &err) < 0)
		fail_msg("keys: %s", err);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_working_days_across_holidays), cmocka_unit_test(test_calendar_days_roll_to_working_day),
		cmocka_unit_test(test_late_fee),		     cmocka_unit_test(test_bands),
		cmocka_unit_test(test_guards),			     cmocka_unit_test(test_complaint_clue),
		cmocka_unit_test(test_clock_job),		     cmocka_unit_test(test_supervision_escalation),
		cmocka_unit_test(test_patrol_clue),		     cmocka_unit_test(test_grid_source_migration),
		cmocka_unit_test(test_blob_from_file),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	yj_testdb_close(&T);
	return rc;
}
