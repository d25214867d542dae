/* insp_draw.h — inside src/inspection: building a draw's input snapshot from a plan (draw_input.c)
 * and the plan's weight factors. */
#ifndef YJ_INSP_DRAW_H
#define YJ_INSP_DRAW_H

#include "insp_int.h"
#include "../registry/registry.h"

/* The default weight factors (new reference). */
json_t *insp_default_factors(void);
/* The defaults overlaid by the given factors, validated: field errors go to f (new reference). */
json_t *insp_factors_merge(const json_t *given, yj_refusal *f);
/* The inspector's pseudonym in published draw bundles: "p" and 16 hex digits of a keyed hash of the
 * user id (the personal-data key), the same in every draw. Written into out. */
void insp_pseudonym(int64_t user_id, char out[18]);
/* Builds {format, plan, subjects, inspectors} for the plan (as plan_json gives it) over subjects of
 * `types` (array of type codes), as of `now`, and prechecks it. Returns ST_OK with *input (new
 * reference); YJ_REFUSED with f filled (422 draw-impossible) when the plan cannot be drawn; or a
 * store failure. */
int insp_draw_input(store_conn *c, const json_t *plan, const json_t *types, int64_t now, json_t **input, yj_refusal *f);

/* ---- plans (plan_store.c) ---- */
/* The plan in scope with its draw_id (*out new reference); ST_NOTFOUND outside scope. */
int insp_plan_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* The item id (only one in use when active_only) as {department, subject_types, ratio_permille,
 * coverage_years} (*out new reference): ST_OK, ST_NOTFOUND or a failure. */
int insp_plan_item(store_conn *c, int64_t id, int active_only, json_t **out);
/* One page of plans in scope, newest first, below id before (*items new array, *next cursor or null). */
int insp_plans_page(store_conn *c, const yj_scope *sc, int64_t before, int limit, json_t **items, json_t **next);
/* A draft plan from the validated plan p (as plan_validate builds it; borrowed). */
int insp_plan_insert(store_conn *c, int64_t id, const json_t *p, const char *actor, int64_t now);
/* Rewrites a draft plan from the validated plan p (borrowed); a committed plan is left as it is. */
int insp_plan_update_draft(store_conn *c, int64_t id, const json_t *p, int64_t now);
/* Deletes the plan while it is a draft. */
int insp_plan_delete_draft(store_conn *c, int64_t id);
/* Sets the plan's state (draft → committed → drawn). */
int insp_plan_set_state(store_conn *c, int64_t id, const char *state);

/* ---- draws (draw_store.c) ---- */
/* The draw in scope as JSON (*out new reference); ST_NOTFOUND outside scope. */
int insp_draw_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* A committed draw; strings borrowed (input canonical JSON, secret_cipher sealed by platform/pii). */
typedef struct insp_draw_new {
	int64_t id, plan_id, commit_leaf, subject_count, draw_count, committed_at;
	const char *input, *input_hash, *secret_cipher, *secret_hash, *region, *department, *actor;
} insp_draw_new;
int insp_draw_insert(store_conn *c, const insp_draw_new *d);
/* What a draw needs from its commitment: {state, input, secret_cipher, input_hash, secret_hash,
 * commit_leaf, committed_at, plan_id, region_code, department} (*out new reference); ST_NOTFOUND
 * outside scope. */
int insp_draw_sealed(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* Maps every directory inspector's pseudonym (insp_pseudonym) to the user id (*map, new reference;
 * set also on failure) — inactive ones too, since one may have left between commitment and draw. */
int insp_pseudonym_map(store_conn *c, json_t **map);
/* A task of kind random created by a draw, state assigned; strings borrowed. */
typedef struct insp_draw_task {
	int64_t id, draw_id, plan_id, subject_id, at;
	const char *item_ids, *subject_name, *subject_code, *region, *department, *phase, *due_date, *actor;
	const char *subject_kind; /* the registry kind of subject_id (the bundle subject's kind) */
} insp_draw_task;
int insp_draw_task_insert(store_conn *c, const insp_draw_task *t);
/* committed → drawn with the witness, revealed secret, seed, result and bundle (canonical JSON). */
typedef struct insp_draw_done {
	int64_t id, leaf, at;
	const char *witness, *secret, *seed, *result, *bundle;
} insp_draw_done;
int insp_draw_set_drawn(store_conn *c, const insp_draw_done *d);
/* The tasks a draw created, in scope, with their teams (*out new array; a failure leaves it partial,
 * as the draw page always showed what it could read). */
int insp_draw_tasks(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* The published bundle of a drawn draw (*out new reference): ST_OK, ST_NOTFOUND or a failure. */
int insp_draw_bundle(store_conn *c, int64_t id, json_t **out);
/* One page of drawn draws, newest first, below id before, with region names (public: no scope). */
int insp_public_draws_page(store_conn *c, int64_t before, int limit, json_t **items, json_t **next);

/* ---- plans and draws over HTTP (plan_api.c, draw_api.c) ---- */
/* Handlers and request shapes of the draw routes, listed in plan_api.c's route table. */
int insp_draw_run(yj_req *r);
int insp_draw_get(yj_req *r);
int insp_public_draws(yj_req *r);
int insp_public_bundle(yj_req *r);
extern const yj_field insp_draw_body[];
extern const yj_qparam insp_page_q[];

#endif
