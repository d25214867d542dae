/* registry_module.c — the registry's module descriptor: subjects (institutions, practitioners and
 * their filings), grids, responsibility lists and electronic licences. */
#include "reg_int.h"
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
	.start = start,
};
