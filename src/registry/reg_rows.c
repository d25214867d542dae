/* reg_rows.c — row-level reads and writes of grids, grid members, practice filings and licences for
 * tools outside the registry that seed data (the demo generator, src/gen): the SQL stays here, with
 * the tables' owner; the caller records the audit leaf as the API would. */
#include "registry.h"

/* 1 with *id when the statement (one text or two int binds) finds a row, 0 when not, or a failure. */
static int find(store_conn *c, const char *sql, const char *text, int64_t a, int64_t b, int64_t *id)
{
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	int i = 1;
	if (text)
		store_bind_text(st, i++, text, -1);
	if (a)
		store_bind_int64(st, i++, a);
	if (b)
		store_bind_int64(st, i++, b);
	int rc = store_step(st);
	if (rc == ST_ROW && id)
		*id = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : rc == ST_ROW;
}

int yj_reg_grid_find(store_conn *c, const char *code, int64_t *id)
{
	return find(c, "SELECT id FROM grids WHERE code = ?", code, 0, 0, id);
}

int yj_reg_grid_insert(store_conn *c, int64_t id, const char *code, const char *name, const char *region, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO grids (id, code, name, region_code, created_at, updated_at)"
					  " VALUES (?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, code, -1);
	store_bind_text(st, 3, name, -1);
	store_bind_text(st, 4, region, -1);
	store_bind_int64(st, 5, now);
	store_bind_int64(st, 6, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int yj_reg_grid_member_add(store_conn *c, int64_t grid_id, int64_t user_id, const char *region)
{
	int rc = find(c, "SELECT 1 FROM grid_members WHERE grid_id = ? AND user_id = ?", NULL, grid_id, user_id, NULL);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	store_stmt *st = store_prepare(c, "INSERT INTO grid_members (grid_id, user_id, region_code) VALUES (?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, grid_id);
	store_bind_int64(st, 2, user_id);
	store_bind_text(st, 3, region, -1);
	rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : 1;
}

int yj_reg_filing_exists(store_conn *c, int64_t practitioner_id, int64_t institution_id, const char *start)
{
	store_stmt *st = store_prepare(c, "SELECT 1 FROM practice_filings WHERE practitioner_id = ? AND"
					  " institution_id = ? AND start_date = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, practitioner_id);
	store_bind_int64(st, 2, institution_id);
	store_bind_text(st, 3, start, -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : rc == ST_ROW;
}

int yj_reg_filing_insert(store_conn *c, const yj_reg_filing *f, int64_t now)
{
	store_stmt *st = store_prepare(c, "INSERT INTO practice_filings (id, practitioner_id, institution_id, region_code,"
					  " start_date, end_date, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, f->id);
	store_bind_int64(st, 2, f->practitioner_id);
	store_bind_int64(st, 3, f->institution_id);
	store_bind_text(st, 4, f->region_code, -1);
	store_bind_text(st, 5, f->start_date, -1);
	store_bind_text(st, 6, f->end_date && f->end_date[0] ? f->end_date : NULL, -1);
	store_bind_int64(st, 7, now);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int yj_reg_licence_by_number(store_conn *c, const char *number, int64_t *id)
{
	return find(c, "SELECT id FROM licences WHERE number = ?", number, 0, 0, id);
}
