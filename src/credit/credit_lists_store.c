/* credit_lists_store.c — a list entry written: the row with its publication period from the
 * rule, its audit leaf and credit.list_entered, for the API and for tools such as the demo. */
#define _POSIX_C_SOURCE 200809L
#include "credit_int.h"

#include <stdio.h>

int yj_credit_list_enter(store_conn *c, const char *list, const char *kind, int64_t subject_id, const char *region,
			 const char *rule, const char *doc, const char *today, const char *actor, int64_t *id,
			 char publish_until[11])
{
	*id = 0;
	store_stmt *st = credit_prep(c, "SELECT months FROM credit_list_rules WHERE code = ? AND list = ? AND subject_kind = ?",
				     "ttt", rule, list, kind);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	int64_t months = rc == ST_ROW ? store_col_int64(st, 0) : 0;
	store_finalize(st);
	if (rc != ST_ROW)
		return rc < 0 ? rc : ST_NOTFOUND;
	int64_t n = 0;
	if (!(st = credit_prep(c, "SELECT COUNT(*) FROM credit_list_entries WHERE list = ? AND subject_kind = ? AND"
				  " subject_id = ? AND state = 'listed'", "tti", list, kind, subject_id)))
		return ST_ERR;
	if ((rc = store_step(st)) == ST_ROW)
		n = store_col_int64(st, 0);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (n)
		return ST_CONFLICT;
	if (credit_add_months(today, (int)months, publish_until) < 0)
		return ST_ERR;
	int64_t nid = yj_id_new();
	if ((rc = credit_exec(c, NULL, "INSERT INTO credit_list_entries (id, list, subject_kind, subject_id, region_code,"
				       " rule_code, entry_doc, entered_on, publish_until, state, actor, created_at) VALUES (?, ?,"
				       " ?, ?, ?, ?, ?, ?, ?, 'listed', ?, ?)", "ittitttttti", nid, list, kind, subject_id, region,
			      rule, doc, today, publish_until, actor, yj_now_ms())) < 0)
		return rc;
	char sbj[21];
	yj_id_format(subject_id, sbj);
	json_t *state = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "list", list, "subject_kind", kind, "subject_id", sbj,
				  "rule_code", rule, "entry_doc", doc, "entered_on", today, "publish_until", publish_until);
	rc = credit_audit(c, actor, "credit.list.enter", "credit_list_entry", nid, region, state);
	json_decref(state);
	if (rc >= 0)
		rc = credit_emit(c, actor, "credit.list_entered", kind, sbj, region,
				 json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "list", list, "subject_kind", kind, "subject_id", sbj,
					   "rule_code", rule, "entered_on", today, "publish_until", publish_until));
	if (rc >= 0)
		*id = nid;
	return rc < 0 ? rc : ST_OK;
}
