/* inspection.h — the public interface of double random, one public (双随机、一公开) and field
 * inspection: the HTTP routes (item list, inspector directory, risk signals, plans, verifiable draws,
 * tasks, rectification, publication) and the publication-deadline query. The draw algorithm itself
 * is draw.h; its bundle draw_bundle.h, included here: the bundle's format and verification are public
 * (the CLI's `yijian draw verify`). This is the one header other modules include. */
#ifndef YJ_INSPECTION_H
#define YJ_INSPECTION_H

#include <jansson.h>
#include <stdint.h>

#include "../platform/http/http.h"
#include "../platform/store/query.h"
#include "draw_bundle.h"

/* Routes: items, inspectors, signals (items_api.c); plans, draws, public bundles (plan_api.c);
 * tasks and field results (task_api.c); rectification and publication (rectify_api.c). */
extern const yj_route yj_insp_item_routes[], yj_insp_plan_routes[], yj_insp_task_routes[], yj_insp_rect_routes[];

/* Deadlines count working days on the platform's calendar. */
#include "../platform/calendar/calendar.h"

/* ---- publication (一公开) ---- */
#define YJ_PUBLISH_WORKING_DAYS 20
/* Completed inspections in scope not yet published, oldest deadline first: [{task_id, subject_id,
 * subject_name, completed_on, publish_due, overdue}] where overdue = today is after publish_due.
 * overdue_only keeps only those. today is 'YYYY-MM-DD' — a parameter so the rule can be tested on
 * any date. *out is a new reference. */
int yj_insp_publications(store_conn *c, const yj_scope *sc, const char *today, int overdue_only, int limit,
			 json_t **out);

/* ---- jobs (overdue.c) ---- */
/* Announces every open rectification order whose deadline is before today ('YYYY-MM-DD', a
 * parameter so tests choose the day) and that was not yet announced: sets its overdue_at, appends
 * an audit leaf and the inspection.rectification_overdue event, one transaction per order.
 * *announced receives how many. Returns ST_OK or a store failure. */
int yj_insp_overdue_run(store *s, const char *today, int *announced);
/* For the demo generator (src/gen/demo_inspection.c): moves an open order's issue date and deadline
 * into the past, so the demo region shows an overdue rectification from its first minute (its to-do's
 * due date follows). Not for production paths: no audit leaf (the order's creation has one). ST_OK,
 * ST_NOTFOUND when no open order has the id, or a failure. */
int yj_insp_order_backdate(store_conn *c, int64_t order_id, const char *issued_on, const char *deadline);
/* ---- migrations ---- */
/* The C step of migration 0006 (blobs_migrate.c, run by the module's after-step): moves the base64
 * contents of the former inspection_blobs into the platform's attachment store, then drops that table. */
int yj_insp_blobs_migrate(store_conn *c);

/* ---- what other capabilities read of a finding (task_store.c) ---- */
typedef struct yj_insp_finding {
	int64_t id, task_id, subject_id; /* subject_id: a record of the registry kind subject_kind */
	char subject_kind[16];		 /* institution, public_place, water_supply, … (registry.h) */
	char severity[16], clause[256], region_code[16], department[32];
} yj_insp_finding;
/* The finding id as the caller of scope sc sees it: ST_OK, ST_NOTFOUND (absent or outside sc) or a failure. */
int yj_insp_finding_get(store_conn *c, const yj_scope *sc, int64_t id, yj_insp_finding *out);
/* The module descriptor (inspection_module.c; platform/module.h). */
extern const struct yj_module yj_inspection_module;

#endif
