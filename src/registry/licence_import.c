/* licence_import.c — the row checker and publisher that let import.c load electronic licences
 * (existing paper licences keep their numbers): the check resolves a row (kind, holder, dates, issuer,
 * state), compares it with the licence stored under its number and plans the licence module's own
 * issue and lifecycle actions; the publication runs them, so every change has its event, signature
 * and audit leaf. Rules: docs/import.md. */
#define _POSIX_C_SOURCE 200809L
#include "import.h"
#include "licence.h"
#include "../base/base.h"
#include "../base/codes.h"
#include "../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const reg_field fields[] = {
	{"number", NULL, RT_TEXT, 1, 60, NULL, "证照编号", NULL, "Licence number: the natural key", 0, 1},
	{"kind", NULL, RT_CODE, 1, 0, NULL, "证照种类", NULL, "Code or Chinese name of a licence kind", 0, 0},
	{"holder", NULL, RT_TEXT, 1, 30, NULL, "持证主体代码", NULL,
	 "Institution: unified social credit code; practitioner: practice certificate number", 0, 0},
	{"valid_from", NULL, RT_DATE, 1, 0, NULL, "有效期起", NULL, "YYYY-MM-DD", 0, 0},
	{"valid_to", NULL, RT_DATE, 0, 0, NULL, "有效期至", NULL, "YYYY-MM-DD; empty: the kind's term", 0, 0},
	{"issuer", NULL, RT_TEXT, 0, 100, NULL, "发证机关", NULL, "Empty: the territory's health authority", 0, 0},
	{"state", NULL, RT_CODE, 0, 0, NULL, "状态", NULL, "valid, suspended or revoked (有效, 暂停, 吊销)", 0, 0},
	{"reason", NULL, RT_TEXT, 0, 200, NULL, "备注", NULL, "Added to the reason of every event the row causes", 0, 0},
	{NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0},
};

const reg_kind yj_licence_import_kind = {"licence", "licences", "电子证照", fields, NULL, "number",
					 NULL, NULL, NULL, NULL, NULL};

static const char *text(const json_t *in, const char *field)
{
	const char *v = json_string_value(json_object_get(in, field));
	return v ? v : "";
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* YYYY-MM-DD or YYYY/M/D as spreadsheets write it, into out as YYYY-MM-DD; 0 when not a date. */
static int norm_date(const char *s, char out[11])
{
	int64_t day;
	if (yj_date_parse_loose(s, YJ_DATE_YEAR_MIN, YJ_DATE_YEAR_MAX, &day) < 0)
		return 0;
	yj_day_format(day, out);
	return 1;
}

typedef struct kind_row {
	char code[64], name[128];
	char holder_type[96]; /* the kind's holder types; holder_find narrows it to the holder's */
	int years;
} kind_row;

/* The kind by code or Chinese name. */
static int kind_find(store_conn *c, const char *v, kind_row *k)
{
	store_stmt *st = store_prepare(c, "SELECT code, name, holder_types, validity_years FROM licence_kinds "
					  "WHERE code = ? OR name = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, v, -1);
	store_bind_text(st, 2, v, -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		snprintf(k->code, sizeof k->code, "%s", store_col_text(st, 0));
		snprintf(k->name, sizeof k->name, "%s", store_col_text(st, 1));
		snprintf(k->holder_type, sizeof k->holder_type, "%s", store_col_text(st, 2));
		k->years = (int)store_col_int64(st, 3);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

/* The holder of type htype named by v (credit code or certificate number) in the caller's territory:
 * *id and region, or an error on the holder column explaining what was given instead. */
static int holder_find(store_conn *c, const yj_import_opts *o, kind_row *k, const char *v, int64_t *id,
		       char region[16], json_t *errs)
{
	int64_t version, oid;
	char oregion[16], msg[400];
	int rc = ST_NOTFOUND;
	if (strchr(k->holder_type, ',')) {
		/* A kind several kinds of subject hold (公共场所卫生许可证: public places, institutions): the
		 * first kind with a record of that credit code is the holder. */
		char t[48] = "";
		for (const char *p = k->holder_type; *p && rc == ST_NOTFOUND;) {
			size_t len = strcspn(p, ",");
			snprintf(t, sizeof t, "%.*s", (int)(len < sizeof t ? len : sizeof t - 1), p);
			const reg_kind *rk = yj_reg_kind_named(t);
			if (rk)
				rc = yj_reg_find_key(c, rk, v, id, &version, region);
			p += len + (p[len] == ',');
		}
		if (rc < 0 && rc != ST_NOTFOUND)
			return rc;
		if (rc == ST_OK)
			snprintf(k->holder_type, sizeof k->holder_type, "%s", t);
		if (rc == ST_NOTFOUND) /* explained below as for the main kind of holder (listed first) */
			k->holder_type[strcspn(k->holder_type, ",")] = '\0';
	}
	const reg_kind *want = yj_reg_kind_named(k->holder_type);
	if (!want)
		return ST_ERR;
	int inst = want != &yj_practitioner_kind;
	const reg_kind *other = inst ? &yj_practitioner_kind : &yj_institution_kind;
	if (rc != ST_OK)
		rc = yj_reg_find_key(c, want, v, id, &version, region);
	if (rc == ST_OK) {
		if (!yj_scope_allows(o->sc, region, NULL)) {
			snprintf(msg, sizeof msg, "持证主体登记在其他辖区（%s），不在您的管辖范围内，不能为其导入证照。", region);
			yj_field_error(errs, "holder", msg);
		}
		return ST_OK;
	}
	if (rc != ST_NOTFOUND)
		return rc;
	rc = yj_reg_find_key(c, other, v, &oid, &version, oregion);
	if (rc < 0 && rc != ST_NOTFOUND)
		return rc;
	size_t n = strlen(v);
	if (rc == ST_OK)
		snprintf(msg, sizeof msg,
			 inst ? "“%s”是医务人员的执业证书编码，而%s的持证主体应为医疗机构：请填写机构的统一社会信用代码。"
			      : "“%s”是医疗机构的统一社会信用代码，而%s的持证主体应为医务人员：请填写其执业证书编码。",
			 v, k->name);
	else if (!inst && (strchr(v, '*') || (n == 18 && yj_resident_id_check(v, n) == YJ_CODE_OK)))
		snprintf(msg, sizeof msg, "医务人员应以执业证书编码标识，不能填写身份证号（身份证号不会出现在证照上）；"
					  "请改为执业证书编码。");
	else if (inst && want != &yj_institution_kind)
		snprintf(msg, sizeof msg, "找不到统一社会信用代码为“%.40s”的%s：请核对代码，或先登记该主体。", v, want->label);
	else if (inst)
		snprintf(msg, sizeof msg, "找不到统一社会信用代码为“%.40s”的医疗机构：请核对代码，或先导入该机构"
					  "（yijian import institutions）。", v);
	else
		snprintf(msg, sizeof msg, "找不到执业证书编码为“%.40s”的医务人员：请核对编码，或先导入该人员"
					  "（yijian import practitioners）。", v);
	yj_field_error(errs, "holder", msg);
	return ST_OK;
}

typedef struct stored {
	int64_t id, holder_id;
	char kind[64], holder_type[24], region[16], from[11], to[11], state[16];
	char issuer[400], holder_name[400];
	int has_to;
} stored;

/* The licence with this number regardless of territory (the import must tell "elsewhere" from "new"). */
static int stored_find(store_conn *c, const char *number, stored *s)
{
	store_stmt *st = store_prepare(c, "SELECT id, kind, holder_type, holder_id, region_code, valid_from, valid_to, "
					  "issuer, state, holder_name FROM licences WHERE number = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, number, -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		s->id = store_col_int64(st, 0);
		snprintf(s->kind, sizeof s->kind, "%s", store_col_text(st, 1));
		snprintf(s->holder_type, sizeof s->holder_type, "%s", store_col_text(st, 2));
		s->holder_id = store_col_int64(st, 3);
		snprintf(s->region, sizeof s->region, "%s", store_col_text(st, 4));
		snprintf(s->from, sizeof s->from, "%s", store_col_text(st, 5));
		const char *to = store_col_text(st, 6);
		s->has_to = to != NULL;
		snprintf(s->to, sizeof s->to, "%s", to ? to : "");
		snprintf(s->issuer, sizeof s->issuer, "%s", store_col_text(st, 7));
		snprintf(s->state, sizeof s->state, "%s", store_col_text(st, 8));
		snprintf(s->holder_name, sizeof s->holder_name, "%s", store_col_text(st, 9));
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

static const char *state_label(const char *state)
{
	return !strcmp(state, "suspended") ? "暂停" : !strcmp(state, "revoked") ? "吊销" : "有效";
}

/* One planned lifecycle action, the column it answers for and its reason. */
typedef struct step {
	enum yj_licence_action a;
	const char *field;
	char reason[700];
} step;

/* The reason of an imported action: "导入：…", with the row's 备注 after it. */
static void reason_for(char *out, size_t cap, const char *what, const char *remark)
{
	snprintf(out, cap, "导入：%s%s%s", what, *remark ? "；" : "", remark);
}

int yj_licence_import_check(store_conn *c, const reg_kind *k, const yj_import_opts *o, const json_t *in,
			    yj_import_memo *seen, long row, json_t *errs, int *outcome, json_t **plan_out)
{
	(void)k;
	(void)seen; /* the number is the natural key, already unique in the file; nothing else is unique */
	(void)row;
	const char *number = text(in, "number"), *kind_v = text(in, "kind"), *holder_v = text(in, "holder");
	const char *from_v = text(in, "valid_from"), *to_v = text(in, "valid_to"), *issuer_v = text(in, "issuer");
	const char *state_v = text(in, "state"), *remark = text(in, "reason");
	char from[11] = "", to[11] = "", region[16] = "", issuer[400] = "", msg[600];
	int has_to = 0, rc = ST_OK, known_kind = 0;
	int64_t hid = 0;
	kind_row kr = {0};
	stored s = {0};
	json_t *body = NULL;

	/* ---- each cell on its own ---- */
	if (!*number)
		yj_field_error(errs, "number", "必填：导入证照须填写原证照编号，重新导入时据此识别同一证照。");
	else if (has_control(number) || yj_utf8_len(number, strlen(number)) > 60)
		yj_field_error(errs, "number", "证照编号应为 1–60 个字符，且不含控制字符。");
	if (!*kind_v) {
		yj_field_error(errs, "kind", "必填：请填写证照种类的代码或名称（如 med_inst_practice 或 医疗机构执业许可证）。");
	} else if ((rc = kind_find(c, kind_v, &kr)) == ST_NOTFOUND) {
		snprintf(msg, sizeof msg, "未知的证照种类“%.60s”：请填写证照种类的代码或名称（docs/licences.md 与 "
					  "/api/v1/licence-kinds 列出全部种类）。", kind_v);
		yj_field_error(errs, "kind", msg);
		rc = ST_OK;
	} else if (rc < 0) {
		goto done;
	} else {
		known_kind = 1;
	}
	if (!*from_v)
		yj_field_error(errs, "valid_from", "必填：请填写原证照的有效期起始日期（YYYY-MM-DD）。");
	else if (!norm_date(from_v, from))
		yj_field_error(errs, "valid_from", "应为有效日期，格式 YYYY-MM-DD（如 2024-03-01）。");
	if (!strcmp(to_v, "长期")) {
		if (known_kind && kr.years > 0) {
			snprintf(msg, sizeof msg, "%s有 %d 年的有效期，不能填“长期”：请填写有效期截止日期，或留空按种类期限计算。", kr.name,
				 kr.years);
			yj_field_error(errs, "valid_to", msg);
		}
	} else if (*to_v) {
		if (!norm_date(to_v, to))
			yj_field_error(errs, "valid_to", "应为有效日期，格式 YYYY-MM-DD，或留空按证照种类的期限计算。");
		else if (*from && strcmp(to, from) < 0)
			yj_field_error(errs, "valid_to", "有效期截止日期早于起始日期，请核对。");
		else
			has_to = 1;
	}
	if (*issuer_v && (has_control(issuer_v) || yj_utf8_len(issuer_v, strlen(issuer_v)) > 100))
		yj_field_error(errs, "issuer", "发证机关应为不超过 100 个字符的名称，且不含控制字符。");
	const char *state = !*state_v || !strcmp(state_v, "valid") || !strcmp(state_v, "有效") ? "valid"
			    : !strcmp(state_v, "suspended") || !strcmp(state_v, "暂停")	    ? "suspended"
			    : !strcmp(state_v, "revoked") || !strcmp(state_v, "吊销")	    ? "revoked"
											    : NULL;
	if (!state)
		yj_field_error(errs, "state", !strcmp(state_v, "过期") || !strcmp(state_v, "expired")
					   ? "“过期”由有效期自动得出，不是可导入的状态：请填“有效”，系统按有效期至显示为过期。"
					   : "状态应为 有效、暂停 或 吊销（valid、suspended、revoked），留空为有效。");
	if (yj_utf8_len(remark, strlen(remark)) > 200 || has_control(remark))
		yj_field_error(errs, "reason", "备注最多 200 个字符，且不含控制字符。");
	if (known_kind && *holder_v && (rc = holder_find(c, o, &kr, holder_v, &hid, region, errs)) < 0)
		goto done;
	if (!*holder_v)
		yj_field_error(errs, "holder", "必填：机构填统一社会信用代码，医务人员填执业证书编码。");
	if (json_array_size(errs) || !*number)
		goto done;

	/* ---- against what is stored under the number ---- */
	int found = 0;
	if ((rc = stored_find(c, number, &s)) == ST_OK) {
		found = 1;
		if (!yj_scope_allows(o->sc, s.region, NULL)) {
			snprintf(msg, sizeof msg, "该证照编号已在其他辖区登记（%s），不在您的管辖范围内，不能导入或修改。", s.region);
			yj_field_error(errs, "number", msg);
		} else if (strcmp(s.holder_type, kr.holder_type) || s.holder_id != hid) {
			snprintf(msg, sizeof msg, "该证照编号已由其他持证主体（%.120s）使用：请核对证照编号或持证主体代码。", s.holder_name);
			yj_field_error(errs, "number", msg);
		} else if (strcmp(s.kind, kr.code)) {
			snprintf(msg, sizeof msg, "该证照编号已登记为另一种证照（%s），证照种类不能通过导入更改：请核对种类或编号。", s.kind);
			yj_field_error(errs, "kind", msg);
		}
		if (json_array_size(errs))
			goto done;
	} else if (rc != ST_NOTFOUND) {
		goto done;
	}
	rc = ST_OK;

	/* An empty 有效期至 is the kind's term — except on a licence already stored with the same start,
	 * which keeps its end — and "长期" is none; an empty 发证机关 keeps a stored licence's, and names
	 * the issuing territory's health authority on a new one. */
	if (!has_to && strcmp(to_v, "长期")) {
		if (found && !strcmp(s.from, from)) {
			has_to = s.has_to;
			snprintf(to, sizeof to, "%s", s.to);
		} else if (kr.years > 0) {
			yj_licence_term_end(from, kr.years, to);
			has_to = 1;
		}
	}
	char issuer_region[16];
	snprintf(issuer_region, sizeof issuer_region, "%.6s", o->region_code && *o->region_code ? o->region_code : region);
	if (*issuer_v)
		snprintf(issuer, sizeof issuer, "%s", issuer_v);
	else if (found)
		snprintf(issuer, sizeof issuer, "%s", s.issuer);
	else if ((rc = yj_licence_issuer_name(c, issuer_region, issuer, sizeof issuer)) < 0)
		goto done;

	/* ---- the plan: the module's actions in an order its lifecycle allows, checked before any write
	 * (there is no savepoint per row: a refused row must leave nothing behind) ---- */
	step plan[5];
	int nplan = 0;
	char today[11], what[600];
	yj_day_today(today);
	const char *cur = found ? s.state : "valid";
	const char *cur_to = found ? (s.has_to ? s.to : NULL) : (has_to ? to : NULL);
	if (found) {
		int issuer_diff = strcmp(issuer, s.issuer) != 0;
		int validity_diff = strcmp(from, s.from) || has_to != s.has_to || (has_to && strcmp(to, s.to));
		if (!strcmp(s.state, "suspended") && !strcmp(state, "valid")) {
			plan[nplan].a = LA_RESUME;
			plan[nplan].field = "state";
			reason_for(plan[nplan++].reason, sizeof plan[0].reason, "原证照状态为有效", remark);
		}
		if (issuer_diff) {
			plan[nplan].a = LA_CHANGE;
			plan[nplan].field = "issuer";
			snprintf(what, sizeof what, "按导入文件更正发证机关（原为%.300s）", s.issuer);
			reason_for(plan[nplan++].reason, sizeof plan[0].reason, what, remark);
		}
		if (validity_diff) {
			plan[nplan].a = LA_RENEW;
			plan[nplan].field = strcmp(from, s.from) ? "valid_from" : "valid_to";
			snprintf(what, sizeof what, "按导入文件更新有效期（原为 %s 至 %s）", s.from, s.has_to ? s.to : "长期");
			reason_for(plan[nplan++].reason, sizeof plan[0].reason, what, remark);
		}
	}
	if (strcmp(state, "valid") && strcmp(state, found ? s.state : "valid")) {
		plan[nplan].a = !strcmp(state, "suspended") ? LA_SUSPEND : LA_REVOKE;
		plan[nplan].field = "state";
		snprintf(what, sizeof what, "原证照状态为%s", state_label(state));
		reason_for(plan[nplan++].reason, sizeof plan[0].reason, what, remark);
	}
	if (found && !nplan && strcmp(state, s.state)) {
		/* valid in the file, revoked in the store: nothing the lifecycle can do */
		yj_field_error(errs, "state", "该证照已被吊销，不能通过导入恢复为有效或暂停；如需继续执业，请重新核发新证（新编号）。");
		goto done;
	}
	for (int i = 0; i < nplan; i++) {
		const char *why = NULL;
		int expired = cur_to && strcmp(cur_to, today) < 0;
		const char *next = yj_licence_transition(cur, expired, plan[i].a, &why);
		if (!next) {
			snprintf(msg, sizeof msg, "按文件需办理“%s”，但%s", yj_licence_action_label(plan[i].a), why);
			yj_field_error(errs, plan[i].field, msg);
			goto done;
		}
		cur = next;
		if (plan[i].a == LA_RENEW)
			cur_to = has_to ? to : NULL;
	}
	if (found && !nplan) {
		*outcome = YJ_IMPORT_UNCHANGED;
		goto done;
	}

	/* ---- what the publication will do ---- */
	json_t *steps = json_array();
	for (int i = 0; i < nplan; i++) {
		json_t *b = json_pack("{s:s}", "reason", plan[i].reason);
		if (plan[i].a == LA_RENEW) {
			json_object_set_new(b, "valid_from", json_string(from));
			if (has_to)
				json_object_set_new(b, "valid_to", json_string(to));
		} else if (plan[i].a == LA_CHANGE) {
			json_object_set_new(b, "issuer", json_string(issuer));
		}
		json_array_append_new(steps, json_pack("{s:i, s:o}", "a", (int)plan[i].a, "b", b));
	}
	if (!found) {
		char hid_s[24], why_issue[600];
		yj_id_format(hid, hid_s);
		reason_for(why_issue, sizeof why_issue, "原有证照", remark);
		body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", kr.code, "holder_type", kr.holder_type,
				 "holder_id", hid_s, "number", number, "valid_from", from, "reason", why_issue, "issuer", issuer);
		if (has_to)
			json_object_set_new(body, "valid_to", json_string(to));
	}
	json_t *p = json_pack("{s:I, s:s, s:O, s:o}", "id", (json_int_t)s.id, "issuer_region", issuer_region, "issue",
			      body ? body : json_null(), "steps", steps);
	*plan_out = p;
	*outcome = found ? YJ_IMPORT_UPDATED : YJ_IMPORT_INSERTED;
done:
	json_decref(body);
	return rc < 0 ? rc : ST_OK;
}

/* Runs a plan of yj_licence_import_check: the issue of a new number, then the lifecycle actions. A
 * refusal now means the licence changed since the check (its number taken, its state moved on):
 * stale, so the import starts over and checks the row again. */
int yj_licence_import_publish(store_conn *c, const reg_kind *k, const yj_import_opts *o, json_t *plan)
{
	(void)k;
	/* The licence module may add to what it is given: the plan is this attempt's own (import.c
	 * parses it again for each). */
	json_t *p = json_incref(plan), *merrs = json_array();
	int rc = ST_OK;
	int64_t id = (int64_t)json_integer_value(json_object_get(p, "id"));
	const json_t *issue = json_object_get(p, "issue");
	if (json_is_object(issue)) {
		rc = yj_licence_issue(c, o->sc, json_string_value(json_object_get(p, "issuer_region")), issue, o->actor,
				      &id, merrs);
		/* The number taken since the check is stale; a refused body is a fault of the check. */
		if (rc == ST_CONFLICT)
			rc = YJ_IMPORT_STALE;
		else if (rc == YJ_LICENCE_INVALID)
			rc = ST_ERR;
		if (rc < 0)
			goto done;
	}
	size_t i;
	json_t *st;
	json_array_foreach(json_object_get(p, "steps"), i, st) {
		const char *why = NULL;
		json_array_clear(merrs);
		rc = yj_licence_act(c, o->sc, id, (enum yj_licence_action)json_integer_value(json_object_get(st, "a")),
				    json_object_get(st, "b"), o->actor, merrs, &why);
		if (rc == YJ_LICENCE_INVALID || rc == YJ_LICENCE_STATE || rc == ST_NOTFOUND)
			rc = YJ_IMPORT_STALE;
		if (rc < 0)
			goto done;
	}
	rc = ST_OK;
done:
	json_decref(p);
	json_decref(merrs);
	return rc;
}
