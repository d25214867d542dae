/* schema.c — schema changes the two engines spell differently, for a module's migration C step
 * (platform/module.h): dropping a column's foreign-key constraint, and keeping a table's rows in its
 * primary key alone. Domain code calls these and still never learns which engine runs. */
#define _POSIX_C_SOURCE 200809L
#include "store_int.h"
#include "../../base/base.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* In a CREATE TABLE text, the [*from, *to) span of column's REFERENCES clause (from the blank before
 * REFERENCES to the end of the column's definition): 1 when found, 0 when the column has none. */
static int references_span(const char *sql, const char *column, size_t *from, size_t *to)
{
	size_t n = strlen(column);
	const char *open = strchr(sql, '(');
	for (const char *p = open ? strstr(open, column) : NULL; p; p = strstr(p + 1, column)) {
		/* the column's name starts a definition: at the start of a line (after a previous line's
		 * comment, say), or after '(' or ',', and blanks; followed by a blank */
		const char *b = p;
		while (b > sql && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b == sql || (b[-1] != '(' && b[-1] != ',' && b[-1] != '\n') || !isspace((unsigned char)p[n]))
			continue;
		int depth = 0;
		const char *e = p, *ref = NULL;
		for (; *e; e++) {
			if (e[0] == '-' && e[1] == '-') { /* a comment runs to the end of its line */
				const char *nl = strchr(e, '\n');
				if (!nl)
					break;
				e = nl;
			} else if (*e == '(')
				depth++;
			else if (*e == ')' && --depth < 0)
				break;
			else if (*e == ',' && depth == 0)
				break;
			else if (!ref && depth == 0 && !strncmp(e, "REFERENCES", 10) && isspace((unsigned char)e[-1]))
				ref = e;
		}
		if (!ref)
			return 0;
		while (ref > p && isspace((unsigned char)ref[-1]))
			ref--;
		while (e > ref && isspace((unsigned char)e[-1]))
			e--;
		*from = (size_t)(ref - sql);
		*to = (size_t)(e - sql);
		return 1;
	}
	return 0;
}

/* SQLite cannot drop a constraint, and rebuilding a table that other tables reference fails the
 * foreign keys at commit. Removing a FOREIGN KEY changes nothing on disk, so SQLite's documented
 * procedure for it (ALTER TABLE, "Making Other Kinds Of Table Schema Changes") edits the table's
 * CREATE text in sqlite_master and bumps the schema version, inside the caller's transaction. */
static int sqlite_drop(store_conn *c, const char *table, const char *column)
{
	store_stmt *st = store_prepare(c, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, table, -1);
	int rc = store_step(st);
	char *sql = rc == ST_ROW ? yj_strdup(store_col_text(st, 0)) : NULL;
	store_finalize(st);
	if (rc != ST_ROW)
		return rc < 0 ? rc : ST_NOTFOUND;
	size_t from, to;
	if (!references_span(sql, column, &from, &to)) {
		free(sql);
		return ST_OK; /* nothing to drop */
	}
	memmove(sql + from, sql + to, strlen(sql + to) + 1);
	int64_t version = 0;
	if ((rc = store_query_int64(c, "PRAGMA schema_version", NULL, &version)) < 0 ||
	    (rc = store_exec(c, "PRAGMA writable_schema = ON")) < 0)
		goto done;
	if (!(st = store_prepare(c, "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?"))) {
		rc = ST_ERR;
		goto off;
	}
	store_bind_text(st, 1, sql, -1);
	store_bind_text(st, 2, table, -1);
	rc = store_step(st);
	store_finalize(st);
	if (rc >= 0) {
		char bump[64];
		snprintf(bump, sizeof bump, "PRAGMA schema_version = %lld", (long long)version + 1);
		rc = store_exec(c, bump);
	}
off:;
	int off = store_exec(c, "PRAGMA writable_schema = OFF");
	if (rc >= 0)
		rc = off;
done:
	free(sql);
	return rc < 0 ? rc : ST_OK;
}

int store_drop_foreign_key(store_conn *c, const char *table, const char *column)
{
	if (c->s->drv != &store_pg_driver)
		return sqlite_drop(c, table, column);
	/* PostgreSQL names a column's inline constraint <table>_<column>_fkey. */
	char sql[256];
	snprintf(sql, sizeof sql, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s_%s_fkey", table, table, column);
	return store_exec(c, sql) < 0 ? ST_ERR : ST_OK;
}

/* The text of the statements in sqlite_master for sql (one text bind), into a NULL-ended array
 * (caller frees each and the array); NULL on a failure. */
static char **sqlite_texts(store_conn *c, const char *sql, const char *bind)
{
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return NULL;
	store_bind_text(st, 1, bind, -1);
	size_t n = 0;
	char **v = yj_calloc(1, sizeof *v);
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		v = yj_realloc(v, (n + 2) * sizeof *v);
		v[n++] = yj_strdup(store_col_text(st, 0));
		v[n] = NULL;
	}
	store_finalize(st);
	if (rc < 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return NULL;
	}
	return v;
}

/* SQLite cannot change a table into WITHOUT ROWID in place: the documented procedure (ALTER TABLE,
 * "Making Other Kinds Of Table Schema Changes") makes the new table under another name, copies the
 * rows, drops the old one, renames the new one and makes its indexes again. The table must not be
 * referenced by foreign keys nor have triggers or views over it (the name index has none). */
static int sqlite_key_only(store_conn *c, const char *table)
{
	char **create = sqlite_texts(c, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", table);
	char **indexes = create && create[0] ? sqlite_texts(c, "SELECT sql FROM sqlite_master WHERE type = 'index' "
							       "AND tbl_name = ? AND sql IS NOT NULL", table)
					     : NULL;
	int rc = ST_ERR;
	if (!indexes)
		goto done;
	const char *def = create[0];
	size_t n = strlen(def), tn = strlen(table);
	while (n && isspace((unsigned char)def[n - 1]))
		n--;
	if (n >= 13 && !strncasecmp(def + n - 13, "WITHOUT ROWID", 13)) {
		rc = ST_OK; /* already */
		goto done;
	}
	/* "CREATE TABLE <table> (…)" as the migration wrote it: the new one is <table>_keyed. */
	const char *after = def + 13;
	if (strncasecmp(def, "CREATE TABLE ", 13) || strncmp(after, table, tn) ||
	    (after[tn] != ' ' && after[tn] != '('))
		goto done;
	char *steps[] = {
		yj_asprintf("CREATE TABLE %s_keyed%.*s WITHOUT ROWID", table, (int)(n - 13 - tn), after + tn),
		yj_asprintf("INSERT INTO %s_keyed SELECT * FROM %s", table, table),
		yj_asprintf("DROP TABLE %s", table),
		yj_asprintf("ALTER TABLE %s_keyed RENAME TO %s", table, table),
	};
	rc = ST_OK;
	for (size_t i = 0; i < YJ_ARRAY_LEN(steps); i++) {
		if (rc >= 0)
			rc = store_exec(c, steps[i]);
		free(steps[i]);
	}
	for (char **i = indexes; *i && rc >= 0; i++)
		rc = store_exec(c, *i);
done:
	for (char **i = create; i && *i; i++)
		free(*i);
	for (char **i = indexes; i && *i; i++)
		free(*i);
	free(create);
	free(indexes);
	return rc < 0 ? rc : ST_OK;
}

int store_key_only_table(store_conn *c, const char *table)
{
	/* PostgreSQL keeps every table's rows in a heap apart from its indexes: nothing to change. */
	if (c->s->drv == &store_pg_driver)
		return ST_OK;
	return sqlite_key_only(c, table);
}
