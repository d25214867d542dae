/* signals_sub.c — inspection's subscriber to complaints.substantiated: each substantiated complaint
 * about a registered institution adds one to that subject's complaint count in subject_signals, the
 * draw's risk signal (R5.4), so the count is fed by the complaints module instead of typed in. The
 * bus delivers each event once, in the transaction of this change, so the count cannot double. */
#include "insp_int.h"
#include "../platform/events/events.h"
#include "../registry/registry.h"

#include <string.h>

static int on_substantiated(store_conn *c, const yj_event_view *ev, void *arg)
{
	(void)arg;
	const char *kind = json_string_value(json_object_get(ev->payload, "subject_kind"));
	int64_t subject;
	if (!kind || strcmp(kind, "institution") ||
	    yj_id_parse(json_string_value(json_object_get(ev->payload, "subject_id")), &subject) < 0)
		return ST_OK; /* no registered institution named: nothing to count */
	store_stmt *st = store_prepare(c, "UPDATE subject_signals SET complaints = complaints + 1, updated_at = ?, actor = ?"
					  " WHERE subject_id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_now_ms());
	store_bind_text(st, 2, "event:complaints", -1);
	store_bind_int64(st, 3, subject);
	int rc = store_step(st);
	int64_t changed = rc >= 0 ? store_changes(st) : 0;
	store_finalize(st);
	if (rc < 0 || changed)
		return rc < 0 ? rc : ST_OK;
	yj_scope all;
	yj_scope_unrestricted(&all);
	yj_subject_summary s;
	if ((rc = yj_subject_summary_get(c, &all, subject, &s)) == ST_NOTFOUND)
		return ST_OK; /* an institution since removed */
	if (rc < 0)
		return rc;
	/* A first signal of the subject: its credit grade is not known here ('' until set). */
	if (!(st = store_prepare(c, "INSERT INTO subject_signals (subject_id, region_code, complaints, credit_grade, updated_at,"
				    " actor) VALUES (?, ?, 1, '', ?, ?)")))
		return ST_ERR;
	store_bind_int64(st, 1, subject);
	store_bind_text(st, 2, s.region_code, -1);
	store_bind_int64(st, 3, yj_now_ms());
	store_bind_text(st, 4, "event:complaints", -1);
	rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static const char *const types[] = {"complaints.substantiated", NULL};
const yj_subscriber yj_insp_signals_subscriber = {"inspection.signals", types, on_substantiated, NULL};
