/* filings_store.c — the SQL of multi-institution practice filings (多机构执业备案) behind
 * filings_api.c: a practitioner's filings, one filing with its institution's name and code, the
 * end of a filing. (The insert is yj_reg_filing_insert of reg_rows.c, shared with the demo.) */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/id.h"

#include <stdio.h>

#define COLS "f.id, f.practitioner_id, f.institution_id, i.name, i.credit_code, f.region_code, f.start_date," \
	     " f.end_date, f.created_at"
#define FROM " FROM practice_filings f JOIN institutions i ON i.id = f.institution_id"

static json_t *filing_json(store_stmt *st)
{
	char id[21], pid[21], iid[21];
	yj_id_format(store_col_int64(st, 0), id);
	yj_id_format(store_col_int64(st, 1), pid);
	yj_id_format(store_col_int64(st, 2), iid);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:I}", "id", id, "practitioner_id", pid,
			 "institution_id", iid, "institution_name", store_col_text(st, 3), "institution_credit_code",
			 store_col_text(st, 4), "region_code", store_col_text(st, 5), "start_date", store_col_text(st, 6),
			 "end_date", store_col_text(st, 7), "created_at", (json_int_t)store_col_int64(st, 8));
}

int reg_filings_of(store_conn *c, int64_t practitioner_id, json_t **items)
{
	store_stmt *st = store_prepare(c, "SELECT " COLS FROM " WHERE f.practitioner_id = ? ORDER BY f.start_date, f.id");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, practitioner_id);
	int rc;
	*items = json_array();
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(*items, filing_json(st));
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int reg_filing_load(store_conn *c, int64_t id, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT " COLS FROM " WHERE f.id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW)
		*out = filing_json(st);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int reg_filing_set_end(store_conn *c, int64_t id, const char *end)
{
	store_stmt *st = store_prepare(c, "UPDATE practice_filings SET end_date = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, end, -1);
	store_bind_int64(st, 2, id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}
