/* credit_module.c — credit supervision's module descriptor: points, records, grades, lists,
 * repairs and the rule tables they are made from; it listens to enforcement, inspection, claims,
 * complaints and registry events and runs the nightly evaluation. */
#include "credit.h"
#include "../platform/module.h"
#include "../platform/jobs/jobs.h"
#include "../platform/events/events.h"
#include "credit_outbox.h"

extern const yj_migration yj_credit_migrations[];
extern const yj_job_def yj_credit_jobs[];

static const char *const requires[] = {"platform", "registry", NULL};
static const yj_route *const routes[] = {yj_credit_routes, yj_credit_list_routes, yj_credit_check_routes, yj_credit_outbox_routes, NULL};
static const yj_subscriber *const subscriptions[] = {&yj_credit_subscriber, &yj_credit_outbox_subscriber, NULL};
static const char *const tables[] = {
	"credit_point_rules", "credit_points", "credit_consequence_rules", "credit_consequences", "credit_records",
	"credit_models", "credit_indicators", "credit_grades", "credit_grade_history", "credit_list_rules",
	"credit_list_entries", "credit_repair_periods", "credit_repairs", "credit_decisions", "credit_linkage_rules", "credit_outbox_targets", "credit_outbox", NULL,
};

const yj_module yj_credit_module = {
	.name = "credit",
	.requires = requires,
	.migrations = yj_credit_migrations,
	.routes = routes,
	.jobs = yj_credit_jobs,
	.subscriptions = subscriptions,
	.tables = tables,
};
