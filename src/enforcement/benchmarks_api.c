/* benchmarks_api.c — the discretion benchmark editor (裁量基准): an administrator or a legal reviewer (the legal
 * department) changes a row's tier bands, or marks it reviewed. A change never edits a row in place: it inserts
 * the next version and deactivates the old one in one transaction with an audit leaf holding both, so a case
 * that recorded (code, version) keeps the band it was judged by. */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bm_arg {
	const yj_principal *who;
	const json_t *body;
	const char *code;
	json_t *out;
	yj_refusal ref;
};

/* The tiers of body checked against the row: every tier, kinds among the row's, 0 ≤ min ≤ max ≤ the legal maximum. */
static void tiers_check(const json_t *tiers, const char *row_kinds, int64_t legal_max, yj_refusal *f)
{
	static const char *const names[] = {"none", "mitigated", "lighter", "general", "heavier", NULL};
	char msg[200], pad[260];
	snprintf(pad, sizeof pad, ",%.250s,", row_kinds); /* the row's kinds, a short comma list */
	if (!json_is_object(tiers) || json_object_size(tiers) != 5) {
		yj_refusal_field(f, "tiers", "请给出全部五个档次（none、mitigated、lighter、general、heavier）");
		return;
	}
	for (const char *const *n = names; *n; n++) {
		const json_t *t = json_object_get(tiers, *n);
		const json_t *kinds = json_object_get(t, "kinds"), *lo = json_object_get(t, "fine_min_fen"),
			     *hi = json_object_get(t, "fine_max_fen");
		size_t i;
		json_t *k;
		int ok = json_is_object(t) && json_is_array(kinds) && json_is_integer(lo) && json_is_integer(hi) &&
			 json_integer_value(lo) >= 0 && json_integer_value(lo) <= json_integer_value(hi) &&
			 json_integer_value(hi) <= legal_max;
		json_array_foreach(kinds, i, k) {
			char one[48];
			snprintf(one, sizeof one, ",%s,", json_string_value(k) ? json_string_value(k) : "?");
			ok &= strstr(pad, one) != NULL;
		}
		if (!ok) {
			snprintf(msg, sizeof msg, "档次 %s：处罚种类须在本条允许的种类内，罚款下限不大于上限，上限不超过法定最高额 %.2f 元", *n,
				 (double)legal_max / 100);
			yj_refusal_field(f, "tiers", msg);
		}
	}
}

static int bm_tx(store_conn *c, void *arg)
{
	struct bm_arg *a = arg;
	const json_t *b = a->body;
	enf_benchmark_row cur;
	int rc = enf_benchmark_latest(c, a->code, &cur);
	if (rc == ST_NOTFOUND)
		return yj_refuse(&a->ref, 404, "not-found", "未找到该裁量基准", "没有这个违法行为代码，请从裁量基准表中选择。");
	if (rc < 0)
		return rc;
	int64_t version = cur.version, legal_max = cur.legal_max;
	char *old_tiers = cur.tiers, *kinds = cur.kinds, *old_state = cur.review_state;
	if (json_integer_value(json_object_get(b, "version")) != version) {
		rc = yj_refuse(&a->ref, 409, "conflict", "裁量基准已被修改", "该条裁量基准已更新为第 %lld 版，请刷新后在新版本上修改",
			       (long long)version);
		goto out;
	}
	const json_t *tiers = json_object_get(b, "tiers");
	if (tiers)
		tiers_check(tiers, kinds, legal_max, &a->ref);
	if (!*enf_str(b, "reason"))
		yj_refusal_field(&a->ref, "reason", "请写明修改理由（如依据的新法条或上级文件）");
	if (yj_refusal_has_fields(&a->ref)) {
		rc = yj_refuse_invalid(&a->ref, NULL);
		goto out;
	}
	char *new_tiers = tiers ? json_dumps(tiers, JSON_COMPACT) : yj_strdup(old_tiers);
	const char *state = json_is_true(json_object_get(b, "reviewed")) ? "reviewed" : old_state;
	if ((rc = enf_benchmark_next(c, a->code, version, new_tiers, state)) < 0)
		goto done;
	char actor[21];
	yj_id_format(a->who->user_id, actor);
	json_t *audit = json_pack("{s:s, s:I, s:I, s:s, s:o, s:o, s:s}", "code", a->code, "from_version", (json_int_t)version,
				  "to_version", (json_int_t)(version + 1), "reason", enf_str(b, "reason"), "old_tiers",
				  json_loads(old_tiers, 0, NULL), "tiers", json_loads(new_tiers, 0, NULL), "review_state", state);
	yj_audit_event ev = {actor, "enforcement.benchmark.change", "enforcement_benchmark", a->code, a->who->region_code, audit};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(audit);
	if (rc >= 0)
		a->out = json_pack("{s:s, s:I, s:o, s:s}", "code", a->code, "version", (json_int_t)(version + 1), "tiers",
				   json_loads(new_tiers, 0, NULL), "review_state", state);
done:
	free(new_tiers);
out:
	free(old_tiers);
	return rc;
}

static int bm_put(yj_req *r)
{
	struct bm_arg a = {yj_who(r), yj_body(r), yj_param(r, "code"), NULL, {0}};
	if (!a.code || !*a.code)
		return yj_reply_not_found(r);
	if (yj_tx_or_reply(r, bm_tx, &a, &a.ref) < 0)
		return YJ_OK;
	return yj_reply_json(r, 200, a.out);
}

static const yj_field bm_body[] = {
	{"version", F_INT, 1, 0, "The version being changed (the current one: a stale version answers 409)"},
	{"tiers", F_OBJECT, 0, 0, "{none|mitigated|lighter|general|heavier: {kinds, fine_min_fen, fine_max_fen}}"},
	{"reviewed", F_BOOL, 0, 0, "true: the legal department has checked the row against the current law"},
	{"reason", F_STRING, 1, 2000, "Why it changes (the new article or the superior's document)"},
	{NULL, 0, 0, 0, NULL},
};

const yj_route yj_enf_benchmark_routes[] = {
	{"PUT", "/api/v1/enforcement/benchmarks/{code}", bm_put, ROLE_ADMIN | ROLE_LEGAL_REVIEWER, bm_body, NULL, "enforcement",
	 "Change a discretion benchmark's bands or mark it reviewed: a new version, audited; decisions keep theirs",
	 "{code, version, tiers, review_state}", 0},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
