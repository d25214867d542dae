/* oversight_store.c — the SQL of case oversight (案件督办 and 行刑衔接, oversight_api.c and police_api.c): the
 * latest supervision or transfer of a case as JSON, their inserts and updates, the case flags they set, the
 * side step that bumps the case, and the clock job's query of supervisions due for escalation. */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of each table read into JSON: ids as strings, counts and times as integers, the rest text. */
static const char *const sup_cols[] = {"id", "case_id", "state", "office_region", "office_department", "supervisor", "reason",
				       "started_on", "due_on", "report_due", "reports", "last_report_on", "escalated_on",
				       "escalation_reason", "lifted_on", "lift_reason", NULL};
static const char *const tr_cols[] = {"id", "case_id", "state", "reason", "charge", "attachments", "proposed_by", "proposed_on",
				      "approve_due", "approved_by", "approved_at", "approval_opinion", "receiving_org", "sent_at",
				      "letter_no", "receipt_on", "receipt_no", "police_decision_due", "police_decision",
				      "police_decided_on", "police_reason", "reconsider_requested_on", "reconsider_reason",
				      "reconsider_due", "reconsider_result", "reconsider_on", NULL};

/* The latest row of table for the case (NULL in *out when none). */
static int latest(store_conn *c, const char *table, const char *const cols[], int64_t case_id, json_t **out)
{
	char sql[1200];
	size_t n = (size_t)snprintf(sql, sizeof sql, "SELECT ");
	for (int i = 0; cols[i]; i++)
		n += (size_t)snprintf(sql + n, sizeof sql - n, "%s%s", i ? ", " : "", cols[i]);
	snprintf(sql + n, sizeof sql - n, " FROM %s WHERE case_id = ? ORDER BY created_at DESC, id DESC LIMIT 1", table);
	*out = NULL;
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, case_id);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		json_t *o = json_object();
		for (int i = 0; cols[i]; i++) {
			const char *k = cols[i];
			if (store_col_is_null(st, i))
				json_object_set_new(o, k, json_null());
			else if (!strcmp(k, "id") || !strcmp(k, "case_id")) {
				char s[21];
				yj_id_format(store_col_int64(st, i), s);
				json_object_set_new(o, k, json_string(s));
			} else if (!strcmp(k, "reports") || !strcmp(k, "approved_at") || !strcmp(k, "sent_at"))
				json_object_set_new(o, k, json_integer(store_col_int64(st, i)));
			else if (!strcmp(k, "attachments"))
				json_object_set_new(o, k, json_loads(store_col_text(st, i), 0, NULL));
			else
				json_object_set_new(o, k, json_string(store_col_text(st, i)));
		}
		*out = o;
		rc = ST_OK;
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* The day `from` + n calendar days (rolled to a working day when it ends on a rest day). */
int enf_days_after(store_conn *c, const char *from, int64_t n, char out[11])
{
	return enf_period_end(c, from, (int)n, 0, out);
}

/* The day of a time in ms (Asia/Shanghai). */
void enf_day_of_ms(int64_t ms, char out[11])
{
	yj_day_format((ms + 8 * 3600000LL) / 86400000LL, out);
}

int enf_exec_text(store_conn *c, const char *sql, const char *const *texts, int64_t last)
{
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	int i = 0;
	for (; texts[i]; i++)
		store_bind_text(st, i + 1, texts[i][0] == '\x01' ? NULL : texts[i], -1);
	store_bind_int64(st, i + 1, last);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* Bumps the case's version (serialising concurrent steps on it) and appends the step. */
int enf_side_step(store_conn *c, int64_t case_id, const json_t *row, const char *action, const char *from, const char *to,
		     const char *actor, const char *today, json_t *data)
{
	store_stmt *st = store_prepare(c, "UPDATE enf_cases SET version = version + 1, updated_at = ?, state = ? WHERE id = ?");
	if (!st) {
		json_decref(data);
		return ST_ERR;
	}
	store_bind_int64(st, 1, yj_now_ms());
	store_bind_text(st, 2, to, -1);
	store_bind_int64(st, 3, case_id);
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0) {
		json_decref(data);
		return rc;
	}
	int seq = 0;
	return enf_step_append(c, case_id, action, from, to, actor, today, data, enf_str(row, "region_code"), enf_str(row, "department"),
			       &seq);
}

int enf_sup_latest(store_conn *c, int64_t case_id, json_t **out)
{
	return latest(c, "enf_supervisions", sup_cols, case_id, out);
}

int enf_tr_latest(store_conn *c, int64_t case_id, json_t **out)
{
	return latest(c, "enf_police_transfers", tr_cols, case_id, out);
}

/* ---- 案件督办 ---- */

int enf_sup_insert(store_conn *c, const enf_sup_new *n)
{
	store_stmt *st = store_prepare(c, "INSERT INTO enf_supervisions (id, case_id, state, office_region, office_department,"
					  " supervisor, reason, started_on, due_on, report_due, region_code, department, created_at)"
					  " VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_int64(st, 2, n->case_id);
	store_bind_text(st, 3, n->office_region, -1);
	store_bind_text(st, 4, n->office_dept, -1);
	store_bind_text(st, 5, n->actor, -1);
	store_bind_text(st, 6, n->reason, -1);
	store_bind_text(st, 7, n->today, -1);
	store_bind_text(st, 8, n->due_on, -1);
	store_bind_text(st, 9, n->report_due, -1);
	store_bind_text(st, 10, n->region, -1);
	store_bind_text(st, 11, n->dept, -1);
	store_bind_int64(st, 12, yj_now_ms());
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int enf_sup_report(store_conn *c, int64_t sid, const char *today, const char *report_due)
{
	const char *p[] = {today, report_due, NULL};
	return enf_exec_text(c, "UPDATE enf_supervisions SET reports = reports + 1, last_report_on = ?, report_due = ? WHERE id = ?", p,
			     sid);
}

int enf_sup_lift(store_conn *c, int64_t sid, const char *today, const char *reason)
{
	const char *p[] = {today, reason, NULL};
	return enf_exec_text(c, "UPDATE enf_supervisions SET state = 'lifted', lifted_on = ?, lift_reason = ? WHERE id = ?", p, sid);
}

int enf_sup_escalate(store_conn *c, int64_t sid, const char *today, const char *why)
{
	const char *p[] = {today, why, NULL};
	return enf_exec_text(c, "UPDATE enf_supervisions SET state = 'escalated', escalated_on = ?, escalation_reason = ? WHERE id = ?",
			     p, sid);
}

int enf_sup_due(store_conn *c, const char *today, int64_t *ids, int64_t *cases, size_t cap, size_t *m)
{
	*m = 0;
	int rc = store_begin(c, 0);
	if (rc < 0)
		return rc;
	store_stmt *st = store_prepare(c, "SELECT s.id, s.case_id FROM enf_supervisions s JOIN enf_cases c ON c.id = s.case_id"
					  " WHERE s.state = 'active' AND (s.report_due < ? OR (s.due_on < ? AND c.state NOT IN"
					  " ('closed', 'revoked', 'transferred'))) ORDER BY s.due_on, s.id LIMIT 200");
	if (!st) {
		store_rollback(c);
		return ST_ERR;
	}
	store_bind_text(st, 1, today, -1);
	store_bind_text(st, 2, today, -1);
	while (*m < cap && (rc = store_step(st)) == ST_ROW) {
		ids[*m] = store_col_int64(st, 0);
		cases[(*m)++] = store_col_int64(st, 1);
	}
	store_finalize(st);
	store_rollback(c);
	return rc < 0 ? rc : ST_OK;
}

/* ---- 行刑衔接 ---- */

int enf_tr_insert(store_conn *c, const enf_tr_new *n)
{
	store_stmt *st = store_prepare(c, "INSERT INTO enf_police_transfers (id, case_id, state, reason, charge, attachments,"
					  " proposed_by, proposed_on, approve_due, region_code, department, created_at, updated_at)"
					  " VALUES (?, ?, 'proposed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	int64_t now = yj_now_ms();
	store_bind_int64(st, 1, yj_id_new());
	store_bind_int64(st, 2, n->case_id);
	store_bind_text(st, 3, n->reason, -1);
	store_bind_text(st, 4, n->charge, -1);
	store_bind_text(st, 5, n->attachments, -1);
	store_bind_text(st, 6, n->actor, -1);
	store_bind_text(st, 7, n->today, -1);
	store_bind_text(st, 8, n->approve_due, -1);
	store_bind_text(st, 9, n->region, -1);
	store_bind_text(st, 10, n->dept, -1);
	store_bind_int64(st, 11, now);
	store_bind_int64(st, 12, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int enf_tr_update(store_conn *c, const json_t *tr, const char *action, const char *const *texts)
{
	/* action: the columns it sets ("?" bound to texts in order), and the column stamped with the time */
	static const struct {
		const char *action, *sets, *stamp;
	} m[] = {
		{"approve", "state = 'approved', approved_by = ?, approval_opinion = ?, receiving_org = ?", "approved_at"},
		{"not_approve", "state = 'not_approved', approved_by = ?, approval_opinion = ?", NULL},
		{"send", "state = 'sent', letter_no = ?", "sent_at"},
		{"receipt", "state = 'received', receipt_on = ?, receipt_no = ?, police_decision_due = ?", NULL},
		{"police_decision", "state = ?, police_decision = ?, police_decided_on = ?, police_reason = ?, reconsider_due = ?", NULL},
		{"reconsider", "state = 'reconsidering', reconsider_requested_on = ?, reconsider_reason = ?, reconsider_due = ?", NULL},
		{"reconsider_result", "state = ?, reconsider_result = ?, reconsider_on = ?", NULL},
	};
	size_t i = 0;
	while (i < sizeof m / sizeof m[0] && strcmp(m[i].action, action))
		i++;
	if (i == sizeof m / sizeof m[0])
		return ST_ERR;
	char sql[600], stamp[48] = "";
	long long now = (long long)yj_now_ms();
	int64_t tid;
	yj_id_parse(enf_str(tr, "id"), &tid);
	if (m[i].stamp)
		snprintf(stamp, sizeof stamp, ", %s = %lld", m[i].stamp, now);
	snprintf(sql, sizeof sql, "UPDATE enf_police_transfers SET %s%s, updated_at = %lld WHERE id = ?", m[i].sets, stamp, now);
	return enf_exec_text(c, sql, texts, tid);
}

int enf_case_suspect_set(store_conn *c, int64_t case_id, int suspect)
{
	const char *p[] = {NULL};
	return enf_exec_text(c, suspect ? "UPDATE enf_cases SET suspect_crime = 1 WHERE id = ?"
					: "UPDATE enf_cases SET suspect_crime = 0 WHERE id = ?",
			     p, case_id);
}

int enf_case_transferred_set(store_conn *c, int64_t case_id, const char *to)
{
	const char *p[] = {to, NULL};
	return enf_exec_text(c, "UPDATE enf_cases SET transferred_to = ?, suspect_crime = 1 WHERE id = ?", p, case_id);
}
