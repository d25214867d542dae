/* insp_draw.h — inside src/inspection: building a draw's input snapshot from a plan (draw_input.c)
 * and the plan's weight factors. */
#ifndef YJ_INSP_DRAW_H
#define YJ_INSP_DRAW_H

#include "insp_int.h"
#include "../registry/vocab.h"

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

/* ---- plans and draws over HTTP (plan_api.c, draw_api.c) ---- */
/* Sets the plan's state (draft → committed → drawn). */
int insp_plan_set_state(store_conn *c, int64_t id, const char *state);
/* The draw in scope as JSON (*out new reference); ST_NOTFOUND outside scope. */
int insp_draw_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* Handlers and request shapes of the draw routes, listed in plan_api.c's route table. */
int insp_draw_run(yj_req *r);
int insp_draw_get(yj_req *r);
int insp_public_draws(yj_req *r);
int insp_public_bundle(yj_req *r);
extern const yj_field insp_draw_body[];
extern const yj_qparam insp_page_q[];

#endif
