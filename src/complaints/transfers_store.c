/* transfers_store.c — the SQL of clue transfers between departments (线索移送): a transfer as JSON from
 * either end (the receiver's remit scopes the inbox, the sender's the outbox), its insert, reply and
 * escalation, the boxes' query and the overdue sweep's statement (docs/complaints.md, "Transfers"). */
#define _POSIX_C_SOURCE 200809L
#include "transfers_int.h"
#include "../base/date.h"

#include <string.h>

/* The same table seen from each end: the receiver's remit scopes the inbox, the sender's the outbox. */
static const yj_table in_t = {"complaint_transfers", "region_code", "to_department", NULL};
static const yj_table out_t = {"complaint_transfers", "region_code", "from_department", NULL};
#define T_COLS                                                                                                  \
	"id, from_department, to_department, region_code, title, content, subject_name, complaint_id, state, sent_on," \
	" due_on, reply_text, replied_on, escalated_at, created_at"

const char TRF_OVERDUE_SQL[] =
	"SELECT id FROM complaint_transfers WHERE state = 'sent' AND due_on < ? AND escalated_at IS NULL AND id > ? ORDER BY id LIMIT 200";

/* A row of T_COLS; overdue: unanswered after its day, or answered after it (late). */
static json_t *row_json(store_stmt *st, void *arg)
{
	(void)arg;
	char today[11];
	yj_day_today(today);
	const char *state = store_col_text(st, 8), *due = store_col_text(st, 10), *replied = store_col_text(st, 12);
	int open = !strcmp(state, "sent");
	json_t *o = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:b, s:I}", "id",
			      yj_json_id(store_col_int64(st, 0)), "from_department", store_col_text(st, 1), "to_department",
			      store_col_text(st, 2), "region_code", store_col_text(st, 3), "title", store_col_text(st, 4),
			      "content", store_col_text(st, 5), "subject_name", store_col_text(st, 6), "complaint_id",
			      store_col_is_null(st, 7) ? json_null() : yj_json_id(store_col_int64(st, 7)), "state", state,
			      "sent_on", store_col_text(st, 9), "due_on", due, "reply_text", store_col_text(st, 11),
			      "replied_on", cmp_text_or_null(st, 12), "overdue", open && strcmp(today, due) > 0, "late",
			      !open && replied && strcmp(replied, due) > 0, "escalated", !store_col_is_null(st, 13),
			      "created_at", (json_int_t)store_col_int64(st, 14));
	return o;
}

/* The transfer in either box of sc: ST_OK, ST_NOTFOUND or a failure. */
int trf_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &in_t, T_COLS, sc, id, &st);
	if (rc == ST_NOTFOUND)
		rc = yj_q_one_by_id(c, &out_t, T_COLS, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	*out = row_json(st, NULL);
	store_finalize(st);
	return ST_OK;
}

int trf_insert(store_conn *c, const trf_row *t)
{
	int64_t now = yj_now_ms();
	store_stmt *st = store_prepare(c, "INSERT INTO complaint_transfers (id, from_department, to_department, region_code, title,"
					  " content, subject_name, complaint_id, state, sent_on, due_on, reply_text, replied_on,"
					  " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, t->id);
	store_bind_text(st, 2, t->from, -1);
	store_bind_text(st, 3, t->to, -1);
	store_bind_text(st, 4, t->region, -1);
	store_bind_text(st, 5, t->title, -1);
	store_bind_text(st, 6, t->content, -1);
	store_bind_text(st, 7, t->subject_name ? t->subject_name : "", -1);
	if (t->complaint)
		store_bind_int64(st, 8, t->complaint);
	else
		store_bind_null(st, 8);
	store_bind_text(st, 9, t->reply ? "replied" : "sent", -1);
	store_bind_text(st, 10, t->sent_on, -1);
	store_bind_text(st, 11, t->due_on, -1);
	store_bind_text(st, 12, t->reply ? t->reply : "", -1);
	store_bind_text(st, 13, t->replied_on, -1);
	store_bind_text(st, 14, t->actor, -1);
	store_bind_int64(st, 15, now);
	store_bind_int64(st, 16, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int trf_titled(store_conn *c, const char *title, int64_t *n)
{
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM complaint_transfers WHERE title = ?");
	*n = 0;
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, title, -1);
	int rc = store_step(st);
	if (rc == ST_ROW)
		*n = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int trf_set_replied(store_conn *c, int64_t id, const char *text, const char *today)
{
	store_stmt *st = store_prepare(c, "UPDATE complaint_transfers SET state = 'replied', reply_text = ?, replied_on = ?,"
					  " updated_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, text, -1);
	store_bind_text(st, 2, today, -1);
	store_bind_int64(st, 3, yj_now_ms());
	store_bind_int64(st, 4, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int trf_set_escalated(store_conn *c, int64_t id)
{
	store_stmt *st = store_prepare(c, "UPDATE complaint_transfers SET escalated_at = ?, updated_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	int64_t now = yj_now_ms();
	store_bind_int64(st, 1, now);
	store_bind_int64(st, 2, now);
	store_bind_int64(st, 3, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

yj_qb *trf_box_query(const yj_scope *sc, int outbox, const char *state, int overdue)
{
	yj_qb *q = yj_q_select(outbox ? &out_t : &in_t, T_COLS, sc);
	if (state && *state) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, state);
	}
	if (overdue) {
		char today[11];
		yj_day_today(today);
		yj_q_where(q, "((state = 'sent' AND due_on < ?) OR (state = 'replied' AND replied_on > due_on))");
		yj_q_text(q, today);
	}
	return q;
}

json_t *trf_row_json(store_stmt *st, void *arg)
{
	return row_json(st, arg);
}
