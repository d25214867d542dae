/* credit_signals.c — inspection's subscriber to credit.grade_changed: the credit grade in
 * subject_signals (the draw's read model of its inputs) follows the credit module's evaluation of
 * each subject the draw covers — institutions and the registry's other kinds, not practitioners —
 * so nobody edits it by hand. The complaints count is left as it is. */
#include "insp_int.h"
#include "../platform/events/events.h"

#include <string.h>

static int on_grade(store_conn *c, const yj_event_view *ev, void *arg)
{
	(void)arg;
	const char *kind = json_string_value(json_object_get(ev->payload, "subject_kind"));
	const char *grade = json_string_value(json_object_get(ev->payload, "grade"));
	int64_t id;
	if (!kind || !strcmp(kind, "practitioner") || !grade || strlen(grade) != 1 || !strchr("ABCD", grade[0]) ||
	    yj_id_parse(ev->subject_id, &id) < 0)
		return ST_OK; /* the draw does not draw practitioners */
	store_stmt *st = store_prepare(c, "UPDATE subject_signals SET credit_grade = ?, region_code = ?, updated_at = ?,"
					  " actor = 'credit' WHERE subject_id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, grade, -1);
	store_bind_text(st, 2, ev->region_code, -1);
	store_bind_int64(st, 3, yj_now_ms());
	store_bind_int64(st, 4, id);
	int rc = store_step(st);
	int64_t changed = store_changes(st);
	store_finalize(st);
	if (rc < 0 || changed)
		return rc < 0 ? rc : ST_OK;
	st = store_prepare(c, "INSERT INTO subject_signals (subject_id, region_code, complaints, credit_grade, updated_at,"
			      " actor) VALUES (?, ?, 0, ?, ?, 'credit')");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, ev->region_code, -1);
	store_bind_text(st, 3, grade, -1);
	store_bind_int64(st, 4, yj_now_ms());
	rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static const char *const types[] = {"credit.grade_changed", NULL};
const yj_subscriber yj_insp_credit_subscriber = {"inspection.credit", types, on_grade, NULL};
