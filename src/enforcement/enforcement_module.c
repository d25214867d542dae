/* enforcement_module.c — the enforcement module's descriptor: administrative penalty cases (行政处罚)
 * from clue to closing, their clocks (a daily reminder job), the complaint and grid-patrol clues it subscribes to, and
 * its tables. It reads findings, flags and subjects through inspection's, claims' and registry's headers. */
#include "enf_int.h"
#include "../platform/module.h"
#include "../platform/jobs/jobs.h"

extern const yj_migration yj_enforcement_migrations[];
int enf_on_clue_referred(store_conn *c, const yj_event_view *ev, void *arg);
int enf_on_patrol_reported(store_conn *c, const yj_event_view *ev, void *arg);

static int clock_job(yj_job_ctx *ctx)
{
	char today[11];
	int n = 0;
	yj_day_today(today);
	if (enf_clock_run(yj_job_store(ctx), today, &n) < 0)
		return YJ_ERR;
	return enf_supervision_clock_run(yj_job_store(ctx), today, &n) < 0 ? YJ_ERR : YJ_OK;
}

/* Hourly, and at start: deadlines are days, so an hour late is soon enough. */
static const yj_job_def jobs[] = {
	{"enforcement.clocks", YJ_JOB_EVERY, 3600, clock_job, NULL},
	{NULL, 0, 0, NULL, NULL},
};

static const char *const complaint_types[] = {"complaints.clue_referred", NULL};
static const yj_subscriber clue_sub = {"enforcement.clues", complaint_types, enf_on_clue_referred, NULL};
static const char *const patrol_types[] = {"complaints.patrol_reported", NULL};
static const yj_subscriber patrol_sub = {"enforcement.grid_clues", patrol_types, enf_on_patrol_reported, NULL};
static const yj_subscriber *const subs[] = {&clue_sub, &patrol_sub, NULL};

static const char *const requires[] = {"platform", "registry", "claims", "inspection", NULL};
static const yj_route *const routes[] = {yj_enf_clue_routes, yj_enf_case_routes, yj_enf_public_routes, yj_enf_oversight_routes, yj_enf_record_routes, yj_enf_benchmark_routes, NULL};
static const char *const tables[] = {"enf_clues", "enf_cases", "enf_steps", "enf_documents", "enf_settings",
				     "enf_benchmarks", "enf_supervisions", "enf_police_transfers", NULL};

const yj_module yj_enforcement_module = {
	.name = "enforcement",
	.requires = requires,
	.migrations = yj_enforcement_migrations,
	.routes = routes,
	.jobs = jobs,
	.subscriptions = subs,
	.tables = tables,
};
