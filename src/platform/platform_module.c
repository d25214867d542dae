/* platform_module.c — the platform's module descriptor: what every capability stands on (identity,
 * scope's regions and departments, the audit log, the working-day calendar, the to-do inbox, events and
 * jobs, the personal-data lookup counter, documents and their numbers). */
#include "module.h"
#include "auth/auth.h"
#include "regions/regions.h"
#include "todos/todos.h"
#include "calendar/calendar.h"
#include "docs/docs.h"

extern const yj_migration yj_platform_migrations[];
extern const yj_route yj_audit_routes[];
extern const yj_route yj_event_routes[];
extern const yj_route yj_job_routes[];

static const yj_route *const routes[] = {
	yj_system_routes, yj_session_routes, yj_user_routes, yj_token_routes, yj_region_routes, yj_audit_routes,
	yj_todo_routes, yj_event_routes, yj_job_routes, yj_calendar_routes, yj_document_routes, NULL,
};

static const char *const tables[] = {
	"schema_migrations", "departments", "regions", "users", "sessions", "api_tokens", "login_failures",
	"audit_leaves", "audit_head", "audit_sth", "work_calendar", "todos", "todo_assignees", "jobs", "event_head",
	"events", "event_cursors", "event_deliveries", "pii_lookups", "blobs", "blob_chunks", "doc_counters", "documents",
	"cache_epochs", NULL,
};

/* Registers what platform checks against the audit log (yijian audit verify --records). */
static void start(void)
{
	yj_doc_records_register();
}

const yj_module yj_platform_module = {
	.name = "platform",
	.migrations = yj_platform_migrations,
	.after = yj_platform_after,
	.routes = routes,
	.tables = tables,
	.start = start,
};
