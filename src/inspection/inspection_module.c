/* inspection_module.c — inspection's module descriptor: double random, one public (双随机、一公开) —
 * items, inspectors, plans, draws, tasks, findings, rectification and the subject records. */
#include "inspection.h"
#include "../platform/module.h"
#include "../platform/jobs/jobs.h"
#include "../platform/attach/attach.h"
#include "../platform/events/events.h"

extern const yj_migration yj_inspection_migrations[];
/* The inspection documents (insp_docs.c). */
extern const yj_route yj_insp_doc_routes[];
/* The exports of the lists that had none (exports_api.c). */
extern const yj_route yj_insp_export_routes[];
/* The module's jobs (overdue.c), ended by a NULL name. */
extern const yj_job_def yj_insp_jobs[];
/* credit.grade_changed → subject_signals (credit_signals.c); complaint counts of subject_signals fed by
 * complaints.substantiated (signals_sub.c). */
extern const yj_subscriber yj_insp_credit_subscriber, yj_insp_signals_subscriber;
static const yj_subscriber *const subscriptions[] = {&yj_insp_credit_subscriber, &yj_insp_signals_subscriber, NULL};

static const char *const requires[] = {"platform", "registry", NULL};
static const yj_route *const routes[] = {yj_insp_item_routes, yj_insp_plan_routes, yj_insp_task_routes,
					 yj_insp_rect_routes, yj_insp_doc_routes, yj_insp_export_routes, NULL};
static const char *const tables[] = {
	"inspection_items", "inspectors", "inspector_conflicts", "subject_signals", "inspection_plans",
	"inspection_draws", "inspection_tasks", "inspection_task_members", "inspection_results", "inspection_findings",
	"inspection_attachments", "rectification_orders", "subject_records", NULL,
};

/* Migration 0006 moves the attachments' base64 contents into the platform's chunks (blobs_migrate.c);
 * 0007 lets a task's subject be any kind of the registry, so its foreign key to institutions goes, and
 * 0009 the same for the draw's signals. */
static int after(store_conn *c, int64_t version)
{
	if (version == 7)
		return store_drop_foreign_key(c, "inspection_tasks", "subject_id");
	if (version == 9)
		return store_drop_foreign_key(c, "subject_signals", "subject_id");
	return version == 6 ? yj_insp_blobs_migrate(c) : ST_OK;
}

const yj_module yj_inspection_module = {
	.after = after,
	.jobs = yj_insp_jobs,
	.subscriptions = subscriptions,
	.name = "inspection",
	.requires = requires,
	.migrations = yj_inspection_migrations,
	.routes = routes,
	.tables = tables,
};
