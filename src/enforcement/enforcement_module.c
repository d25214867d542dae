/* enforcement_module.c — the enforcement module's descriptor: administrative penalty cases (行政处罚)
 * from clue to closing, their clocks (a daily reminder job), the complaint and grid-patrol clues it subscribes to, and
 * its tables. It reads findings, flags and subjects through inspection's, claims' and registry's headers. */
#include "enf_int.h"
#include "../platform/module.h"
#include "../platform/jobs/jobs.h"

#include <string.h>

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

/* Migration 0004: PostgreSQL's planner multiplies the selectivities of state and territory and, for an office with
 * no or few cases in a state, walks the whole primary key expecting to stop early (180–260 ms on 100,000 cases,
 * docs/benchmarks.md); statistics of the two columns together correct its estimate, once their list of most common
 * pairs holds every (state, territory) pair with cases — 20 states times the offices exceed the default 100
 * entries, hence 1,000. SQLite has no such statistics; its planner takes the (state, region_code, id) index of the
 * same migration as it is. */
static int after(store_conn *c, int64_t version)
{
	if (version != 4 || strcmp(store_conn_engine(c), "postgresql"))
		return ST_OK;
	int rc = store_exec(c, "CREATE STATISTICS enf_cases_state_region_stats (mcv, ndistinct, dependencies)"
			       " ON state, region_code FROM enf_cases");
	if (rc >= 0)
		rc = store_exec(c, "ALTER STATISTICS enf_cases_state_region_stats SET STATISTICS 1000");
	return rc < 0 ? rc : store_exec(c, "ANALYZE enf_cases");
}

static const char *const requires[] = {"platform", "registry", "claims", "inspection", NULL};
static const yj_route *const routes[] = {yj_enf_clue_routes, yj_enf_case_routes, yj_enf_public_routes, yj_enf_oversight_routes, yj_enf_record_routes, yj_enf_benchmark_routes, NULL};
static const char *const tables[] = {"enf_clues", "enf_cases", "enf_steps", "enf_documents", "enf_settings",
				     "enf_benchmarks", "enf_supervisions", "enf_police_transfers", NULL};

const yj_module yj_enforcement_module = {
	.name = "enforcement",
	.requires = requires,
	.migrations = yj_enforcement_migrations,
	.after = after,
	.routes = routes,
	.jobs = jobs,
	.subscriptions = subs,
	.tables = tables,
};
