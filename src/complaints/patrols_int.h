/* patrols_int.h — what the files of grid patrols share: patrols.c (the rules, the writes and the reporting
 * rate), patrols_store.c (the SQL) and patrols_api.c (the routes). json_t * results are the caller's to
 * release; strings and bodies passed in are borrowed. */
#ifndef YJ_PATROLS_INT_H
#define YJ_PATROLS_INT_H

#include "cmp_int.h"
#include "../registry/registry.h"

/* A row of grid_patrols as its JSON, without its photos (a yj_row_fn). */
json_t *ptl_row_json(store_stmt *st, void *arg);
/* The patrol id in scope sc with its photos into *out (replacing it): ST_OK, ST_NOTFOUND or a failure. */
int ptl_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);

/* A new patrol; strings borrowed. */
typedef struct ptl_new {
	int64_t id, subject_id, member_id;
	const yj_grid_ref *grid;
	const char *department, *patrolled_on, *lat, *lng, *checklist, *note, *state;
	int problems;
} ptl_new;
int ptl_insert(store_conn *c, const ptl_new *p, int64_t now);
/* A photo of patrol id, its content already in the blob store under sha256 hex. */
int ptl_photo_insert(store_conn *c, int64_t id, const char *hex, const char *name, const char *media_type, int64_t size);
int ptl_set_reported(store_conn *c, int64_t id, const char *text, int64_t now);
/* Patrols of grid from..to (YYYY-MM-DD): all, found (a problem found, reported or not) and reported. */
int ptl_grid_counts(store_conn *c, int64_t grid, const char *from, const char *to, int64_t *patrols, int64_t *found,
		    int64_t *reported);
/* The patrols in scope sc of state, grid code and within region when given ("" or NULL: any); the caller runs it. */
yj_qb *ptl_query(const yj_scope *sc, const char *state, const char *grid, const char *region);

/* The checklist's items [{code, label}]. */
json_t *ptl_checklist_json(void);
/* The reporting rate of the last 30 days to today per grid and town of region into *out:
 * {region_code, from, to, target_permille, grids, towns}. */
int ptl_rates(store_conn *c, const char *region, const char *today, json_t **out);

/* The writes (patrols.c), run by patrols_api.c and the seed. */
int ptl_checkin_tx(store_conn *c, void *op);
int ptl_report_tx(store_conn *c, void *op);

#endif
