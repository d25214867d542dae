/* test_complaints.c — the complaints module's pure rules (bigram similarity, tracking codes, the
 * 督办 ladder, which step each state allows) and its overdue job on a migrated store (a temporary
 * SQLite file, or YJ_TEST_DB's PostgreSQL): each late matter climbs the ladder once per level, with a
 * step, an audit leaf and a to-do for the leaders; a paused or settled matter does not. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../testdb.h"

#include "base/date.h"
#include "base/id.h"
#include "complaints/cmp_int.h"
#include "platform/audit/audit.h"

static yj_testdb t;
static store *db;

static int setup(void **state)
{
	char *err = NULL;
	db = yj_testdb_open(&t, "complaints");
	yj_id_seed(977);
	if (yj_audit_keys_load(t.dir, &err) < 0)
		fail_msg("keys: %s", err);
	return 0;
}

static int teardown(void **state)
{
	yj_testdb_close(&t);
	return 0;
}

static void similarity(void **state)
{
	const char *a = "城西菜市场旁有人无证开设牙科诊所，给人拔牙镶牙，卫生条件很差。";
	const char *b = "城西菜市场旁边有人无证开牙科诊所给人拔牙镶牙，卫生条件差。";
	const char *c = "该诊所晚上营业到很晚，噪音扰民，希望有关部门管一管。";
	assert_int_equal(yj_cmp_similarity(a, a), 1000);
	assert_true(yj_cmp_similarity(a, b) >= YJ_CMP_DUP_THRESHOLD);
	assert_true(yj_cmp_similarity(a, c) < YJ_CMP_DUP_THRESHOLD);
	assert_int_equal(yj_cmp_similarity(a, b), yj_cmp_similarity(b, a));
	/* Punctuation, spaces and ASCII case say nothing. */
	assert_int_equal(yj_cmp_similarity("无证行医，拔牙！", "无证 行医 拔牙"), 1000);
	assert_int_equal(yj_cmp_similarity("CT检查收费", "ct检查收费"), 1000);
	assert_int_equal(yj_cmp_similarity("甲乙", "丙丁"), 0);
	assert_int_equal(yj_cmp_similarity("", ""), 1000);
	assert_int_equal(yj_cmp_similarity("甲", "甲"), 1000);
	assert_int_equal(yj_cmp_similarity("甲", "乙"), 0);
	assert_int_equal(yj_cmp_similarity("", "甲乙"), 0);
	/* A repeated bigram counts as often as it occurs on both sides (multisets). */
	assert_int_equal(yj_cmp_similarity("哈哈哈", "哈哈"), 2000 * 1 / 3);
	/* Malformed UTF-8 is skipped, not read past. */
	assert_int_equal(yj_cmp_similarity("\xe4\xb8", "\xe4\xb8"), 1000);
}

static void tracking_codes(void **state)
{
	unsigned char r1[10] = {0}, r2[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	char a[YJ_CMP_CODE_LEN + 1], b[YJ_CMP_CODE_LEN + 1];
	yj_cmp_tracking_code(r1, a);
	yj_cmp_tracking_code(r2, b);
	assert_string_equal(a, "TS0000000000000000");
	assert_string_equal(b, "TSZZZZZZZZZZZZZZZZ");
	r1[9] = 1;
	yj_cmp_tracking_code(r1, a);
	assert_string_equal(a, "TS0000000000000001");
	assert_true(yj_cmp_code_valid(a) && yj_cmp_code_valid(b));
	assert_false(yj_cmp_code_valid("TS000000000000000I")); /* not in Crockford's alphabet */
	assert_false(yj_cmp_code_valid("TS00000000000000000"));
	assert_false(yj_cmp_code_valid("XX0000000000000000"));
	assert_false(yj_cmp_code_valid(NULL));
}

static void ladder_and_states(void **state)
{
	assert_int_equal(yj_cmp_supervise_level(100, 100), 0);
	assert_int_equal(yj_cmp_supervise_level(100, 101), 1);
	assert_int_equal(yj_cmp_supervise_level(100, 104), 1);
	assert_int_equal(yj_cmp_supervise_level(100, 105), 2);
	assert_int_equal(yj_cmp_supervise_level(100, 110), 3);
	assert_true(yj_cmp_action_allowed(YJ_CMP_DISPATCH, "received", 0));
	assert_false(yj_cmp_action_allowed(YJ_CMP_DISPATCH, "dispatched", 0));
	assert_true(yj_cmp_action_allowed(YJ_CMP_REPLY, "accepted", 0));
	assert_false(yj_cmp_action_allowed(YJ_CMP_REPLY, "accepted", 1));
	assert_true(yj_cmp_action_allowed(YJ_CMP_RESUME, "accepted", 1));
	assert_false(yj_cmp_action_allowed(YJ_CMP_RETURN, "replied", 0));
	assert_false(yj_cmp_action_allowed(YJ_CMP_MERGE, "closed", 0));
	assert_true(yj_cmp_action_allowed(YJ_CMP_REVISIT, "replied", 0));
	assert_false(yj_cmp_action_allowed(YJ_CMP_REFER, "received", 0));
	assert_string_equal(yj_cmp_state_label("accepted"), "办理中");
	assert_string_equal(yj_cmp_state_label("nonsense"), "nonsense");
}

struct put_arg {
	int64_t id;
	const char *set;
};

static int put_tx(store_conn *c, void *argp)
{
	struct put_arg *a = argp;
	char code[YJ_CMP_CODE_LEN + 1];
	unsigned char rnd[10] = {0};
	memcpy(rnd, &a->id, sizeof a->id);
	yj_cmp_tracking_code(rnd, code);
	cmp_new n = {.id = a->id, .tracking_code = code, .channel = "phone", .category = "medical_service", .title = "测试",
		     .content = "测试内容", .region_code = "330302", .department = "health", .received_on = "2026-01-02"};
	json_t *set = json_loads(a->set, 0, NULL);
	int rc = cmp_insert(c, &n, 1);
	if (rc >= 0)
		rc = cmp_update(c, a->id, set, 2);
	json_decref(set);
	return rc;
}

static int64_t level_of(int64_t id)
{
	char s[21];
	yj_id_format(id, s);
	return yj_testdb_int(&t, "SELECT supervise_level FROM complaints WHERE id = ?", s);
}

static void overdue_ladder(void **state)
{
	struct put_arg late = {yj_id_new(), "{\"state\": \"accepted\", \"department\": \"market\", \"handle_due\": \"2026-01-05\"}"},
		       paused = {yj_id_new(), "{\"state\": \"accepted\", \"paused\": 1, \"handle_due\": \"2026-01-05\"}"},
		       unaccepted = {yj_id_new(), "{\"state\": \"dispatched\", \"accept_due\": \"2026-01-08\"}"},
		       replied = {yj_id_new(), "{\"state\": \"replied\", \"handle_due\": \"2026-01-05\"}"};
	struct put_arg *all[] = {&late, &paused, &unaccepted, &replied};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(store_tx(db, put_tx, all[i]), ST_OK);
	int raised = -1;
	assert_int_equal(yj_cmp_overdue_run(db, "2026-01-05", &raised), ST_OK);
	assert_int_equal(raised, 0); /* due today is not late */
	assert_int_equal(yj_cmp_overdue_run(db, "2026-01-06", &raised), ST_OK);
	assert_int_equal(raised, 1);
	assert_int_equal(level_of(late.id), 1);
	assert_int_equal(yj_cmp_overdue_run(db, "2026-01-06", &raised), ST_OK);
	assert_int_equal(raised, 0); /* once per level */
	assert_int_equal(yj_cmp_overdue_run(db, "2026-01-10", &raised), ST_OK);
	assert_int_equal(raised, 2); /* the late one to 2, the unaccepted one to 1 */
	assert_int_equal(level_of(late.id), 2);
	assert_int_equal(level_of(unaccepted.id), 1);
	assert_int_equal(yj_cmp_overdue_run(db, "2026-02-01", &raised), ST_OK);
	assert_int_equal(level_of(late.id), 3);
	assert_int_equal(level_of(paused.id), 0);
	assert_int_equal(level_of(replied.id), 0);
	char s[21];
	yj_id_format(late.id, s);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM complaint_steps WHERE complaint_id = ? AND step = 'supervised'", s), 3);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM todos WHERE kind = 'complaints.supervise' AND object_id = ?"
					   " AND role = 'leader' AND department = 'market' AND state = 'open'", s), 1);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM audit_leaves WHERE action = 'complaint.supervise' AND object_id = ?", s), 3);
}

/* A return is refused after 5 working days from dispatch, whatever the handler writes; inside the
 * window it goes back to the desk (steps run as the console's, through seed.c). */
struct step_arg {
	int64_t id;
	const char *step, *department, *body;
	int rc;
	char *why;
};

static int step_tx(store_conn *c, void *arg)
{
	struct step_arg *a = arg;
	json_t *b = a->body ? json_loads(a->body, 0, NULL) : NULL;
	free(a->why);
	a->why = NULL;
	a->rc = yj_cmp_seed_step(c, a->id, a->step, b, a->department, "cli:test", &a->why);
	json_decref(b);
	return a->rc < 0 ? a->rc : ST_OK;
}

static void return_window(void **state)
{
	/* dispatched on Monday 2026-09-21: the fifth working day after it is Tuesday 2026-09-29, Friday the
	 * 25th being the seeded 中秋 holiday — long before today */
	struct put_arg old = {yj_id_new(), "{\"state\": \"dispatched\", \"department\": \"market\", \"dispatched_on\": \"2026-09-21\"}"};
	assert_int_equal(store_tx(db, put_tx, &old), ST_OK);
	struct step_arg a = {old.id, "return", "market", "{\"reason\": \"不属于本部门职责\"}", 0, NULL};
	assert_int_equal(store_tx(db, step_tx, &a), YJ_REFUSED);
	assert_non_null(strstr(a.why, "5 个工作日"));
	assert_non_null(strstr(a.why, "2026-09-29"));
	/* another department may not answer for it */
	struct step_arg b = {old.id, "accept", "insurance", NULL, 0, NULL};
	assert_int_equal(store_tx(db, step_tx, &b), YJ_REFUSED);
	assert_non_null(strstr(b.why, "办理部门"));
	char s[21];
	yj_id_format(old.id, s);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM complaints WHERE id = ? AND state = 'dispatched'", s), 1);
	/* a matter dispatched today goes back */
	char today[11], *set = NULL;
	yj_day_today(today);
	set = yj_asprintf("{\"state\": \"dispatched\", \"department\": \"market\", \"dispatched_on\": \"%s\"}", today);
	struct put_arg fresh = {yj_id_new(), set};
	assert_int_equal(store_tx(db, put_tx, &fresh), ST_OK);
	struct step_arg c = {fresh.id, "return", "market", "{\"reason\": \"不属于本部门职责\"}", 0, NULL};
	assert_int_equal(store_tx(db, step_tx, &c), ST_OK);
	assert_int_equal(c.rc, 1);
	yj_id_format(fresh.id, s);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM complaints WHERE id = ? AND state = 'received' AND department = 'health'"
					   " AND dispatch_round = 1", s), 1);
	free(set);
	free(a.why);
	free(b.why);
	free(c.why);
}

/* An unanswered transfer past its day goes to the health commission's leaders once; an answered one
 * does not. */
static void transfer_escalation(void **state)
{
	yj_testdb_exec(&t, "INSERT INTO complaint_transfers (id, from_department, to_department, region_code, title, content,"
			   " subject_name, state, sent_on, due_on, reply_text, created_by, created_at, updated_at) VALUES"
			   " (901, 'market', 'insurance', '330302', '移送', '内容内容内容', '', 'sent', '2026-03-01', '2026-03-16', '', 'x', 0, 0),"
			   " (902, 'market', 'insurance', '330302', '移送', '内容内容内容', '', 'replied', '2026-03-01', '2026-03-16', '好', 'x', 0, 0)");
	int n = -1;
	assert_int_equal(yj_cmp_transfers_overdue_run(db, "2026-03-16", &n), ST_OK);
	assert_int_equal(n, 0); /* the due day itself is in time */
	assert_int_equal(yj_cmp_transfers_overdue_run(db, "2026-03-17", &n), ST_OK);
	assert_int_equal(n, 1);
	assert_int_equal(yj_cmp_transfers_overdue_run(db, "2026-03-20", &n), ST_OK);
	assert_int_equal(n, 0); /* once */
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM todos WHERE kind = 'complaints.transfer_overdue' AND object_id = 901"
					   " AND role = 'leader' AND department = 'health'", NULL), 1);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM todos WHERE kind = 'complaints.transfer_overdue' AND object_id = 902", NULL), 0);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM audit_leaves WHERE action = 'complaint.transfer.escalate'", NULL), 1);
}

/* More late matters than one batch of the job: every one climbs (the job pages by id). */
static void overdue_many(void **state)
{
	enum { N = 250 };
	for (int i = 0; i < N; i++) {
		struct put_arg a = {yj_id_new(), "{\"state\": \"accepted\", \"handle_due\": \"2026-03-02\"}"};
		assert_int_equal(store_tx(db, put_tx, &a), ST_OK);
	}
	int raised = -1;
	assert_int_equal(yj_cmp_overdue_run(db, "2026-03-03", &raised), ST_OK);
	assert_int_equal(raised, N);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM complaints WHERE handle_due = ? AND supervise_level = 1", "2026-03-02"), N);
}

/* Working days between two days follow the calendar: the seeded 2026 National Day week (10-01 to
 * 10-07 off, Saturday 10-10 a make-up working day). */
static int between_tx(store_conn *c, void *arg)
{
	int *n = arg;
	return cmp_workdays_between(c, "2026-09-30", "2026-10-10", n);
}

static void workdays_between(void **state)
{
	int n = -1;
	assert_int_equal(store_tx(db, between_tx, &n), ST_OK);
	assert_int_equal(n, 3); /* 10-08, 10-09 and the make-up 10-10 */
}

/* Rewards (举报奖励): the amount by the insurance-fund rule's grade, its floors, the insiders' bonus, the
 * cap, the range without a fund loss; the claim period in calendar months. */
static void reward_amounts(void **state)
{
	const yj_cmp_reward_rule r = {20000, 20000000, 200, 20000, 100000, 2};
	const yj_cmp_reward_grade g1 = {1, 30, 40000}, g3 = {3, 10, 20000};
	assert_int_equal(yj_cmp_reward_amount(&r, &g1, 5000000, 0, 0), 150000);      /* 3 % of 50,000 yuan */
	assert_int_equal(yj_cmp_reward_amount(&r, &g1, 5000000, 1, 0), 180000);      /* +20 % insider */
	assert_int_equal(yj_cmp_reward_amount(&r, &g1, 100000, 0, 0), 40000);	      /* the grade's floor, 400 yuan */
	assert_int_equal(yj_cmp_reward_amount(&r, &g3, 100, 0, 0), 20000);	      /* the rule's floor, 200 yuan */
	assert_int_equal(yj_cmp_reward_amount(&r, &g1, 10000000000LL, 1, 0), 20000000); /* the cap, 200,000 yuan */
	assert_int_equal(yj_cmp_reward_amount(&r, &g3, 1234567, 0, 0), 20000);	      /* 123.45 yuan below the floor */
	assert_int_equal(yj_cmp_reward_amount(&r, &g3, 4567890, 0, 0), 45600);	      /* 456.789 yuan, whole yuan down */
	assert_int_equal(yj_cmp_reward_amount(&r, NULL, 0, 0, 80000), 80000);	      /* no fund lost: within 200–1,000 */
	assert_int_equal(yj_cmp_reward_amount(&r, NULL, 0, 0, 100001), -1);
	assert_int_equal(yj_cmp_reward_amount(&r, NULL, 0, 0, 19999), -1);
	assert_int_equal(yj_cmp_reward_amount(&r, NULL, 5000000, 0, 0), -1);
	assert_int_equal(yj_cmp_reward_amount(&r, &g1, -1, 0, 0), -1);
	assert_null(yj_cmp_reward_refusal("replied", 1, 0, 1, 1, 1));
	assert_null(yj_cmp_reward_refusal("closed", 1, 0, 1, 1, 1));
	assert_non_null(yj_cmp_reward_refusal("accepted", 1, 0, 1, 1, 1));
	assert_non_null(yj_cmp_reward_refusal("replied", 0, 0, 1, 1, 1));
	assert_non_null(yj_cmp_reward_refusal("replied", 1, 1, 1, 1, 1));
	assert_non_null(yj_cmp_reward_refusal("replied", 1, 0, 1, 0, 1));
	int64_t d;
	char out[11];
	const char *cases[][2] = {{"2026-03-15", "2026-05-15"}, {"2026-12-31", "2027-02-28"}, {"2027-12-30", "2028-02-29"},
				  {"2026-11-30", "2027-01-30"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(yj_day_parse(cases[i][0], &d), 0);
		yj_day_format(yj_cmp_add_months(d, 2), out);
		assert_string_equal(out, cases[i][1]);
	}
}

/* An approved reward not paid by its last day is forfeited once, the day after; a paid one is not. */
static void reward_expiry(void **state)
{
	struct put_arg a = {yj_id_new(), "{\"state\": \"closed\", \"substantiated\": 1}"}, b = {yj_id_new(), "{\"state\": \"closed\"}"};
	assert_int_equal(store_tx(db, put_tx, &a), ST_OK);
	assert_int_equal(store_tx(db, put_tx, &b), ST_OK);
	char sa[21], sb[21], *sql;
	yj_id_format(a.id, sa);
	yj_id_format(b.id, sb);
	sql = yj_asprintf("INSERT INTO complaint_rewards (id, complaint_id, region_code, department, rule_code, grade, case_value_fen,"
			  " insider, amount_fen, state, note, proposed_on, proposed_by, decision_note, claim_until, payment_ref,"
			  " created_at, updated_at) VALUES (951, %s, '330302', 'health', 'insurance_fund', 1, 100, 0, 20000,"
			  " 'approved', '', '2026-01-05', 'x', '', '2026-03-05', '', 0, 0), (952, %s, '330302', 'health',"
			  " 'insurance_fund', 1, 100, 0, 20000, 'paid', '', '2026-01-05', 'x', '', '2026-03-05', 'PZ', 0, 0)",
			  sa, sb);
	yj_testdb_exec(&t, sql);
	free(sql);
	int n = -1;
	assert_int_equal(yj_cmp_rewards_expire_run(db, "2026-03-05", &n), ST_OK);
	assert_int_equal(n, 0); /* the last day is in time */
	assert_int_equal(yj_cmp_rewards_expire_run(db, "2026-03-06", &n), ST_OK);
	assert_int_equal(n, 1);
	assert_int_equal(yj_cmp_rewards_expire_run(db, "2026-04-01", &n), ST_OK);
	assert_int_equal(n, 0);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM complaint_rewards WHERE state = 'forfeited'", NULL), 1);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM complaint_rewards WHERE id = 952 AND state = 'paid'", NULL), 1);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM audit_leaves WHERE action = 'complaint.reward.forfeit'", NULL), 1);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM complaint_steps WHERE step = 'reward_forfeited' AND complaint_id = ?", sa), 1);
}

/* The daily reporting-rate job: a grid whose found problems are not all reported is in its town's
 * leaders' inbox; once reported, that to-do is closed. */
static void patrol_rate(void **state)
{
	yj_testdb_exec(&t, "INSERT INTO grids (id, code, name, region_code, created_at, updated_at) VALUES"
			   " (801, '330302801', '测试网格', '330302', 0, 0), (802, '330302802', '无问题网格', '330302', 0, 0)");
	yj_testdb_exec(&t, "INSERT INTO grid_patrols (id, grid_id, grid_code, region_code, department, subject_id, member_id,"
			   " patrolled_on, lat, lng, checklist, problems, note, state, report_text, created_at) VALUES"
			   " (811, 801, '330302801', '330302', 'health', 1, 1, '2026-03-10', '28', '120', '{}', 1, '', 'found', '', 0),"
			   " (812, 801, '330302801', '330302', 'health', 1, 1, '2026-03-11', '28', '120', '{}', 0, '', 'clear', '', 0),"
			   " (813, 801, '330302801', '330302', 'health', 1, 1, '2025-01-11', '28', '120', '{}', 1, '', 'found', '', 0),"
			   " (814, 802, '330302802', '330302', 'health', 1, 1, '2026-03-11', '28', '120', '{}', 0, '', 'clear', '', 0)");
	int n = -1;
	assert_int_equal(yj_cmp_patrol_rate_run(db, "2026-03-20", &n), ST_OK);
	assert_int_equal(n, 1); /* 801: 0 of 1 reported in the window (813 is older); 802 found nothing */
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM todos WHERE kind = 'complaints.patrol_rate' AND object_id = 801"
					   " AND role = 'leader' AND state = 'open'", NULL), 1);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM todos WHERE kind = 'complaints.patrol_rate' AND object_id = 802", NULL), 0);
	yj_testdb_exec(&t, "UPDATE grid_patrols SET state = 'reported' WHERE id = 811");
	assert_int_equal(yj_cmp_patrol_rate_run(db, "2026-03-20", &n), ST_OK);
	assert_int_equal(n, 0);
	assert_int_equal(yj_testdb_int(&t, "SELECT COUNT(*) FROM todos WHERE kind = 'complaints.patrol_rate' AND object_id = 801"
					   " AND state = 'done'", NULL), 1);
}

/* Who sees the reporter in clear: the accepting handler while handling and replied, the desk's
 * liaison for the revisit once replied; nobody before acceptance or after closure. */
static void reporter_access(void **state)
{
	(void)state;
	assert_int_equal(yj_cmp_reporter_access("accepted", 1, 1, 0), YJ_CMP_REPORTER_OK);
	assert_int_equal(yj_cmp_reporter_access("replied", 1, 1, 0), YJ_CMP_REPORTER_OK);
	assert_int_equal(yj_cmp_reporter_access("accepted", 1, 0, 0), YJ_CMP_REPORTER_NOT_HANDLER);
	assert_int_equal(yj_cmp_reporter_access("accepted", 1, 0, 1), YJ_CMP_REPORTER_NOT_HANDLER);
	assert_int_equal(yj_cmp_reporter_access("replied", 0, 0, 1), YJ_CMP_REPORTER_OK);
	assert_int_equal(yj_cmp_reporter_access("replied", 0, 0, 0), YJ_CMP_REPORTER_OTHER_DEPT);
	assert_int_equal(yj_cmp_reporter_access("accepted", 0, 1, 0), YJ_CMP_REPORTER_OTHER_DEPT);
	for (int i = 0; i < 5; i++) {
		const char *st = (const char *[]){"received", "dispatched", "closed", "merged", "rejected"}[i];
		assert_int_equal(yj_cmp_reporter_access(st, 1, 1, 1), YJ_CMP_REPORTER_NOT_HANDLER);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(similarity),
		cmocka_unit_test(tracking_codes),
		cmocka_unit_test(ladder_and_states),
		cmocka_unit_test(overdue_ladder),
		cmocka_unit_test(overdue_many),
		cmocka_unit_test(return_window),
		cmocka_unit_test(transfer_escalation),
		cmocka_unit_test(workdays_between),
		cmocka_unit_test(reward_amounts),
		cmocka_unit_test(reward_expiry),
		cmocka_unit_test(patrol_rate),
		cmocka_unit_test(reporter_access),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
