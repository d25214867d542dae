/* seed.c — the console's intake and handling steps without HTTP, for tools that write matters (the
 * demo generator, importers): the same checks, steps, to-dos and audit leaves, run in the caller's
 * transaction under a principal of the given department with an unrestricted territory; and the writes
 * of rewards, joint work, patrols and public-opinion events by name (yj_cmp_seed_op). */
#define _POSIX_C_SOURCE 200809L
#include "actions.h"
#include "intake.h"

#include <stdio.h>
#include <string.h>

static int refused(yj_refusal *f, int rc, char **why)
{
	if (rc == YJ_REFUSED && why) { /* the detail, then each field's reason: "字段：原因；…" */
		yj_buf b = YJ_BUF_INIT;
		size_t i;
		json_t *e;
		json_array_foreach(f->errors, i, e)
			yj_buf_printf(&b, "%s%s：%s", i ? "；" : "", json_string_value(json_object_get(e, "field")),
				      json_string_value(json_object_get(e, "detail")));
		if (!b.len)
			yj_buf_puts(&b, f->detail[0] ? f->detail : f->title);
		*why = yj_buf_detach(&b);
	}
	yj_refusal_clear(f);
	return rc;
}

int yj_cmp_seed(store_conn *c, const json_t *body, const char *actor, int64_t *id, char **why)
{
	const char *ref = json_string_value(json_object_get(body, "external_ref"));
	int rc;
	*id = 0;
	if (ref && *ref && (rc = cmp_find_external(c, ref, id)) != ST_NOTFOUND)
		return rc < 0 ? rc : 0;
	yj_scope all;
	yj_scope_unrestricted(&all);
	cmp_intake in = {.body = body, .sc = &all, .actor = actor};
	rc = cmp_intake_tx(c, &in);
	if (rc >= 0)
		yj_id_parse(json_string_value(json_object_get(in.out, "id")), id);
	json_decref(in.out);
	return rc < 0 ? refused(&in.ref, rc, why) : 1;
}

int yj_cmp_seed_step(store_conn *c, int64_t id, const char *step, const json_t *body, const char *department,
		     const char *actor, char **why)
{
	yj_principal who = {0};
	yj_scope_unrestricted(&who.scope);
	snprintf(who.department, sizeof who.department, "%s", department);
	cmp_act a = {.body = body, .who = &who, .id = id};
	snprintf(a.actor, sizeof a.actor, "%s", actor);
	size_t i = 0;
	while (i <= YJ_CMP_REFER && strcmp(cmp_actions[i].name, step))
		i++;
	if (i > YJ_CMP_REFER)
		return ST_ERR; /* a programming error: no such step */
	a.action = (enum yj_cmp_action)i;
	int rc = cmp_act_tx(c, &a);
	json_decref(a.m);
	json_decref(a.audit_state);
	return rc < 0 ? refused(&a.ref, rc, why) : 1;
}

int yj_cmp_seed_op(store_conn *c, const char *op, const yj_principal *who, int64_t id, int64_t task, const json_t *body,
		   json_t **out, char **why)
{
	static const cmp_op_def *const tables[] = {cmp_reward_ops, cmp_joint_ops, cmp_patrol_ops, cmp_opinion_ops};
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const cmp_op_def *d = tables[t]; d->name; d++) {
			if (strcmp(d->name, op))
				continue;
			cmp_op a = {.who = who, .body = body, .id = id, .task = task};
			int rc = d->fn(c, &a);
			if (out && rc >= 0)
				*out = a.out;
			else
				json_decref(a.out);
			return rc < 0 ? refused(&a.ref, rc, why) : 1;
		}
	return ST_ERR; /* a programming error: no such write */
}
