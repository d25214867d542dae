/* licence_store.c — the SQL of electronic licences: issue and lifecycle actions inside the caller's
 * write transaction (row, licence_events row and audit leaf commit together; change and renew
 * re-sign the payload under a new version), scoped reads, the unscoped lookup by verification
 * code for the public endpoint, and the kinds. */
#define _POSIX_C_SOURCE 200809L
#include "licence.h"
#include "record.h"
#include "../base/base.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/events/events.h"
#include "../platform/pii/pii.h"
#include "../platform/auth/auth.h"
#include "../platform/regions/regions.h"
#include "../platform/store/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A subject-bound caller sees its institutions' licences and their staff's (scope.h). */
static const yj_table licences_table = {"licences", "region_code", NULL, YJ_LICENCE_SUBJECTS};

const char yj_licence_columns[] = "id, kind, number, verify_code, holder_type, holder_id, holder_name, region_code, "
				  "issuer, valid_from, valid_to, state, payload, signature, version, created_at, updated_at";

/* The holder_identifier a row shows (new reference or NULL). A practitioner's licence signed before
 * the shorter mask names the holder as 3303**********1234; shown, it is cut to the form every role
 * sees. The payload itself stays as signed: /download serves it (docs/security.md, residual risks). */
static json_t *shown_holder(const json_t *payload, const char *holder_type)
{
	json_t *v = json_object_get(payload, "holder_identifier");
	char m[19];
	if (json_is_string(v) && holder_type && !strcmp(holder_type, "practitioner"))
		return json_string(yj_pii_mask_id_head(json_string_value(v), m));
	return v ? json_incref(v) : NULL;
}

json_t *yj_licence_row(store_stmt *st, const char *today)
{
	char id[24], hid[24];
	yj_id_format(store_col_int64(st, 0), id);
	yj_id_format(store_col_int64(st, 5), hid);
	const char *code = store_col_text(st, 3), *state = store_col_text(st, 11), *to = store_col_text(st, 10);
	json_t *payload = json_loads(store_col_text(st, 12), 0, NULL);
	const char *status = yj_licence_status(state, to, today);
	char *url = yj_asprintf("%sverify/%s", yj_licence_public_url(), code);
	json_t *row = json_pack("{s:s, s:s, s:O?, s:s, s:s, s:s, s:s, s:s, s:o?, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, "
				"s:I, s:I, s:I, s:s, s:o?, s:s}",
				"id", id, "kind", store_col_text(st, 1), "kind_name", json_object_get(payload, "kind_name"),
				"number", store_col_text(st, 2), "verify_code", code, "holder_type", store_col_text(st, 4),
				"holder_id", hid, "holder_name", store_col_text(st, 6), "holder_identifier",
				shown_holder(payload, store_col_text(st, 4)), "region_code", store_col_text(st, 7), "issuer",
				store_col_text(st, 8), "valid_from", store_col_text(st, 9), "valid_to", to, "state", state,
				"status", status, "status_label", yj_licence_status_label(status), "version",
				(json_int_t)store_col_int64(st, 14), "created_at", (json_int_t)store_col_int64(st, 15),
				"updated_at", (json_int_t)store_col_int64(st, 16), "verify_url", url, "payload", payload,
				"signature", store_col_text(st, 13));
	free(url);
	return row;
}

/* ---- reference data ---- */

typedef struct kind_info {
	char name[128];
	char holder_type[96]; /* every kind of subject that may hold it, comma-separated (holder_types) */
	int validity_years, seq;
} kind_info;

static int kind_load(store_conn *c, const char *code, kind_info *k)
{
	store_stmt *st = store_prepare(c, "SELECT name, holder_types, validity_years, seq FROM licence_kinds WHERE code = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		snprintf(k->name, sizeof k->name, "%s", store_col_text(st, 0));
		snprintf(k->holder_type, sizeof k->holder_type, "%s", store_col_text(st, 1));
		k->validity_years = (int)store_col_int64(st, 2);
		k->seq = (int)store_col_int64(st, 3);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int yj_licence_kinds(store_conn *c, json_t **out)
{
	store_stmt *st =
		store_prepare(c, "SELECT code, name, holder_type, validity_years, holder_types FROM licence_kinds ORDER BY seq");
	if (!st)
		return ST_ERR;
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		/* holder_type: the kind of subject it is mainly for; holder_types: every kind that may hold it. */
		json_t *types = json_array();
		for (const char *p = store_col_text(st, 4); p && *p;) {
			size_t len = strcspn(p, ",");
			json_array_append_new(types, json_stringn(p, len));
			p += len + (p[len] == ',');
		}
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:o, s:I}", "code", store_col_text(st, 0), "name",
						       store_col_text(st, 1), "holder_type", store_col_text(st, 2),
						       "holder_types", types, "validity_years",
						       (json_int_t)store_col_int64(st, 3)));
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = items;
	return ST_OK;
}

/* The health authority of a territory as printed on a licence: 温州市鹿城区卫生健康局 for a county,
 * 温州市卫生健康委员会 for a city, 浙江省卫生健康委员会 for a province. */
int yj_licence_issuer_name(store_conn *c, const char *region, char *out, size_t cap)
{
	yj_region r, p;
	int rc = yj_region_get(c, region, &r);
	if (rc < 0)
		return rc;
	int has_parent = r.parent_code[0] != '\0';
	if (has_parent && (rc = yj_region_get(c, r.parent_code, &p)) < 0 && rc != ST_NOTFOUND)
		return rc;
	has_parent = has_parent && rc == ST_OK;
	if (r.level >= 3 && has_parent)
		snprintf(out, cap, "%s%s卫生健康局", r.level == 3 ? p.name : "", r.level == 3 ? r.name : p.name);
	else
		snprintf(out, cap, "%s卫生健康委员会", r.name);
	return ST_OK;
}

static int taken(store_conn *c, const char *column, const char *value, int *yes)
{
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM licences WHERE %s = ?", column);
	int64_t n = 0;
	int rc = store_query_int64(c, sql, value, &n);
	*yes = n > 0;
	return rc == ST_NOTFOUND ? ST_OK : rc;
}

static int has_control(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* The issuer a body names (the import's 发证机关 column; the API's bodies do not list it), or NULL
 * when absent; an unusable one adds an error. */
static const char *issuer_of(const json_t *body, json_t *errors)
{
	const char *v = json_string_value(json_object_get(body, "issuer"));
	if (v && (!*v || has_control(v) || yj_utf8_len(v, strlen(v)) > 100)) {
		yj_field_error(errors, "issuer", "发证机关应为 1–100 个字符，且不含控制字符");
		return NULL;
	}
	return v;
}

/* "该证照种类的持证主体应为公共场所或医疗机构" from a kind's holder types. */
static const char *holder_types_zh(const char *types)
{
	static _Thread_local char out[256];
	size_t n = (size_t)snprintf(out, sizeof out, "该证照种类的持证主体应为");
	const char *p = types;
	for (int first = 1; *p && n < sizeof out; first = 0) {
		size_t len = strcspn(p, ",");
		char t[48];
		snprintf(t, sizeof t, "%.*s", (int)(len < sizeof t ? len : sizeof t - 1), p);
		const reg_kind *k = yj_reg_kind_named(t);
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", first ? "" : "或", k ? k->label : t);
		p += len + (p[len] == ',');
	}
	return out;
}

/* The holder as the licence shows it: name, identifier (credit code, or the masked ID number — never
 * the clear one) and territory. */
typedef struct holder_info {
	json_t *rec;
	const char *name, *identifier, *region;
	char masked[19]; /* a practitioner's identifier: the form every role sees (docs/security.md) */
} holder_info;

static int holder_load(store_conn *c, const yj_scope *sc, const char *type, int64_t id, holder_info *h)
{
	const reg_kind *k = yj_reg_kind_named(type);
	int inst = k != &yj_practitioner_kind; /* every other kind is identified by its credit code */
	if (!k)
		return ST_NOTFOUND;
	int rc = yj_reg_load(c, k, sc, id, &h->rec);
	if (rc < 0)
		return rc;
	h->name = json_string_value(json_object_get(h->rec, "name"));
	h->identifier = json_string_value(json_object_get(h->rec, inst ? "credit_code" : "id_masked"));
	if (!inst && h->identifier) /* a record stored before the shorter mask still holds the last digits */
		h->identifier = yj_pii_mask_id_head(h->identifier, h->masked);
	h->region = json_string_value(json_object_get(h->rec, "region_code"));
	if (!h->identifier)
		h->identifier = "";
	return h->name && h->region ? ST_OK : ST_ERR;
}

static const char *reason_of(const json_t *body, json_t *errors)
{
	const char *r = json_string_value(json_object_get(body, "reason"));
	if (!r || !r[strspn(r, " \t\r\n")]) {
		yj_field_error(errors, "reason", "请填写办理理由（如申请事项、处罚决定文书号）");
		return NULL;
	}
	return r;
}

/* valid_from (default today) and valid_to (default the kind's term; NULL without one) from body. */
static void validity_of(const json_t *body, int years, char from[11], char to[11], int *has_to, json_t *errors)
{
	const char *f = json_string_value(json_object_get(body, "valid_from"));
	const char *t = json_string_value(json_object_get(body, "valid_to"));
	*has_to = 0;
	if (f && yj_day_parse(f, NULL) < 0) {
		yj_field_error(errors, "valid_from", "应为有效日期，格式 YYYY-MM-DD");
		return;
	}
	if (f)
		snprintf(from, 11, "%s", f);
	else
		yj_day_today(from);
	if (t) {
		if (yj_day_parse(t, NULL) < 0) {
			yj_field_error(errors, "valid_to", "应为有效日期，格式 YYYY-MM-DD");
			return;
		}
		if (strcmp(t, from) < 0) {
			yj_field_error(errors, "valid_to", "有效期截止日期不能早于起始日期");
			return;
		}
		snprintf(to, 11, "%s", t);
		*has_to = 1;
	} else if (years > 0) {
		yj_licence_term_end(from, years, to);
		*has_to = 1;
	}
}

/* The event of each action (docs/events.md), by enum yj_licence_action. */
static const char *const licence_event[LA_COUNT] = {
	"registry.licence_issued",    "registry.licence_renewed", "registry.licence_changed",
	"registry.licence_suspended", "registry.licence_resumed", "registry.licence_revoked",
};

/* What other modules need of a licence: which one, whose, its state; not the holder's name or
 * identifier (a subscriber reads the holder through registry.h). New reference. */
static json_t *licence_payload(const json_t *row, const char *reason)
{
	return json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:s?}", "kind", json_object_get(row, "kind"),
			 "number", json_object_get(row, "number"), "holder_type", json_object_get(row, "holder_type"),
			 "holder_id", json_object_get(row, "holder_id"), "state", json_object_get(row, "state"),
			 "valid_from", json_object_get(row, "valid_from"), "valid_to", json_object_get(row, "valid_to"),
			 "version", json_object_get(row, "version"), "reason", reason);
}

static int write_event(store_conn *c, int64_t id, enum yj_licence_action a, const char *reason, const char *actor,
		       const char *region, const json_t *row)
{
	store_stmt *st = store_prepare(c, "INSERT INTO licence_events (id, licence_id, action, reason, actor, region_code, at) "
					  "VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, yj_id_new());
	store_bind_int64(st, 2, id);
	store_bind_text(st, 3, yj_licence_action_name(a), -1);
	store_bind_text(st, 4, reason, -1);
	store_bind_text(st, 5, actor, -1);
	store_bind_text(st, 6, region, -1);
	store_bind_int64(st, 7, yj_now_ms());
	int rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	char action[32], ids[24];
	snprintf(action, sizeof action, "licence.%s", yj_licence_action_name(a));
	yj_id_format(id, ids);
	json_t *state = json_pack("{s:O, s:s}", "licence", row, "reason", reason);
	yj_audit_event ev = {actor, action, "licence", ids, region, state};
	json_t *payload = licence_payload(row, reason);
	rc = yj_audit_append(c, &ev, NULL);
	if (rc >= 0)
		rc = yj_event_emit(c, &(yj_event){licence_event[a], "licence", ids, region, actor, payload}, NULL);
	json_decref(payload);
	json_decref(state);
	return rc;
}

store_stmt *yj_licence_list(store_conn *c, const yj_scope *sc, const yj_licence_filter *f, const char *today,
			    int64_t after, int limit)
{
	yj_qb *q = yj_q_select(&licences_table, yj_licence_columns, sc);
	if (f->kind && *f->kind) {
		yj_q_where(q, "kind = ?");
		yj_q_text(q, f->kind);
	}
	if (f->holder_type && *f->holder_type) {
		yj_q_where(q, "holder_type = ?");
		yj_q_text(q, f->holder_type);
	}
	if (f->has_holder) {
		yj_q_where(q, "holder_id = ?");
		yj_q_int(q, f->holder_id);
	}
	if (f->state && !strcmp(f->state, "valid")) {
		yj_q_where(q, "state = 'valid' AND (valid_to IS NULL OR valid_to >= ?)");
		yj_q_text(q, today);
	} else if (f->state && !strcmp(f->state, "expired")) {
		yj_q_where(q, "state = 'valid' AND valid_to < ?");
		yj_q_text(q, today);
	} else if (f->state && *f->state) {
		yj_q_where(q, "state = ?");
		yj_q_text(q, f->state);
	}
	if (f->region && *f->region)
		yj_q_region(q, "region_code", f->region);
	if (f->number && *f->number) {
		char *pat = yj_asprintf("%s%%", f->number);
		yj_q_where(q, "number LIKE ?");
		yj_q_text(q, pat);
		free(pat);
	}
	if (limit > 0) {
		yj_q_where(q, "id > ?");
		yj_q_int(q, after);
		yj_q_tail(q, "ORDER BY id LIMIT ?");
		yj_q_int(q, limit);
	} else {
		yj_q_tail(q, "ORDER BY id"); /* every row: the export streams */
	}
	return yj_q_prepare(q, c);
}

static int row_by_id(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	yj_qb *q = yj_q_select(&licences_table, yj_licence_columns, sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	char today[11];
	yj_day_today(today);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*out = yj_licence_row(st, today);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

/* Builds, canonicalises and signs the payload; *payload_text and sig receive the stored forms. */
static int sign_payload(const yj_licence_fields *f, char **payload_text, char sig[129])
{
	json_t *p = yj_licence_payload(f);
	*payload_text = yj_licence_canonical(p);
	json_decref(p);
	if (!*payload_text || yj_licence_sign(*payload_text, sig) < 0) {
		free(*payload_text);
		*payload_text = NULL;
		return ST_ERR; /* the server starts only with its licence key */
	}
	return ST_OK;
}

int yj_licence_issue(store_conn *c, const yj_scope *sc, const char *issuer_region, const json_t *body,
		     const char *actor, int64_t *id, json_t *errors)
{
	kind_info k;
	holder_info h = {0};
	char from[11], to[11], number[64], code[YJ_LICENCE_CODE_LEN + 1], issuer[400], sig[129];
	char *payload = NULL;
	int has_to = 0, yes, rc;
	int64_t hid = 0;
	const char *kind = json_string_value(json_object_get(body, "kind"));
	const char *htype = json_string_value(json_object_get(body, "holder_type"));
	const char *given = json_string_value(json_object_get(body, "number"));
	const char *reason = reason_of(body, errors);

	rc = kind && *kind ? kind_load(c, kind, &k) : ST_NOTFOUND;
	if (rc == ST_NOTFOUND)
		yj_field_error(errors, "kind", "未知的证照种类，请从证照种类列表（/api/v1/licence-kinds）中选择");
	else if (rc < 0)
		return rc;
	if (!htype || !yj_reg_kind_named(htype))
		yj_field_error(errors, "holder_type", "应为主体库的一类主体（institution 医疗机构、practitioner 医务人员、"
						      "public_place 公共场所等，见 /api/v1/registry/kinds）");
	else if (rc == ST_OK && !yj_licence_holder_allowed(k.holder_type, htype))
		yj_field_error(errors, "holder_type", holder_types_zh(k.holder_type));
	if (yj_id_parse(json_string_value(json_object_get(body, "holder_id")), &hid) < 0)
		yj_field_error(errors, "holder_id", "应为持证主体的编号");
	if (given && (!*given || has_control(given) || yj_utf8_len(given, strlen(given)) > 60))
		yj_field_error(errors, "number", "证照编号应为 1–60 个字符，且不含控制字符");
	const char *given_issuer = issuer_of(body, errors);
	validity_of(body, rc == ST_OK ? k.validity_years : 0, from, to, &has_to, errors);
	if (json_array_size(errors))
		return YJ_LICENCE_INVALID;

	rc = holder_load(c, sc, htype, hid, &h);
	if (rc == ST_NOTFOUND) {
		yj_field_error(errors, "holder_id", "找不到该持证主体，或不在您的管辖范围内");
		return YJ_LICENCE_INVALID;
	}
	if (rc < 0)
		goto done;
	if (has_control(h.name)) {
		yj_field_error(errors, "holder_id", "持证主体名称含有控制字符，请先在主体库中更正");
		rc = YJ_LICENCE_INVALID;
		goto done;
	}
	if (given_issuer)
		snprintf(issuer, sizeof issuer, "%s", given_issuer);
	else if ((rc = yj_licence_issuer_name(c, issuer_region, issuer, sizeof issuer)) < 0)
		goto done;

	if (given) {
		snprintf(number, sizeof number, "%s", given);
		if ((rc = taken(c, "number", number, &yes)) < 0)
			goto done;
		if (yes) {
			rc = ST_CONFLICT;
			goto done;
		}
	} else {
		int tries = 0;
		do {
			yj_licence_number_new(k.seq, h.region, from, number);
			if ((rc = taken(c, "number", number, &yes)) < 0)
				goto done;
		} while (yes && ++tries < 20);
		if (yes) {
			rc = ST_ERR;
			goto done;
		}
	}
	do {
		yj_licence_code_new(code);
		if ((rc = taken(c, "verify_code", code, &yes)) < 0)
			goto done;
	} while (yes); /* 78 bits: a repeat is astronomically rare, but it must never be served twice */

	*id = yj_id_new();
	yj_licence_fields f = {kind, k.name, number, htype, hid, h.name, h.identifier, issuer, from,
			       has_to ? to : NULL, code, 1};
	if ((rc = sign_payload(&f, &payload, sig)) < 0)
		goto done;
	store_stmt *st = store_prepare(c, "INSERT INTO licences (id, kind, number, verify_code, holder_type, holder_id, "
					  "holder_name, region_code, issuer, valid_from, valid_to, state, payload, signature, "
					  "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'valid', ?, ?, 1, ?, ?)");
	if (!st) {
		rc = ST_ERR;
		goto done;
	}
	int64_t now = yj_now_ms();
	store_bind_int64(st, 1, *id);
	store_bind_text(st, 2, kind, -1);
	store_bind_text(st, 3, number, -1);
	store_bind_text(st, 4, code, -1);
	store_bind_text(st, 5, htype, -1);
	store_bind_int64(st, 6, hid);
	store_bind_text(st, 7, h.name, -1);
	store_bind_text(st, 8, h.region, -1);
	store_bind_text(st, 9, issuer, -1);
	store_bind_text(st, 10, from, -1);
	store_bind_text(st, 11, has_to ? to : NULL, -1);
	store_bind_text(st, 12, payload, -1);
	store_bind_text(st, 13, sig, -1);
	store_bind_int64(st, 14, now);
	store_bind_int64(st, 15, now);
	rc = store_step(st);
	store_finalize(st);
	if (rc < 0)
		goto done;
	json_t *row = NULL;
	yj_scope all;
	yj_scope_unrestricted(&all);
	if ((rc = row_by_id(c, &all, *id, &row)) < 0)
		goto done;
	rc = write_event(c, *id, LA_ISSUE, reason, actor, h.region, row);
	json_decref(row);
done:
	free(payload);
	json_decref(h.rec);
	return rc < 0 ? rc : ST_OK;
}

int yj_licence_act(store_conn *c, const yj_scope *sc, int64_t id, enum yj_licence_action a, const json_t *body,
		   const char *actor, json_t *errors, const char **why)
{
	json_t *row = NULL, *after = NULL;
	holder_info h = {0};
	char *payload = NULL, today[11], from[11], to[11], sig[129];
	int has_to = 0;
	int rc = row_by_id(c, sc, id, &row);
	if (rc < 0)
		return rc;
	const char *state = json_string_value(json_object_get(row, "state"));
	const char *old_to = json_string_value(json_object_get(row, "valid_to"));
	const char *reason = reason_of(body, errors);
	yj_day_today(today);
	int expired = old_to && strcmp(old_to, today) < 0;
	const char *next = yj_licence_transition(state, expired, a, why);
	kind_info k;
	const char *kind = json_string_value(json_object_get(row, "kind"));
	if ((rc = kind_load(c, kind, &k)) < 0)
		goto done;
	if (a == LA_RENEW)
		validity_of(body, k.validity_years, from, to, &has_to, errors);
	const char *issuer = json_string_value(json_object_get(row, "issuer"));
	if (a == LA_CHANGE) {
		const char *given = issuer_of(body, errors);
		if (given)
			issuer = given;
	}
	if (json_array_size(errors)) {
		rc = YJ_LICENCE_INVALID;
		goto done;
	}
	if (!next) {
		rc = YJ_LICENCE_STATE;
		goto done;
	}
	int64_t version = json_integer_value(json_object_get(row, "version")), now = yj_now_ms();
	yj_qb *q = yj_q_update(&licences_table, sc);
	yj_q_set_text(q, "state", next);
	yj_q_set_int(q, "updated_at", now);
	if (a == LA_RENEW || a == LA_CHANGE) {
		/* The holder as the registry has it now (it may have moved since: read it unscoped, the
		 * licence's own scope was checked above). */
		yj_scope all;
		yj_scope_unrestricted(&all);
		const char *htype = json_string_value(json_object_get(row, "holder_type"));
		int64_t hid = 0;
		yj_id_parse(json_string_value(json_object_get(row, "holder_id")), &hid);
		if ((rc = holder_load(c, &all, htype, hid, &h)) < 0) {
			yj_q_free(q);
			goto done;
		}
		if (has_control(h.name)) {
			yj_q_free(q);
			yj_field_error(errors, "holder_id", "持证主体名称含有控制字符，请先在主体库中更正");
			rc = YJ_LICENCE_INVALID;
			goto done;
		}
		if (a == LA_CHANGE) {
			snprintf(from, sizeof from, "%s", json_string_value(json_object_get(row, "valid_from")));
			has_to = old_to != NULL;
			if (has_to)
				snprintf(to, sizeof to, "%s", old_to);
		}
		yj_licence_fields f = {kind, k.name, json_string_value(json_object_get(row, "number")), htype, hid, h.name,
				       h.identifier, issuer, from,
				       has_to ? to : NULL, json_string_value(json_object_get(row, "verify_code")), version + 1};
		if ((rc = sign_payload(&f, &payload, sig)) < 0) {
			yj_q_free(q);
			goto done;
		}
		yj_q_set_text(q, "holder_name", h.name);
		yj_q_set_text(q, "issuer", issuer);
		yj_q_set_text(q, "valid_from", from);
		yj_q_set_text(q, "valid_to", has_to ? to : NULL);
		yj_q_set_text(q, "payload", payload);
		yj_q_set_text(q, "signature", sig);
		yj_q_set_int(q, "version", version + 1);
	}
	/* Based on what was read: a concurrent action makes this match nothing, and store_tx runs the
	 * whole action again on the new state. */
	yj_q_where(q, "id = ? AND version = ? AND state = ?");
	yj_q_int(q, id);
	yj_q_int(q, version);
	yj_q_text(q, state);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st) {
		rc = ST_ERR;
		goto done;
	}
	rc = store_step(st);
	int64_t changed = rc >= 0 ? store_changes(st) : 0;
	store_finalize(st);
	if (rc < 0)
		goto done;
	if (changed != 1) {
		rc = ST_RETRY;
		goto done;
	}
	if ((rc = row_by_id(c, sc, id, &after)) < 0)
		goto done;
	rc = write_event(c, id, a, reason, actor, json_string_value(json_object_get(after, "region_code")), after);
done:
	free(payload);
	json_decref(h.rec);
	json_decref(row);
	json_decref(after);
	return rc < 0 ? rc : ST_OK;
}

/* The user an event's actor names (a user id in decimal; other actors, such as the CLI's, name none):
 * 1 found, 0 none, or a failure. */
static int actor_user(store_conn *c, const char *actor, yj_user_brief *u)
{
	char *end = NULL;
	if (!actor || !*actor || (actor[0] == '0' && actor[1]) || actor[0] < '0' || actor[0] > '9')
		return 0;
	long long id = strtoll(actor, &end, 10);
	if (*end)
		return 0;
	int rc = yj_user_brief_get(c, id, u);
	return rc == ST_OK ? 1 : rc == ST_NOTFOUND ? 0 : rc;
}

static int events_of(store_conn *c, int64_t id, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT e.action, e.reason, e.actor, e.at FROM licence_events e "
					  "WHERE e.licence_id = ? ORDER BY e.at, e.id");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		const char *action = store_col_text(st, 0), *label = action;
		for (int a = 0; a < LA_COUNT; a++)
			if (!strcmp(action, yj_licence_action_name(a)))
				label = yj_licence_action_label(a);
		yj_user_brief u;
		const char *actor = store_col_text(st, 2);
		int found = actor_user(c, actor, &u);
		if (found < 0) {
			rc = found;
			break;
		}
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I}", "action", action, "action_label",
						       label, "reason", store_col_text(st, 1), "actor", actor,
						       "actor_name", found ? u.display_name : NULL, "at",
						       (json_int_t)store_col_int64(st, 3)));
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = items;
	return ST_OK;
}

int yj_licence_load(store_conn *c, const yj_scope *sc, int64_t id, int with_events, json_t **out)
{
	json_t *row = NULL, *events = NULL;
	int rc = row_by_id(c, sc, id, &row);
	if (rc < 0 || !with_events) {
		*out = row;
		return rc;
	}
	if ((rc = events_of(c, id, &events)) < 0) {
		json_decref(row);
		return rc;
	}
	json_object_set_new(row, "events", events);
	*out = row;
	return ST_OK;
}

int yj_licence_find_code(store_conn *c, const char *code, json_t **out)
{
	char sql[320];
	snprintf(sql, sizeof sql, "SELECT %s FROM licences WHERE verify_code = ?", yj_licence_columns);
	store_stmt *st = store_prepare(c, sql);
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, code, -1);
	char today[11];
	yj_day_today(today);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*out = yj_licence_row(st, today);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}
