/* complaints_module.c — the complaints module's descriptor: complaints and reports (投诉举报) from
 * the public and the hotline, their dispatch, deadlines, 督办 and duplicates (docs/complaints.md). */
#include "complaints.h"
#include "open311.h"
#include "../platform/module.h"
#include "../platform/jobs/jobs.h"

#include <stdlib.h>

extern const yj_migration yj_complaints_migrations[];
extern const yj_job_def yj_cmp_jobs[]; /* overdue.c */

static const char *const requires[] = {"platform", "registry", NULL};
static const yj_route *const routes[] = {yj_cmp_public_routes, yj_cmp_routes, yj_cmp_open311_routes, yj_cmp_transfer_routes,
					 yj_cmp_reward_routes, yj_cmp_joint_routes, yj_cmp_patrol_routes,
					 yj_cmp_opinion_routes, yj_cmp_import_routes, NULL};
/* Open311 GeoReport v2 clients expect the spec's [{code, description}] errors (open311.c). */
static const yj_path_prefix prefixes[] = {{"/open311/", o311_problem}, {NULL, NULL}};
static const char *const tables[] = {
	"complaint_categories", "complaints", "complaint_steps", "complaint_units", "complaint_attachments",
	"complaint_intake_hits", "open311_keys", "complaint_transfers", "reward_rules", "reward_rule_grades",
	"complaint_rewards", "joint_action_targets", "joint_actions", "joint_meetings", "joint_meeting_tasks",
	"grid_patrols", "grid_patrol_photos", "opinion_events", "opinion_tasks", "opinion_timeline", NULL,
};

/* The public door's per-address limit from the environment (docs/complaints.md, "Limits"). */
static void start(void)
{
	const char *n = getenv("YIJIAN_COMPLAINTS_PER_ADDRESS"), *w = getenv("YIJIAN_COMPLAINTS_WINDOW_S");
	if (n || w)
		yj_cmp_set_intake_limit(n ? (unsigned)strtoul(n, NULL, 10) : 10, w ? (unsigned)strtoul(w, NULL, 10) : 3600);
}

const yj_module yj_complaints_module = {
	.name = "complaints",
	.requires = requires,
	.migrations = yj_complaints_migrations,
	.routes = routes,
	.jobs = yj_cmp_jobs,
	.tables = tables,
	.start = start,
	.prefixes = prefixes,
};
