/* module.c — what the binary does with its list of modules: check it, migrate each module's schema
 * in list order (versions kept per module in schema_migrations), gather the route tables and give
 * the server the modules' path prefixes.
 * Also rewrites the bookkeeping of a database made before modules (one global version per row). */
#include "module.h"
#include "events/events.h"
#include "jobs/jobs.h"
#include "../base/base.h"
#include "../base/log.h"

#include <stdlib.h>
#include <string.h>

static const char schema_table_sql[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
				       " module TEXT NOT NULL,"
				       " version BIGINT NOT NULL,"
				       " name TEXT NOT NULL,"
				       " applied_at BIGINT NOT NULL,"
				       " PRIMARY KEY (module, version))";

static int listed_before(const yj_module *const *mods, size_t i, const char *name)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(mods[j]->name, name) == 0)
			return 1;
	return 0;
}

int yj_modules_check(const yj_module *const *mods, size_t n, char **err)
{
	for (size_t i = 0; i < n; i++) {
		if (listed_before(mods, i, mods[i]->name)) {
			*err = yj_asprintf("module %s is listed twice", mods[i]->name);
			return -1;
		}
		for (const char *const *r = mods[i]->requires; r && *r; r++)
			if (!listed_before(mods, i, *r)) {
				*err = yj_asprintf("module %s requires %s, which is not listed before it", mods[i]->name, *r);
				return -1;
			}
		for (const char *const *t = mods[i]->tables; t && *t; t++) {
			const yj_module *o = yj_module_owner(mods, n, *t);
			if (o != mods[i]) {
				*err = yj_asprintf("table %s is owned by both %s and %s", *t, o->name, mods[i]->name);
				return -1;
			}
		}
	}
	return 0;
}

const yj_module *yj_module_owner(const yj_module *const *mods, size_t n, const char *table)
{
	for (size_t i = 0; i < n; i++)
		for (const char *const *t = mods[i]->tables; t && *t; t++)
			if (strcmp(*t, table) == 0)
				return mods[i];
	return NULL;
}

size_t yj_modules_routes(const yj_module *const *mods, size_t n, const yj_route **out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (const yj_route *const *r = mods[i]->routes; r && *r; r++) {
			if (k == cap)
				return (size_t)-1;
			out[k++] = *r;
		}
	return k;
}

void yj_modules_set_prefixes(yj_server *srv, const yj_module *const *mods, size_t n)
{
	const yj_path_prefix **all = NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (const yj_path_prefix *p = mods[i]->prefixes; p && p->prefix; p++) {
			all = yj_realloc(all, (k + 1) * sizeof *all);
			all[k++] = p;
		}
	yj_server_set_prefixes(srv, all, k);
	free(all);
}

void yj_modules_start(const yj_module *const *mods, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (mods[i]->start)
			mods[i]->start();
}

void yj_modules_register_jobs(const yj_module *const *mods, size_t n, int64_t every_s)
{
	for (size_t i = 0; i < n; i++) {
		for (const yj_job_def *d = mods[i]->jobs; d && d->name; d++)
			yj_jobs_register(d);
		for (const yj_subscriber *const *sub = mods[i]->subscriptions; sub && *sub; sub++)
			yj_events_subscribe(*sub);
	}
	yj_events_register_jobs(every_s); /* after every subscription: one delivery job per subscriber */
}

/* ---- the layout of schema_migrations ---- */

struct layout_arg {
	const yj_module *const *mods;
	size_t n;
	int pg;
	int rewritten;
	char *err;
};

static int count_of(store_conn *c, const char *sql, int64_t *n)
{
	*n = 0;
	int rc = store_query_int64(c, sql, NULL, n);
	return rc == ST_NOTFOUND ? ST_OK : rc;
}

/* *exists: schema_migrations is there; *per_module: it has the module column. */
static int inspect_layout(store_conn *c, int pg, int *exists, int *per_module)
{
	int64_t t = 0, m = 0;
	int rc = count_of(c, pg ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
				  " AND table_name = 'schema_migrations'"
				: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
			  &t);
	if (rc < 0 || t == 0)
		goto done;
	/* Wait here for a process that is rewriting the table, then look at what it left. */
	if (pg && (rc = store_exec(c, "LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE")) < 0)
		goto done;
	rc = count_of(c, pg ? "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema()"
			      " AND table_name = 'schema_migrations' AND column_name = 'module'"
			    : "SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name = 'module'",
		      &m);
done:
	*exists = t > 0;
	*per_module = m > 0;
	return rc;
}

struct old_row {
	int64_t version, applied_at;
};

/* Reads the rows of a global-version schema_migrations (a handful: one per file before modules). */
static int read_old_rows(store_conn *c, struct old_row **rows, size_t *nrows)
{
	store_stmt *st = store_prepare(c, "SELECT version, applied_at FROM schema_migrations ORDER BY version");
	if (!st)
		return ST_ERR;
	size_t cap = 0;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		if (*nrows == cap) {
			cap = cap ? 2 * cap : 16;
			*rows = yj_realloc(*rows, cap * sizeof **rows);
		}
		(*rows)[(*nrows)++] = (struct old_row){store_col_int64(st, 0), store_col_int64(st, 1)};
	}
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc;
}

static int insert_row(store_conn *c, const char *module, const yj_migration *m, int64_t applied_at)
{
	store_stmt *st = store_prepare(c, "INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, module, -1);
	store_bind_int64(st, 2, m->version);
	store_bind_text(st, 3, m->name, -1);
	store_bind_int64(st, 4, applied_at);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* Records as applied every module migration that was (part of) an applied global version. A global
 * version no module claims means the database is newer than this binary: refuse. */
static int carry_over(store_conn *c, struct layout_arg *a, const struct old_row *rows, size_t nrows)
{
	for (size_t r = 0; r < nrows; r++) {
		int claimed = 0;
		for (size_t i = 0; i < a->n; i++)
			for (const yj_migration *m = a->mods[i]->migrations; m && m->version; m++) {
				if (m->global_version != rows[r].version)
					continue;
				claimed = 1;
				int rc = insert_row(c, a->mods[i]->name, m, rows[r].applied_at);
				if (rc < 0)
					return rc;
			}
		if (!claimed) {
			a->err = yj_asprintf("the database has migration %lld, which this binary does not know",
					     (long long)rows[r].version);
			return ST_ERR;
		}
	}
	return ST_OK;
}

static int ensure_layout(store_conn *c, void *arg)
{
	struct layout_arg *a = arg;
	int exists = 0, per_module = 0;
	struct old_row *rows = NULL;
	size_t nrows = 0;
	a->rewritten = 0;
	int rc = inspect_layout(c, a->pg, &exists, &per_module);
	if (rc < 0 || per_module)
		goto done;
	if (exists && ((rc = read_old_rows(c, &rows, &nrows)) < 0 || (rc = store_exec(c, "DROP TABLE schema_migrations")) < 0))
		goto done;
	if ((rc = store_exec(c, schema_table_sql)) < 0)
		goto done;
	if (exists && (rc = carry_over(c, a, rows, nrows)) < 0)
		goto done;
	a->rewritten = exists;
done:
	free(rows);
	/* Two processes creating the table at once on PostgreSQL: the loser sees a unique violation in
	 * the catalogue; run again, and it finds the table made. */
	return rc == ST_CONFLICT ? ST_RETRY : rc;
}

/* ---- applying migrations ---- */

struct mig_arg {
	const yj_module *mod;
	const yj_migration *m;
	int skipped;
};

static int apply_one(store_conn *c, void *arg)
{
	struct mig_arg *a = arg;
	const yj_migration *m = a->m;
	int64_t n = 0;
	a->skipped = 0;
	/* Claim the version first: a concurrent process doing the same waits on this row (PostgreSQL)
	 * or on the writer lock (SQLite), then sees it applied. */
	store_stmt *st = store_prepare(c, "SELECT COUNT(*) FROM schema_migrations WHERE module = ? AND version = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, a->mod->name, -1);
	store_bind_int64(st, 2, m->version);
	if (store_step(st) == ST_ROW)
		n = store_col_int64(st, 0);
	store_finalize(st);
	if (n > 0) {
		a->skipped = 1;
		return ST_OK;
	}
	int rc = insert_row(c, a->mod->name, m, yj_now_ms());
	if (rc == ST_CONFLICT)
		return ST_RETRY; /* another process applied it meanwhile; the re-run will skip it */
	if (rc < 0 || (rc = store_exec(c, m->sql)) < 0)
		return rc;
	if (a->mod->after && (rc = a->mod->after(c, m->version)) < 0)
		return rc;
	return ST_OK;
}

static int migrate_module(store *s, const yj_module *mod, char **err)
{
	for (const yj_migration *m = mod->migrations; m && m->version; m++) {
		struct mig_arg a = {mod, m, 0};
		int rc = store_tx(s, apply_one, &a);
		if (rc < 0) {
			*err = yj_asprintf("migration %s %04lld_%s failed: %s", mod->name, (long long)a.m->version, a.m->name,
					   store_errmsg(store_conn_get(s)));
			return rc;
		}
		if (!a.skipped)
			yj_log(YJ_LOG_INFO, "store.migrated", "\"module\":\"%s\",\"version\":%lld,\"name\":\"%s\"", mod->name,
			       (long long)a.m->version, a.m->name);
	}
	return ST_OK;
}

int yj_modules_migrate(store *s, const yj_module *const *mods, size_t n, char **err)
{
	struct layout_arg la = {mods, n, strcmp(store_engine(s), "postgresql") == 0, 0, NULL};
	if (yj_modules_check(mods, n, err) < 0)
		return ST_ERR;
	int rc = store_tx(s, ensure_layout, &la);
	if (rc < 0) {
		*err = la.err ? la.err : yj_asprintf("cannot prepare schema_migrations: %s", store_errmsg(store_conn_get(s)));
		return rc;
	}
	free(la.err);
	if (la.rewritten)
		yj_log(YJ_LOG_INFO, "store.migrations_per_module", "\"modules\":%zu", n);
	for (size_t i = 0; i < n; i++)
		if ((rc = migrate_module(s, mods[i], err)) < 0)
			return rc;
	return ST_OK;
}
