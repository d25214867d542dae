/* claims_module.c — claims review's module descriptor: screening runs and the flags reviewers decide. */
#include "review_int.h"
#include "check_int.h"
#include "runs_int.h"
#include "physicians_int.h"
#include "../platform/jobs/jobs.h"
#include "../platform/module.h"

extern const yj_migration yj_claims_migrations[];

static const char *const requires[] = {"platform", NULL};
static const yj_route *const routes[] = {yj_claims_review_routes, yj_claims_check_routes, yj_claims_run_routes, yj_claims_physician_routes,
					     yj_claims_catalogue_routes, yj_claims_rule_routes, NULL};
static const char *const tables[] = {"claim_runs", "claim_flags", "claim_flag_reviews", "claim_history", "claim_run_jobs", "claim_run_physicians",
					    "claim_run_parts", "claim_run_part_physicians", NULL};

const yj_module yj_claims_module = {
	.name = "claims",
	.requires = requires,
	.migrations = yj_claims_migrations,
	.routes = routes,
	.jobs = yj_claims_jobs,
	.tables = tables,
};
