/* transition.c — POST /api/v1/cases/{id}/transitions: one step of the procedure in one transaction.
 * enforcement.c decides whether the step is allowed (state, role, clocks, reviews) and which fields it
 * needs; this file checks what needs the store (the benchmark band and the legal maximum, the 双罚
 * person), appends the step with its audit leaf, applies the step's effects to the case row (clocks,
 * numbers, dates), emits the decision events and refreshes the to-dos. Anything refused changes nothing. */
#define _POSIX_C_SOURCE 200809L
#include "enf_int.h"
#include "../registry/registry.h"
#include "../platform/attach/attach.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tr_arg {
	enf_ctx x;
	int64_t id;
	json_t *out;
	yj_refusal ref;
};

static const char *str(const json_t *b, const char *k)
{
	const char *v = json_string_value(json_object_get(b, k));
	return v && *v ? v : NULL;
}

static int64_t day_num(const char *s)
{
	int64_t d = 0;
	yj_day_parse(s, &d);
	return d;
}

/* today + months, the day clamped to the month's end (公示截止期). */
static void add_months(const char *day, int64_t months, char out[11])
{
	int y, m, d;
	yj_civil_from_days(day_num(day), &y, &m, &d);
	int64_t t = (int64_t)y * 12 + (m - 1) + months;
	int ny = (int)(t / 12), nm = (int)(t % 12) + 1;
	int md = yj_date_month_days(ny, nm);
	yj_day_format(yj_days_from_civil(ny, nm, d > md ? md : d), out);
}

static char *kinds_csv(const json_t *arr)
{
	yj_buf b = YJ_BUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) yj_buf_printf(&b, "%s%s", i ? "," : "", json_string_value(v));
	yj_buf_puts(&b, "");
	return yj_buf_detach(&b);
}

static int has_kind(const json_t *arr, const char *k)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) if (!strcmp(json_string_value(v), k)) return 1;
	return 0;
}

/* The proposal of a conclude step against its benchmark: sets the columns on q, or refuses 422. */
static int conclude_check(store_conn *c, struct tr_arg *a, const json_t *b, const json_t *row, yj_qb *q)
{
	int64_t version, legal_max;
	char *tiers = NULL, name[256];
	int dbl;
	const char *code = str(b, "violation_code"), *tier = str(b, "tier");
	int rc = enf_benchmark_get(c, code, &version, &tiers, &dbl, &legal_max, name);
	if (rc == ST_NOTFOUND) {
		yj_refusal_field(&a->ref, "violation_code", "裁量基准中没有该违法行为，请从裁量基准表中选择");
		return yj_refuse_invalid(&a->ref, NULL);
	}
	if (rc < 0)
		return rc;
	const json_t *kinds = json_object_get(b, "penalty_kinds");
	int64_t fine = json_integer_value(json_object_get(b, "fine_fen"));
	enf_band band;
	int bad = enf_band_of(tiers, tier, &band) < 0;
	free(tiers);
	if (bad)
		return ST_ERR;
	char msg[400];
	if (fine > legal_max) {
		snprintf(msg, sizeof msg, "罚款超过法定最高额 %lld 元（%s），请改正", (long long)(legal_max / 100), name);
		yj_refusal_field(&a->ref, "fine_fen", msg);
	}
	if (strcmp(tier, "none") && !json_array_size(kinds))
		yj_refusal_field(&a->ref, "penalty_kinds", "请选择处罚种类；拟不予处罚的，请办理「不予处罚」");
	if (fine > 0 && !has_kind(kinds, "fine"))
		yj_refusal_field(&a->ref, "penalty_kinds", "有罚款金额时，处罚种类应包含 fine（罚款）");
	int within = enf_within_band(&band, kinds, fine);
	if (!within && !str(b, "deviation_reason")) {
		snprintf(msg, sizeof msg, "拟处罚超出裁量基准本档（罚款 %.2f–%.2f 元，种类 %s），请写明理由；案件将送法制审核",
			 (double)band.fine_min / 100, (double)band.fine_max / 100, band.kinds[0] ? band.kinds : "无");
		yj_refusal_field(&a->ref, "deviation_reason", msg);
	}
	int64_t responsible = 0;
	const char *subject_kind = json_string_value(json_object_get(row, "subject_kind"));
	int org = strcmp(subject_kind, "practitioner") != 0; /* an institution, public place, employer, … */
	if (dbl && org) {
		json_t *p = NULL;
		if (yj_id_parse(str(b, "responsible_id"), &responsible) < 0 ||
		    (rc = yj_reg_load(c, &yj_practitioner_kind, &a->x.who->scope, responsible, &p)) == ST_NOTFOUND)
			yj_refusal_field(&a->ref, "responsible_id",
					 "该违法行为实行双罚，请填写应同时处罚的直接责任人员（执业人员编号）");
		else if (rc < 0)
			return rc;
		json_decref(p);
	}
	if (yj_refusal_has_fields(&a->ref))
		return yj_refuse_invalid(&a->ref, NULL);
	/* 听证 (art. 63): licence revoked or practice suspended, or a large fine for the kind of party. */
	int64_t big = enf_setting(c, org ? "hearing_fine_fen_org" : "hearing_fine_fen_person",
				  5000000);
	int hearing = has_kind(kinds, "revoke_licence") || has_kind(kinds, "suspend_practice") || fine >= big;
	char *csv = kinds_csv(kinds);
	yj_q_set_text(q, "violation_code", code);
	yj_q_set_int(q, "benchmark_version", version);
	yj_q_set_text(q, "tier", tier);
	yj_q_set_text(q, "penalty_kinds", csv);
	yj_q_set_int(q, "fine_fen", fine);
	yj_q_set_int(q, "confiscation_fen", json_integer_value(json_object_get(b, "confiscation_fen")));
	yj_q_set_text(q, "facts", str(b, "facts"));
	yj_q_set_text(q, "deviation_reason", within ? NULL : str(b, "deviation_reason"));
	yj_q_set_int(q, "outside_band", !within);
	yj_q_set_int(q, "hearing_trigger", hearing);
	if (responsible)
		yj_q_set_int(q, "responsible_id", responsible);
	free(csv);
	static const char *const flags[] = {"serious", "t_public_interest", "t_complex", "t_other_law", "suspect_crime", NULL};
	for (const char *const *f = flags; *f; f++)
		if (json_is_boolean(json_object_get(b, *f)))
			yj_q_set_int(q, *f, json_is_true(json_object_get(b, *f)));
	return ST_OK;
}

/* filed_on + decision days + extended + paused, rolled to a working day, onto q. */
static int set_due(store_conn *c, const json_t *row, int64_t extended, int64_t paused, yj_qb *q)
{
	char due[11];
	int64_t days = enf_decision_due_day(0, enf_setting(c, "decision_days", 90), extended, paused);
	int rc = enf_period_end(c, json_string_value(json_object_get(row, "filed_on")), (int)days, 0, due);
	if (rc < 0)
		return rc;
	yj_q_set_text(q, "decision_due", due);
	return ST_OK;
}

/* The decision's date, publication deadline and 公示截止期 onto q (its number comes with its document). */
static int decide_set(store_conn *c, const json_t *row, const char *today, yj_qb *q)
{
	char until[11], pub[11];
	int rc = yj_workdays_add(c, today, (int)enf_setting(c, "publish_working_days", 7), pub);
	if (rc < 0)
		return rc;
	add_months(today, enf_setting(c, json_is_true(json_object_get(row, "serious")) ? "public_months_serious" : "public_months", 12),
		   until);
	yj_q_set_text(q, "decided_on", today);
	yj_q_set_text(q, "publish_due", pub);
	yj_q_set_text(q, "public_until", until);
	return ST_OK;
}

/* The document a step issues, or NULL. */
static const char *doc_kind(const char *action)
{
	static const char *const m[][2] = {{"notify", "prior_notice"},	       {"decide", "penalty_decision"},
					   {"decide_no_penalty", "no_penalty_decision"}, {"serve", "service_receipt"},
					   {"transfer", "transfer_letter"},	       {"close", "closing_report"},
					   {"request_hearing", "hearing_notice"},      {"hold_hearing", "hearing_record"},
					   {"remind", "payment_reminder"},	       {"apply_court", "court_application"}};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (!strcmp(m[i][0], action))
			return m[i][1];
	return NULL;
}

/* Issues the step's document on the updated case; a decision's number becomes the case's decision_no. */
static int step_document(store_conn *c, const char *public_url, int64_t id, const char *action, const json_t *data, int seq,
			 const char *actor)
{
	const char *kind = doc_kind(action);
	if (!kind)
		return ST_OK;
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_t *row = NULL;
	int64_t clue = 0;
	char no[160];
	int rc = enf_case_load(c, &all, id, &row, NULL);
	if (rc < 0)
		return rc;
	yj_id_parse(json_string_value(json_object_get(row, "clue_id")), &clue);
	rc = enf_doc_issue(c, kind, id, clue, row, data, seq, actor, public_url, no);
	/* a proposal that triggers a hearing also gives the 听证告知书 (art. 63, 64) */
	if (rc >= 0 && !strcmp(action, "notify") && json_is_true(json_object_get(row, "hearing_trigger")))
		rc = enf_doc_issue(c, "hearing_rights_notice", id, clue, row, data, seq, actor, public_url, NULL);
	json_decref(row);
	if (rc < 0 || (strcmp(action, "decide") && strcmp(action, "decide_no_penalty")))
		return rc;
	store_stmt *st = store_prepare(c, "UPDATE enf_cases SET decision_no = ? WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, no, -1);
	store_bind_int64(st, 2, id);
	rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

static int tr_tx(store_conn *c, void *arg)
{
	struct tr_arg *a = arg;
	const json_t *b = a->x.body;
	const yj_principal *who = a->x.who;
	const enf_action *act = enf_action_find(str(b, "action"));
	enf_case k;
	json_t *row = NULL, *step_data = NULL;
	char today[11], msg[512], actor[21];
	yj_day_today(today);
	yj_id_format(who->user_id, actor);
	int rc = enf_case_load(c, &who->scope, a->id, &row, &k);
	if (rc < 0)
		return rc;
	int status = enf_guard(&k, act, who->role_bit, who->user_id, today, b, msg, sizeof msg);
	if (status) {
		json_decref(row);
		return yj_refuse(&a->ref, status, "transition", "不能办理该环节", "%s", msg);
	}
	json_t *errors = json_array();
	if (enf_fields_check(act, b, today, errors)) {
		size_t i;
		json_t *e;
		json_array_foreach(errors, i, e) yj_refusal_field(&a->ref, json_string_value(json_object_get(e, "field")),
								  json_string_value(json_object_get(e, "detail")));
		json_decref(errors);
		json_decref(row);
		return yj_refuse_invalid(&a->ref, NULL);
	}
	json_decref(errors);
	const char *n = act->name, *next = enf_next_state(&k, act, b);
	char next_state[24];
	snprintf(next_state, sizeof next_state, "%s", next);
	const char *region = json_string_value(json_object_get(row, "region_code"));
	const char *dept = json_string_value(json_object_get(row, "department"));
	yj_qb *q = yj_q_update(&enf_cases_t, &who->scope);
	rc = ST_OK;
	int seq = 0;
	if (!strcmp(n, "conclude"))
		rc = conclude_check(c, a, b, row, q);
	else if (!strcmp(n, "record_payment") &&
		 json_integer_value(json_object_get(b, "amount_fen")) > k.fine_fen - k.paid_fen) {
		yj_refusal_field(&a->ref, "amount_fen", "缴款金额超过尚欠罚款，请核对");
		rc = yj_refuse_invalid(&a->ref, NULL);
	} else if (!strcmp(n, "extend") && json_integer_value(json_object_get(b, "days")) > enf_setting(c, "max_extension_days", 30)) {
		snprintf(msg, sizeof msg, "每次延期不超过 %lld 日，请缩短或分次报批", (long long)enf_setting(c, "max_extension_days", 30));
		yj_refusal_field(&a->ref, "days", msg);
		rc = yj_refuse_invalid(&a->ref, NULL);
	} else if (!strcmp(n, "change_decision")) {
		int64_t version, legal_max;
		char *tiers = NULL, name[256];
		int dbl;
		const char *code = json_string_value(json_object_get(row, "violation_code"));
		if (code && (rc = enf_benchmark_get(c, code, &version, &tiers, &dbl, &legal_max, name)) == ST_OK) {
			free(tiers);
			if (json_integer_value(json_object_get(b, "fine_fen")) > legal_max) {
				yj_refusal_field(&a->ref, "fine_fen", "罚款超过法定最高额，请改正");
				rc = yj_refuse_invalid(&a->ref, NULL);
			}
		} else if (rc == ST_NOTFOUND)
			rc = ST_OK;
	}
	if (rc != ST_OK)
		goto done;
	json_t *data = json_deep_copy(b);
	json_object_del(data, "action");
	step_data = json_incref(data);
	if ((rc = enf_step_append(c, a->id, n, k.state, next_state, actor, today, data, region, dept, &seq)) < 0)
		goto done;
	yj_q_set_text(q, "state", next_state);
	yj_q_set_int(q, "updated_at", yj_now_ms());
	int64_t extended = json_integer_value(json_object_get(row, "extended_days")),
		paused = json_integer_value(json_object_get(row, "paused_days"));
	if (!strcmp(n, "conclude"))
		yj_q_set_int(q, "proposal_seq", seq);
	else if (!strcmp(n, "legal_review") && strcmp(next_state, "investigating"))
		yj_q_set_int(q, "legal_ok_seq", seq);
	else if (!strcmp(n, "collective_discussion"))
		yj_q_set_int(q, "collective_seq", seq);
	else if (!strcmp(n, "notify")) {
		char due[11];
		if ((rc = yj_workdays_add(c, today, (int)enf_setting(c, "statement_working_days", 3), due)) < 0)
			goto done;
		yj_q_set_text(q, "statement_due", due);
		if (k.hearing_trigger) {
			if ((rc = yj_workdays_add(c, today, (int)enf_setting(c, "hearing_request_working_days", 5), due)) < 0)
				goto done;
			yj_q_set_text(q, "hearing_request_due", due);
		}
	} else if (!strcmp(n, "hold_hearing")) {
		yj_q_set_int(q, "hearing_seq", seq);
		yj_q_set_int(q, "t_hearing_rights", 1); /* art. 58 (2): a hearing on major rights → legal review */
	} else if (!strcmp(n, "decide")) {
		if ((rc = decide_set(c, row, today, q)) < 0)
			goto done;
	} else if (!strcmp(n, "decide_no_penalty")) {
		if ((rc = decide_set(c, row, today, q)) < 0)
			goto done;
		yj_q_set_text(q, "no_penalty_ground", str(b, "ground"));
	} else if (!strcmp(n, "serve")) {
		yj_q_set_text(q, "served_on", str(b, "served_on"));
		if (k.fine_fen > 0) {
			char due[11];
			if ((rc = enf_period_end(c, str(b, "served_on"), (int)enf_setting(c, "pay_days", 15), 0, due)) < 0)
				goto done;
			yj_q_set_text(q, "pay_due", due);
		}
	} else if (!strcmp(n, "publish"))
		yj_q_set_text(q, "published_on", today);
	else if (!strcmp(n, "record_payment"))
		yj_q_set_int(q, "paid_fen", k.paid_fen + json_integer_value(json_object_get(b, "amount_fen")));
	else if (!strcmp(n, "remind"))
		yj_q_set_text(q, "reminded_on", today);
	else if (!strcmp(n, "apply_court"))
		yj_q_set_text(q, "court_applied_on", today);
	else if (!strcmp(n, "close"))
		yj_q_set_text(q, "closed_on", today);
	else if (!strcmp(n, "transfer")) {
		char to[300];
		snprintf(to, sizeof to, "%s:%s", str(b, "to"), str(b, "receiving_org"));
		yj_q_set_text(q, "transferred_to", to);
		if (!strcmp(str(b, "to"), "police"))
			yj_q_set_int(q, "suspect_crime", 1);
		yj_q_set_text(q, "closed_on", NULL);
	} else if (!strcmp(n, "suspend")) {
		yj_q_set_text(q, "prior_state", k.state);
		yj_q_set_text(q, "paused_on", today);
	} else if (!strcmp(n, "resume")) {
		const char *since = json_string_value(json_object_get(row, "paused_on"));
		int64_t p = paused + (since ? day_num(today) - day_num(since) : 0);
		yj_q_set_int(q, "paused_days", p);
		yj_q_set_text(q, "paused_on", NULL);
		yj_q_set_text(q, "prior_state", NULL);
		if ((rc = set_due(c, row, extended, p, q)) < 0)
			goto done;
	} else if (!strcmp(n, "extend")) {
		int64_t e = extended + json_integer_value(json_object_get(b, "days"));
		yj_q_set_int(q, "extended_days", e);
		if ((rc = set_due(c, row, e, paused, q)) < 0)
			goto done;
	} else if (!strcmp(n, "revoke") && json_string_value(json_object_get(row, "published_on")))
		yj_q_set_text(q, "withdrawn_on", today); /* art. 48: withdrawn from the public page */
	else if (!strcmp(n, "change_decision")) {
		char *csv = kinds_csv(json_object_get(b, "penalty_kinds"));
		yj_q_set_text(q, "penalty_kinds", csv);
		yj_q_set_int(q, "fine_fen", json_integer_value(json_object_get(b, "fine_fen")));
		free(csv);
	}
	yj_q_set_int(q, "version", json_integer_value(json_object_get(row, "version")) + 1);
	yj_q_where(q, "id = ? AND version = ?");
	yj_q_int(q, a->id);
	yj_q_int(q, json_integer_value(json_object_get(row, "version")));
	store_stmt *st = yj_q_prepare(q, c);
	q = NULL;
	if (!st) {
		rc = ST_ERR;
		goto done;
	}
	rc = store_step(st);
	int64_t changed = store_changes(st);
	store_finalize(st);
	if (rc >= 0 && changed != 1)
		rc = ST_RETRY; /* changed meanwhile: run again on the new row */
	if (rc >= 0)
		rc = step_document(c, a->x.public_url, a->id, n, step_data, seq, actor);
	if (rc < 0)
		goto done;
	int issued = json_string_value(json_object_get(row, "decision_no")) && !k.no_penalty;
	if (!strcmp(n, "decide"))
		rc = enf_decision_event(c, actor, "enforcement.decision_issued", a->id, NULL);
	else if (!strcmp(n, "change_decision"))
		rc = enf_decision_event(c, actor, "enforcement.decision_changed", a->id, str(b, "reason"));
	else if (!strcmp(n, "revoke") && issued)
		rc = enf_decision_event(c, actor, "enforcement.decision_revoked", a->id, str(b, "reason"));
	if (rc >= 0)
		rc = enf_todos_sync(c, a->id);
	if (rc >= 0)
		rc = enf_case_full(c, &who->scope, a->id, &a->out);
done:
	yj_q_free(q);
	json_decref(step_data);
	json_decref(row);
	return rc;
}

int enf_transition(yj_req *r)
{
	struct tr_arg a = {.x = {yj_who(r), yj_body(r), yj_config(r)->public_url}};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	if (!enf_action_find(json_string_value(json_object_get(yj_body(r), "action"))))
		return yj_reply_problem_errors(r, 422, "validation", "参数错误", "请按字段提示修改后重新提交。",
					       yj_field_errors("action", "没有这个办案环节，请使用案件详情 actions 中列出的环节"));
	if (yj_tx_or_reply(r, tr_tx, &a, &a.ref) < 0)
		return YJ_OK;
	return yj_reply_json(r, 200, a.out);
}

int yj_enf_case_step(store *s, const yj_principal *who, int64_t id, const json_t *body, const char *public_url, json_t **out, yj_refusal *ref)
{
	struct tr_arg a = {.x = {who, body, public_url}, .id = id};
	if (!enf_action_find(json_string_value(json_object_get(body, "action")))) {
		yj_refusal_field(ref, "action", "没有这个办案环节");
		return yj_refuse_invalid(ref, NULL);
	}
	int rc = store_tx(s, tr_tx, &a);
	if (rc < 0) {
		*ref = a.ref;
		return rc;
	}
	*out = a.out;
	return ST_OK;
}

/* ---- evidence (证据): the file streamed to the spool directory as it arrives (the HTTP layer's F_FILE mode), then
 * into the attachment store chunk by chunk and the add_evidence step, in one transaction: a file of any size never
 * sits in memory, and a truncated upload never reaches the handler (the server deletes its spool file) ---- */

struct ev_arg {
	yj_req *r;
	int64_t id, size;
	int fd;
	json_t *out;
	yj_refusal ref;
};

static int evidence_tx(store_conn *c, void *arg)
{
	struct ev_arg *a = arg;
	char hex[65];
	json_t *row = NULL;
	int rc = enf_case_load(c, &yj_who(a->r)->scope, a->id, &row, NULL);
	if (rc < 0)
		return rc;
	if ((rc = yj_blob_put_fd(c, a->fd, hex, &a->size)) < 0) {
		json_decref(row);
		return rc;
	}
	/* the step names the case's officers: evidence is taken by two of them (art. 42) */
	const char *kind = yj_query(a->r, "kind"), *desc = yj_query(a->r, "description");
	json_t *body = json_pack("{s:s, s:O, s:s, s:s, s:s}", "action", "add_evidence", "participants",
				 json_object_get(row, "officers"), "sha256", hex, "evidence_kind", kind ? kind : "",
				 "description", desc ? desc : "");
	json_decref(row);
	struct tr_arg t = {.x = {yj_who(a->r), body, yj_config(a->r)->public_url}, .id = a->id};
	rc = tr_tx(c, &t);
	json_decref(body);
	a->ref = t.ref;
	a->out = t.out;
	if (rc >= 0)
		json_object_set_new(a->out, "evidence", json_pack("{s:s, s:I}", "sha256", hex, "size", (json_int_t)a->size));
	return rc;
}

int enf_evidence_upload(yj_req *r)
{
	struct ev_arg a = {.r = r, .fd = -1};
	if (yj_path_id_or_reply(r, "id", &a.id) < 0)
		return YJ_OK;
	/* the spool file under a name of this upload's, opened and unlinked at once: closing it is all the cleanup */
	const char *dir = yj_config(r)->spool_dir;
	if (!dir || !*dir)
		dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = yj_asprintf("%s/yijian-evidence-%lld", dir, (long long)yj_id_new());
	if (yj_body_file_take(r, path, &a.size) < 0 || (a.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		unlink(path);
		free(path);
		return yj_reply_problem(r, 507, "insufficient-storage", "无法保存文件", "服务器暂存目录不可写，请联系管理员检查磁盘空间与目录权限。");
	}
	unlink(path);
	free(path);
	if (!a.size) {
		close(a.fd);
		return yj_reply_problem_errors(r, 422, "validation", "参数错误", "请选择要上传的证据文件。",
					       yj_field_errors("body", "证据文件为空"));
	}
	int rc = yj_tx_or_reply(r, evidence_tx, &a, &a.ref);
	close(a.fd);
	if (rc < 0)
		return YJ_OK;
	return yj_reply_json(r, 201, a.out);
}

const yj_field enf_evidence_body[] = {
	{"application/octet-stream", F_FILE, 1, 0,
	 "The evidence file (photo, audio, video, document) as it is, streamed to disk (any size up to --max-upload)"},
	{NULL, 0, 0, 0, NULL},
};

const yj_field enf_transition_body[] = {
	{"action", F_STRING, 1, 40, "The step: investigate, add_evidence, conclude, deliberate, legal_review, "
				   "collective_discussion, notify, request_hearing, hold_hearing, decide, decide_no_penalty, serve, "
				   "publish, record_payment, remind, apply_court, close, transfer, suspend, resume, extend, revoke, "
				   "change_decision (docs/enforcement.md)"},
	{"participants", F_ARRAY, 0, 0, "Officers (ids) taking part (≥ 2 on investigation steps), or members of a deliberation"},
	{"sha256", F_STRING, 0, 64, "add_evidence: the evidence file's SHA-256 in the attachment store"},
	{"evidence_kind", F_STRING, 0, 20, "add_evidence: photo, audio, video, document or record"},
	{"description", F_STRING, 0, 2000, "add_evidence: what the evidence shows"},
	{"facts", F_STRING, 0, 8000, "conclude: the facts found"},
	{"violation_code", F_STRING, 0, 64, "conclude: the discretion benchmark's violation code"},
	{"tier", F_STRING, 0, 20, "conclude: none, mitigated, lighter, general or heavier"},
	{"penalty_kinds", F_ARRAY, 0, 0, "conclude, change_decision: penalty kind codes"},
	{"fine_fen", F_INT, 0, 0, "conclude, change_decision: fine in fen"},
	{"confiscation_fen", F_INT, 0, 0, "conclude: confiscated amount in fen"},
	{"deviation_reason", F_STRING, 0, 2000, "conclude: why the proposal leaves the benchmark band"},
	{"responsible_id", F_STRING, 0, 20, "conclude: the responsible practitioner where the benchmark says 双罚"},
	{"serious", F_BOOL, 0, 0, "conclude: major case (collective discussion)"},
	{"t_public_interest", F_BOOL, 0, 0, "conclude: art. 58 (1)"},
	{"t_complex", F_BOOL, 0, 0, "conclude: art. 58 (3)"},
	{"t_other_law", F_BOOL, 0, 0, "conclude: art. 58 (4)"},
	{"suspect_crime", F_BOOL, 0, 0, "conclude: suspected crime (transfer before closing)"},
	{"opinion", F_STRING, 0, 4000, "legal_review: agree, amend or return; deliberate, collective_discussion: the opinions"},
	{"conclusion", F_STRING, 0, 4000, "deliberate, collective_discussion: the conclusion"},
	{"reasons", F_STRING, 0, 4000, "legal_review: reasons (required for amend and return)"},
	{"held_on", F_STRING, 0, 10, "hold_hearing: YYYY-MM-DD"},
	{"transcript", F_STRING, 0, 8000, "hold_hearing: summary of the hearing record"},
	{"hearing_on", F_STRING, 0, 40, "request_hearing: when the hearing is held (听证通知书; default 另行通知)"},
	{"hearing_place", F_STRING, 0, 200, "request_hearing: where the hearing is held"},
	{"waived", F_BOOL, 0, 0, "decide: the party waived statement and hearing in writing"},
	{"ground", F_STRING, 0, 40, "decide_no_penalty: minor_corrected, first_minor, facts_not_established, no_fault, other"},
	{"note", F_STRING, 0, 2000, "Any step: a note"},
	{"method", F_STRING, 0, 20, "serve: direct, left, post, electronic, entrusted, public_notice"},
	{"served_on", F_STRING, 0, 10, "serve: YYYY-MM-DD on the receipt"},
	{"receiver", F_STRING, 0, 100, "serve: who signed the receipt"},
	{"refused", F_BOOL, 0, 0, "serve: the party refused to sign (left with a witness)"},
	{"witness", F_STRING, 0, 100, "serve: the witness of a refusal"},
	{"refusal_note", F_STRING, 0, 1000, "serve: why and when it was refused"},
	{"consent", F_BOOL, 0, 0, "serve: signed consent to electronic service"},
	{"amount_fen", F_INT, 0, 0, "record_payment: amount paid in fen"},
	{"paid_on", F_STRING, 0, 10, "record_payment: YYYY-MM-DD"},
	{"court", F_STRING, 0, 200, "apply_court: the people's court applied to"},
	{"to", F_STRING, 0, 20, "transfer: police or department"},
	{"receiving_org", F_STRING, 0, 200, "transfer: the receiving authority"},
	{"reason", F_STRING, 0, 2000, "transfer, suspend, revoke, change_decision: the reason"},
	{"reason_code", F_STRING, 0, 40, "extend: force_majeure, party_missing, awaiting_ruling, dependent_case, assistance"},
	{"days", F_INT, 0, 0, "extend: days added to the decision deadline"},
	{"summary", F_STRING, 0, 4000, "close: the closing report's summary"},
	{NULL, 0, 0, 0, NULL},
};
