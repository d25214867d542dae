/* joint_store.c — the SQL of joint work (联合执法, 联席会议): actions, meetings and their decisions (tasks) as
 * JSON, their inserts and updates, the yearly target and count, and the lists' queries (docs/complaints.md,
 * "Joint work"). */
#define _POSIX_C_SOURCE 200809L
#include "joint_int.h"

#include <stdio.h>
#include <string.h>

static const yj_table act_t = {"joint_actions", "region_code", "department", NULL};
static const yj_table meet_t = {"joint_meetings", "region_code", "department", NULL};
static const yj_table task_t = {"joint_meeting_tasks", "region_code", "owner_department", NULL};
#define A_COLS "id, region_code, department, title, plan, participants, planned_on, state, result, done_on, created_at"
#define M_COLS "id, region_code, department, title, held_on, attendees, minutes, created_at"
#define K_COLS "id, meeting_id, region_code, owner_department, decision, due_on, state, result, done_on"

static json_t *codes(store_stmt *st, int col)
{
	json_t *a = json_loads(store_col_text(st, col), 0, NULL);
	return json_is_array(a) ? a : (json_decref(a), json_array());
}

json_t *jnt_action_json(store_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:I}", "id", yj_json_id(store_col_int64(st, 0)),
			 "region_code", store_col_text(st, 1), "department", store_col_text(st, 2), "title",
			 store_col_text(st, 3), "plan", store_col_text(st, 4), "participants", codes(st, 5), "planned_on",
			 store_col_text(st, 6), "state", store_col_text(st, 7), "result", store_col_text(st, 8), "done_on",
			 cmp_text_or_null(st, 9), "created_at", (json_int_t)store_col_int64(st, 10));
}

json_t *jnt_meeting_json(store_stmt *st, void *arg)
{
	(void)arg;
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:I}", "id", yj_json_id(store_col_int64(st, 0)), "region_code",
			 store_col_text(st, 1), "department", store_col_text(st, 2), "title", store_col_text(st, 3), "held_on",
			 store_col_text(st, 4), "attendees", codes(st, 5), "minutes", store_col_text(st, 6), "created_at",
			 (json_int_t)store_col_int64(st, 7));
}

json_t *jnt_task_json(store_stmt *st, void *arg)
{
	(void)arg;
	char today[11];
	yj_day_today(today);
	const char *state = store_col_text(st, 6), *due = store_col_text(st, 5);
	return json_pack("{s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "id", yj_json_id(store_col_int64(st, 0)),
			 "meeting_id", yj_json_id(store_col_int64(st, 1)), "region_code", store_col_text(st, 2),
			 "owner_department", store_col_text(st, 3), "decision", store_col_text(st, 4), "due_on", due, "state",
			 state, "result", store_col_text(st, 7), "done_on", cmp_text_or_null(st, 8), "overdue",
			 !strcmp(state, "open") && strcmp(today, due) > 0);
}

static int load(store_conn *c, const yj_table *t, const char *cols, yj_row_fn fn, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, t, cols, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	json_decref(*out);
	*out = fn(st, NULL);
	store_finalize(st);
	return ST_OK;
}

int jnt_meeting_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	int rc = load(c, &meet_t, M_COLS, jnt_meeting_json, sc, id, out);
	if (rc != ST_OK)
		return rc;
	store_stmt *st = store_prepare(c, "SELECT " K_COLS " FROM joint_meeting_tasks WHERE meeting_id = ? ORDER BY id");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	json_t *tasks = json_array();
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(tasks, jnt_task_json(st, NULL));
	store_finalize(st);
	json_object_set_new(*out, "tasks", tasks);
	return rc < 0 ? rc : ST_OK;
}

int jnt_action_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	return load(c, &act_t, A_COLS, jnt_action_json, sc, id, out);
}

int jnt_task_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	return load(c, &task_t, K_COLS, jnt_task_json, sc, id, out);
}

int jnt_meeting_load_as_party(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	int rc = jnt_meeting_load(c, sc, id, out);
	if (rc != ST_NOTFOUND || (rc = cmp_party_task(c, &task_t, "meeting_id", sc, id)) != ST_OK)
		return rc;
	yj_scope all;
	yj_scope_unrestricted(&all);
	return jnt_meeting_load(c, &all, id, out);
}

int jnt_action_insert(store_conn *c, int64_t id, const char *department, const json_t *b, const char *participants,
		      const char *actor, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO joint_actions (id, region_code, department, title, plan, participants, planned_on,"
					  " state, result, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', '', ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, cmp_s(b, "region_code"), -1);
	store_bind_text(st, 3, department, -1);
	store_bind_text(st, 4, cmp_s(b, "title"), -1);
	store_bind_text(st, 5, cmp_s(b, "plan"), -1);
	store_bind_text(st, 6, participants, -1);
	store_bind_text(st, 7, cmp_s(b, "planned_on"), -1);
	store_bind_text(st, 8, actor, -1);
	store_bind_int64(st, 9, now);
	store_bind_int64(st, 10, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int jnt_action_set_result(store_conn *c, int64_t id, const char *result, const char *done_on)
{
	store_stmt *st = store_prepare(c, "UPDATE joint_actions SET state = 'done', result = ?, done_on = ?, updated_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, result, -1);
	store_bind_text(st, 2, done_on, -1);
	store_bind_int64(st, 3, yj_now_ms());
	store_bind_int64(st, 4, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int jnt_meeting_insert(store_conn *c, int64_t id, const char *region, const char *department, const json_t *b,
		       const char *attendees, const char *actor, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO joint_meetings (id, region_code, department, title, held_on, attendees, minutes,"
					  " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, region, -1);
	store_bind_text(st, 3, department, -1);
	store_bind_text(st, 4, cmp_s(b, "title"), -1);
	store_bind_text(st, 5, cmp_s(b, "held_on"), -1);
	store_bind_text(st, 6, attendees, -1);
	store_bind_text(st, 7, cmp_s(b, "minutes"), -1);
	store_bind_text(st, 8, actor, -1);
	store_bind_int64(st, 9, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int jnt_task_insert(store_conn *c, int64_t tid, int64_t mid, const char *region, const json_t *d)
{
	store_stmt *st = store_prepare(c, "INSERT INTO joint_meeting_tasks (id, meeting_id, region_code, owner_department, decision,"
					  " due_on, state, result) VALUES (?, ?, ?, ?, ?, ?, 'open', '')");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, tid);
	store_bind_int64(st, 2, mid);
	store_bind_text(st, 3, region, -1);
	store_bind_text(st, 4, cmp_s(d, "owner_department"), -1);
	store_bind_text(st, 5, cmp_s(d, "decision"), -1);
	store_bind_text(st, 6, cmp_s(d, "due_on"), -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int jnt_task_set_done(store_conn *c, int64_t task, const char *result, const char *today, const char *actor)
{
	store_stmt *st = store_prepare(c, "UPDATE joint_meeting_tasks SET state = 'done', result = ?, done_on = ?, done_by = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, result, -1);
	store_bind_text(st, 2, today, -1);
	store_bind_text(st, 3, actor, -1);
	store_bind_int64(st, 4, task);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int jnt_target_of(store_conn *c, const char *region, int64_t *target)
{
	store_stmt *st = store_prepare(c, "SELECT region_code, per_year FROM joint_action_targets");
	size_t best = 0;
	int rc;
	*target = 1;
	if (!st)
		return ST_ERR;
	while ((rc = store_step(st)) == ST_ROW) {
		const char *code = store_col_text(st, 0);
		size_t n = strlen(code);
		while (n > 2 && code[n - 1] == '0' && code[n - 2] == '0')
			n -= 2; /* 330300 covers 3303… */
		if (!strncmp(region, code, n) && n > best) {
			best = n;
			*target = store_col_int64(st, 1);
		}
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int jnt_action_counts(store_conn *c, const yj_scope *sc, const char *region, const char *from, const char *to, int64_t *done,
		      int64_t *planned)
{
	yj_qb *q = yj_q_select(&act_t, "state, COUNT(*)", sc);
	yj_q_region(q, "region_code", region);
	yj_q_where(q, "planned_on >= ? AND planned_on <= ?");
	yj_q_text(q, from);
	yj_q_text(q, to);
	yj_q_tail(q, "GROUP BY state");
	store_stmt *st = yj_q_prepare(q, c);
	int rc = st ? ST_OK : ST_ERR;
	*done = *planned = 0;
	while (st && (rc = store_step(st)) == ST_ROW)
		*(strcmp(store_col_text(st, 0), "done") ? planned : done) += store_col_int64(st, 1);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

yj_qb *jnt_query(jnt_kind kind, const yj_scope *sc, const char *state, const char *year, const char *region)
{
	static const struct {
		const yj_table *t;
		const char *cols, *days;
	} kinds[] = {
		[JNT_ACTIONS] = {&act_t, A_COLS, "planned_on >= ? AND planned_on <= ?"},
		[JNT_MEETINGS] = {&meet_t, M_COLS, "held_on >= ? AND held_on <= ?"},
		[JNT_TASKS] = {&task_t, K_COLS, NULL},
	};
	yj_qb *q = yj_q_select(kinds[kind].t, kinds[kind].cols, sc);
	if (state && *state) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, state);
	}
	if (kinds[kind].days && year && *year) {
		char from[16], to[16];
		snprintf(from, sizeof from, "%.4s-01-01", year);
		snprintf(to, sizeof to, "%.4s-12-31", year);
		yj_q_where(q, kinds[kind].days);
		yj_q_text(q, from);
		yj_q_text(q, to);
	}
	if (region && *region)
		yj_q_region(q, "region_code", region);
	return q;
}
