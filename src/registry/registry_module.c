/* registry_module.c — the registry's module descriptor: subjects (institutions, practitioners and
 * their filings), grids, responsibility lists and electronic licences. */
#include "reg_int.h"
#include "../base/id.h"
#include "../base/log.h"
#include "../platform/jobs/jobs.h"
#include "../platform/module.h"

#include <string.h>

extern const yj_migration yj_registry_migrations[];

static const char *const requires[] = {"platform", NULL};

static const yj_route *const routes[] = {
	yj_institution_routes, yj_practitioner_routes, yj_vocab_routes, yj_grid_routes, yj_responsibility_routes,
	yj_filing_routes, yj_licence_routes, yj_reg_kind_routes, yj_import_routes, yj_subject_kind_routes, NULL,
};

static const char *const tables[] = {
	"institutions", "practitioners", "practice_filings", "name_grams", "record_history", "grids", "grid_members",
	"responsibilities", "licence_kinds", "licences", "licence_events", "public_places", "water_suppliers", "schools",
	"hazard_employers", "occ_health_services", "radiation_users", "pharmacies", "childcare_providers",
	"disinfectant_makers", "unit_clinics", "pharma_companies", NULL,
};

/* Migration 6 keeps the name index in its primary key alone (0006_name_grams_key.sql); 7 makes it
 * numeric (0007_name_grams_numeric.sql), the same way, and writes it anew from every record's name. */
static int after(store_conn *c, int64_t version)
{
	if (version == 6)
		return store_key_only_table(c, "name_grams");
	if (version != 7)
		return ST_OK;
	int rc = store_key_only_table(c, "name_grams");
	/* A one-character word reads a range of grams, which PostgreSQL estimates from the column's
	 * histogram: at the default 100 buckets a rare character's range of 50 rows was estimated at
	 * ~3,700 and planned as a scan of the whole kind's table (110 ms instead of 3); 300 buckets
	 * estimated it at 43 (docs/benchmarks.md, "Issue 15: the name index as numeric bigrams"). */
	if (rc >= 0 && !strcmp(store_conn_engine(c), "postgresql"))
		rc = store_exec(c, "ALTER TABLE name_grams ALTER COLUMN gram SET STATISTICS 300");
	return rc < 0 ? rc : reg_names_reindex(c);
}

/* Name grams left without their record by a process killed between a large import's two commits
 * (docs/import.md, "The name index beside the publication"): harmless to answers, collected once a
 * day from the ids made more than a day ago — no publication runs that long. */
typedef struct orphans {
	int64_t before_id, deleted;
} orphans;

static int orphans_tx(store_conn *c, void *arg)
{
	orphans *o = arg;
	return reg_names_collect_orphans(c, o->before_id, &o->deleted);
}

static int orphans_job(yj_job_ctx *ctx)
{
	orphans o = {yj_id_at(yj_now_ms() - 86400000LL), 0};
	if (store_tx(yj_job_store(ctx), orphans_tx, &o) < 0)
		return YJ_ERR;
	if (o.deleted)
		yj_log(YJ_LOG_INFO, "registry.name_grams_orphans", "\"deleted\":%lld", (long long)o.deleted);
	return YJ_OK;
}

/* At 03:40 Asia/Shanghai, when no one searches. */
static const yj_job_def jobs[] = {
	{"registry.name_grams_orphans", YJ_JOB_DAILY, 220, orphans_job, NULL},
	{NULL, 0, 0, NULL, NULL},
};

/* Scope's subject binding (institution users, grid members) is resolved by the registry. */
static void start(void)
{
	yj_subject_hooks_set(&yj_reg_subject_hooks);
}

const yj_module yj_registry_module = {
	.name = "registry",
	.requires = requires,
	.migrations = yj_registry_migrations,
	.after = after,
	.routes = routes,
	.tables = tables,
	.jobs = jobs,
	.start = start,
};
