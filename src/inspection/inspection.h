/* inspection.h — the public interface of double random, one public (双随机、一公开) and field
 * inspection: the HTTP routes (item list, inspector directory, risk signals, plans, verifiable draws,
 * tasks, rectification, publication) and the publication-deadline query. The draw algorithm itself
 * is draw.h; its bundle draw_bundle.h. */
#ifndef YJ_INSPECTION_H
#define YJ_INSPECTION_H

#include <jansson.h>
#include <stdint.h>

#include "../platform/http/http.h"
#include "../platform/store/query.h"

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
/* ---- migrations ---- */
/* The C step of migration 0006 (blobs_migrate.c, run by the module's after-step): moves the base64
 * contents of the former inspection_blobs into the platform's attachment store, then drops that table. */
int yj_insp_blobs_migrate(store_conn *c);

/* The module descriptor (inspection_module.c; platform/module.h). */
extern const struct yj_module yj_inspection_module;

#endif
