/* patrols_store.c — the SQL of grid patrols (网格巡查): a patrol as JSON with its photos, the check-in's
 * insert with its photos, the report, the counts per grid the reporting rate is made of, and the list's
 * query (docs/complaints.md, "Grid patrols"). */
#define _POSIX_C_SOURCE 200809L
#include "patrols_int.h"

#include <string.h>

static const yj_table pt_t = {"grid_patrols", "region_code", "department", "subject_id IN ({S})"};
#define P_COLS                                                                                                   \
	"id, grid_id, grid_code, region_code, subject_id, member_id, patrolled_on, lat, lng, checklist, problems, note," \
	" state, report_text, reported_at, created_at"

json_t *ptl_row_json(store_stmt *st, void *arg)
{
	(void)arg;
	json_t *cl = json_loads(store_col_text(st, 9), 0, NULL);
	return json_pack("{s:o, s:o, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:o, s:i, s:s, s:s, s:s, s:o, s:I}", "id",
			 yj_json_id(store_col_int64(st, 0)), "grid_id", yj_json_id(store_col_int64(st, 1)), "grid_code",
			 store_col_text(st, 2), "region_code", store_col_text(st, 3), "subject_id",
			 yj_json_id(store_col_int64(st, 4)), "member_id", yj_json_id(store_col_int64(st, 5)), "patrolled_on",
			 store_col_text(st, 6), "lat", store_col_text(st, 7), "lng", store_col_text(st, 8), "checklist",
			 cl ? cl : json_object(), "problems", (int)store_col_int64(st, 10), "note", store_col_text(st, 11),
			 "state", store_col_text(st, 12), "report_text", store_col_text(st, 13), "reported_at",
			 store_col_is_null(st, 14) ? json_null() : json_integer(store_col_int64(st, 14)), "created_at",
			 (json_int_t)store_col_int64(st, 15));
}

static int photos_json(store_conn *c, int64_t id, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT sha256, name, media_type, size FROM grid_patrol_photos WHERE patrol_id = ? ORDER BY name");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	*out = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(*out, json_pack("{s:s, s:s, s:s, s:I}", "sha256", store_col_text(st, 0), "name", store_col_text(st, 1),
						      "media_type", store_col_text(st, 2), "size", (json_int_t)store_col_int64(st, 3)));
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int ptl_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &pt_t, P_COLS, sc, id, &st);
	if (rc != ST_OK)
		return rc;
	json_decref(*out);
	*out = ptl_row_json(st, NULL);
	store_finalize(st);
	json_t *ph = NULL;
	if ((rc = photos_json(c, id, &ph)) >= 0)
		json_object_set_new(*out, "photos", ph);
	return rc;
}

int ptl_insert(store_conn *c, const ptl_new *p, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO grid_patrols (id, grid_id, grid_code, region_code, department, subject_id,"
					  " member_id, patrolled_on, lat, lng, checklist, problems, note, state, report_text, created_at)"
					  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, p->id);
	store_bind_int64(st, 2, p->grid->id);
	store_bind_text(st, 3, p->grid->code, -1);
	store_bind_text(st, 4, p->grid->region_code, -1);
	store_bind_text(st, 5, p->department, -1);
	store_bind_int64(st, 6, p->subject_id);
	store_bind_int64(st, 7, p->member_id);
	store_bind_text(st, 8, p->patrolled_on, -1);
	store_bind_text(st, 9, p->lat, -1);
	store_bind_text(st, 10, p->lng, -1);
	store_bind_text(st, 11, p->checklist, -1);
	store_bind_int64(st, 12, p->problems);
	store_bind_text(st, 13, p->note, -1);
	store_bind_text(st, 14, p->state, -1);
	store_bind_int64(st, 15, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int ptl_photo_insert(store_conn *c, int64_t id, const char *hex, const char *name, const char *media_type, int64_t size)
{
	store_stmt *st = store_prepare(c, "INSERT INTO grid_patrol_photos (patrol_id, sha256, name, media_type, size)"
					  " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, hex, -1);
	store_bind_text(st, 3, name, -1);
	store_bind_text(st, 4, media_type, -1);
	store_bind_int64(st, 5, size);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int ptl_set_reported(store_conn *c, int64_t id, const char *text, int64_t now)
{
	store_stmt *st = store_prepare(c, "UPDATE grid_patrols SET state = 'reported', report_text = ?, reported_at = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, text, -1);
	store_bind_int64(st, 2, now);
	store_bind_int64(st, 3, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int ptl_grid_counts(store_conn *c, int64_t grid, const char *from, const char *to, int64_t *patrols, int64_t *found, int64_t *reported)
{
	store_stmt *st = store_prepare(c, "SELECT state, COUNT(*) FROM grid_patrols WHERE grid_id = ? AND patrolled_on >= ?"
					  " AND patrolled_on <= ? GROUP BY state");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, grid);
	store_bind_text(st, 2, from, -1);
	store_bind_text(st, 3, to, -1);
	*patrols = *found = *reported = 0;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		const char *state = store_col_text(st, 0);
		int64_t n = store_col_int64(st, 1);
		*patrols += n;
		if (strcmp(state, "clear"))
			*found += n;
		if (!strcmp(state, "reported"))
			*reported += n;
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

yj_qb *ptl_query(const yj_scope *sc, const char *state, const char *grid, const char *region)
{
	yj_qb *q = yj_q_select(&pt_t, P_COLS, sc);
	if (state && *state) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, state);
	}
	if (grid && *grid) {
		yj_q_where(q, "grid_code = ?");
		yj_q_text(q, grid);
	}
	if (region && *region)
		yj_q_region(q, "region_code", region);
	return q;
}
