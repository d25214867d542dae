/* record_query.c — the SQL of the record lists behind record_api.c: the scoped query of a kind with
 * the conditions of its filters, a page or every row in id order, counts grouped by a code field or
 * by county, and the record a lookup by a keyed hash finds. The handlers name no column. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/id.h"
#include "../platform/pii/pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Counties are the first six digits of a region code, towns included. */
#define COUNTY "SUBSTR(region_code, 1, 6)"

yj_qb *reg_list_query(const reg_kind *k, const reg_field *group, int by_county, const yj_scope *sc)
{
	yj_table t;
	yj_reg_table(k, &t);
	if (!group && !by_county)
		return yj_q_select(&t, yj_reg_columns(k), sc);
	char cols[96];
	snprintf(cols, sizeof cols, "%s, COUNT(*)", by_county ? COUNTY : group->name);
	return yj_q_select(&t, cols, sc);
}

int reg_list_filter(yj_qb *q, const reg_kind *k, const reg_filter *fl, const char *v)
{
	char cond[160];
	snprintf(cond, sizeof cond, "%s = ?", fl->column);
	switch (fl->op) {
	case FL_EQ:
		yj_q_where(q, cond);
		yj_q_text(q, v);
		return 0;
	case FL_CODE: {
		const yj_vocab_entry *e = yj_vocab_find(fl->vocab, v);
		if (!e)
			return -1;
		yj_q_where(q, cond);
		yj_q_text(q, e->code);
		return 0;
	}
	case FL_BOOL:
		if (strcmp(v, "true") && strcmp(v, "false"))
			return -1;
		yj_q_where(q, cond);
		yj_q_int(q, !strcmp(v, "true"));
		return 0;
	case FL_REGION: {
		size_t n = strlen(v);
		if ((n != 6 && n != 9) || strspn(v, "0123456789") != n)
			return -1;
		yj_q_region(q, fl->column, v);
		return 0;
	}
	case FL_NAME:
		if (yj_utf8_len(v, strlen(v)) > 50)
			return -1;
		yj_reg_name_filter(q, k, "", v);
		return 0;
	case FL_REF: {
		int64_t id;
		if (yj_id_parse(v, &id) < 0)
			return -1;
		yj_q_where(q, cond);
		yj_q_int(q, id);
		return 0;
	}
	case FL_HASH: {
		char h[65];
		yj_pii_hash(v, h);
		yj_q_where(q, cond);
		yj_q_text(q, h);
		return 0;
	}
	}
	return -1;
}

store_stmt *reg_list_page(yj_qb *q, store_conn *c, int64_t after, int limit)
{
	yj_q_where(q, "id > ?");
	yj_q_int(q, after);
	yj_q_tail(q, "ORDER BY id LIMIT ?");
	yj_q_int(q, limit);
	return yj_q_prepare(q, c);
}

store_stmt *reg_list_all(yj_qb *q, store_conn *c)
{
	yj_q_tail(q, "ORDER BY id"); /* every row: the export streams */
	return yj_q_prepare(q, c);
}

store_stmt *reg_list_counts(yj_qb *q, store_conn *c, const reg_field *group, int by_county)
{
	char tail[128];
	snprintf(tail, sizeof tail, "GROUP BY %s ORDER BY 2 DESC, 1", by_county ? COUNTY : group->name);
	yj_q_tail(q, tail);
	return yj_q_prepare(q, c);
}

int reg_lookup_hash(store_conn *c, const reg_kind *k, const reg_filter *fl, const yj_scope *sc, const char *h,
		    char ids[21], char region[16])
{
	yj_table t;
	yj_reg_table(k, &t);
	char *cols = yj_asprintf("id, %s", k->region_field), cond[96];
	yj_qb *q = yj_q_select(&t, cols, sc);
	free(cols);
	snprintf(cond, sizeof cond, "%s = ?", fl->column);
	yj_q_where(q, cond);
	yj_q_text(q, h);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		yj_id_format(store_col_int64(st, 0), ids);
		snprintf(region, 16, "%s", store_col_text(st, 1));
	}
	store_finalize(st);
	return rc;
}
