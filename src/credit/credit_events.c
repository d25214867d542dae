/* credit_events.c — credit's subscriber: what other capabilities announce becomes credit records
 * and points. Enforcement decisions (issued, changed, revoked), inspection findings on scoring
 * check points and non-compliant results, confirmed claims flags of insurance physicians,
 * substantiated complaints and licence actions. Payloads carry ids and codes (docs/events.md);
 * the subject is read through the registry's header. An event naming no registered subject is
 * taken and leaves nothing. */
#define _POSIX_C_SOURCE 200809L
#include "credit_int.h"
#include "../registry/registry.h"
#include "../registry/registry.h"
#include "../base/date.h"

#include <stdio.h>
#include <string.h>

static const char *str(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static int64_t id_of(const json_t *o, const char *k)
{
	int64_t id = 0;
	const json_t *v = json_object_get(o, k);
	if (json_is_integer(v))
		return json_integer_value(v);
	return json_is_string(v) && yj_id_parse(json_string_value(v), &id) == 0 ? id : 0;
}

/* ---- enforcement ---- */

static int decision(store_conn *c, const yj_event_view *ev, int revoked)
{
	const json_t *p = ev->payload;
	credit_subject s;
	int rc = credit_subject_load(c, NULL, str(p, "subject_kind"), id_of(p, "subject_id"), &s);
	if (rc == ST_NOTFOUND)
		return ST_OK;
	if (rc < 0)
		return rc;
	const char *case_id = *str(p, "case_id") ? str(p, "case_id") : ev->subject_id;
	char today[11];
	yj_day_today(today);
	if (revoked) {
		if ((rc = credit_records_end_source(c, "enforcement_case", case_id, "void", today)) < 0)
			return rc;
		return credit_points_void_source(c, "enforcement_case", case_id, NULL, ev->actor);
	}
	char kinds[256] = "";
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(p, "penalty_kinds"), i, k)
	{
		if (json_is_string(k) && strlen(kinds) + strlen(json_string_value(k)) + 2 < sizeof kinds) {
			if (*kinds)
				strcat(kinds, ",");
			strcat(kinds, json_string_value(k));
		}
	}
	int serious = json_is_true(json_object_get(p, "serious"));
	const char *doc = *str(p, "decision_no") ? str(p, "decision_no") : case_id;
	char title[400];
	snprintf(title, sizeof title, "行政处罚%s：%s", serious ? "（情节严重）" : "", doc);
	const char *on = credit_cycle_year(str(p, "decided_on")) ? str(p, "decided_on") : today;
	yj_credit_record_in rec = {s.kind, s.id, s.region, "penalty", title, "enforcement_case", case_id, doc, on,
				   credit_cycle_year(str(p, "public_until")) ? str(p, "public_until") : NULL, serious, kinds,
				   (int64_t)json_integer_value(json_object_get(p, "fine_fen")),
				   *str(p, "department") ? str(p, "department") : "health", ev->actor};
	int64_t rid, pid;
	if ((rc = yj_credit_record_put(c, &rec, &rid)) < 0)
		return rc;
	char rule[32];
	int points;
	rc = credit_point_rule_match(c, s.kind, "enforcement", str(p, "violation_code"), serious, rule, &points);
	if (rc == ST_NOTFOUND)
		return credit_points_void_source(c, "enforcement_case", case_id, NULL, ev->actor);
	if (rc < 0)
		return rc;
	/* A changed decision keeps the points of its rule and voids any other rule's. */
	if ((rc = credit_points_void_source(c, "enforcement_case", case_id, rule, ev->actor)) < 0)
		return rc;
	yj_credit_points_in in = {s.kind, s.id, s.region, rule, points, on, "enforcement_case", case_id, doc, ev->actor};
	return yj_credit_points_add(c, &in, &pid);
}

/* ---- inspection ---- */

/* The registry kind of an inspection event's subject: subject_kind, absent from events recorded before
 * tasks had other kinds (institutions). */
static const char *task_subject_kind(const json_t *p)
{
	const char *k = json_string_value(json_object_get(p, "subject_kind"));
	return k && *k ? k : "institution";
}

static int finding(store_conn *c, const yj_event_view *ev)
{
	const json_t *p = ev->payload, *f = json_object_get(p, "finding");
	char rule[32];
	int points;
	/* The rules of the subject's own kind: 不良执业行为记分 is for medical institutions and practitioners, so
	 * a hotel's finding scores nothing unless an administrator adds rules of that kind. */
	const char *kind = task_subject_kind(p);
	int rc = credit_point_rule_match(c, kind, "inspection", str(f, "point_code"), 0, rule, &points);
	if (rc == ST_NOTFOUND)
		return ST_OK; /* the finding's check point is not a scoring one */
	credit_subject s;
	if (rc < 0 || (rc = credit_subject_load(c, NULL, kind, id_of(p, "subject_id"), &s)) == ST_NOTFOUND)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	if (rc < 0)
		return rc;
	char on[11], fid[21], doc[80];
	yj_day_of_ms(json_is_integer(json_object_get(f, "created_at")) ? json_integer_value(json_object_get(f, "created_at"))
									 : ev->at, on);
	yj_id_format(id_of(f, "id"), fid);
	snprintf(doc, sizeof doc, "检查任务%s 发现问题%s", str(p, "task_id"), fid);
	yj_credit_points_in in = {s.kind, s.id, s.region, rule, points, on, "inspection_finding", fid, doc, ev->actor};
	int64_t pid;
	return yj_credit_points_add(c, &in, &pid);
}

static int task_completed(store_conn *c, const yj_event_view *ev)
{
	const json_t *p = ev->payload;
	if (strcmp(str(p, "outcome"), "non_compliant"))
		return ST_OK;
	credit_subject s;
	int rc = credit_subject_load(c, NULL, task_subject_kind(p), id_of(p, "subject_id"), &s);
	if (rc < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	char on[11], doc[80];
	yj_day_of_ms(ev->at, on);
	if (credit_cycle_year(str(p, "completed_on")))
		snprintf(on, sizeof on, "%s", str(p, "completed_on"));
	snprintf(doc, sizeof doc, "检查任务%s", ev->subject_id);
	yj_credit_record_in rec = {s.kind, s.id, s.region, "inspection", "监督检查结果：不合格", "inspection_task",
				   ev->subject_id, doc, on, NULL, 0, "", 0,
				   *str(p, "department") ? str(p, "department") : "health", ev->actor};
	int64_t rid;
	return yj_credit_record_put(c, &rec, &rid);
}

/* ---- claims: insurance physicians' points (医保医师记分) ---- */

static int flag_confirmed(store_conn *c, const yj_event_view *ev)
{
	const json_t *p = ev->payload;
	int64_t id, ver;
	char region[16];
	int rc = yj_reg_find_key(c, &yj_practitioner_kind, str(p, "physician_code"), &id, &ver, region);
	if (rc == ST_NOTFOUND || !*str(p, "physician_code"))
		return ST_OK; /* no registered physician to score */
	credit_subject s;
	if (rc < 0 || (rc = credit_subject_load(c, NULL, "practitioner", id, &s)) < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	char rule[32], on[11], doc[80];
	int points;
	if ((rc = credit_point_rule_match(c, "practitioner", "claims", str(p, "rule_id"), 0, rule, &points)) < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	yj_day_of_ms(ev->at, on);
	snprintf(doc, sizeof doc, "医保疑点%s（规则%s）确认", ev->subject_id, str(p, "rule_id"));
	yj_credit_points_in in = {s.kind, s.id, s.region, rule, points, on, "claim_flag", ev->subject_id, doc, ev->actor};
	int64_t pid;
	return yj_credit_points_add(c, &in, &pid);
}

/* ---- complaints and licences ---- */

static int complaint(store_conn *c, const yj_event_view *ev)
{
	const json_t *p = ev->payload;
	credit_subject s;
	int rc = credit_subject_load(c, NULL, str(p, "subject_kind"), id_of(p, "subject_id"), &s);
	if (rc < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	char on[11], doc[80];
	yj_day_of_ms(ev->at, on);
	if (credit_cycle_year(str(p, "substantiated_on")))
		snprintf(on, sizeof on, "%s", str(p, "substantiated_on"));
	snprintf(doc, sizeof doc, "投诉举报%s", ev->subject_id);
	yj_credit_record_in rec = {s.kind, s.id, s.region, "complaint", "投诉举报查实", "complaint", ev->subject_id, doc, on,
				   NULL, 0, "", 0, *str(p, "department") ? str(p, "department") : "health", ev->actor};
	int64_t rid;
	return yj_credit_record_put(c, &rec, &rid);
}

static int licence(store_conn *c, const yj_event_view *ev)
{
	const json_t *p = ev->payload;
	credit_subject s;
	int rc = credit_subject_load(c, NULL, str(p, "holder_type"), id_of(p, "holder_id"), &s);
	if (rc < 0)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	const char *state = str(p, "state");
	char title[200], on[11];
	snprintf(title, sizeof title, "行政许可：%s %s（%s）", str(p, "kind"), str(p, "number"),
		 !strcmp(state, "revoked") ? "吊销" : !strcmp(state, "suspended") ? "暂停" : "有效");
	yj_day_of_ms(ev->at, on);
	const char *from = credit_cycle_year(str(p, "valid_from")) ? str(p, "valid_from") : on;
	yj_credit_record_in rec = {s.kind, s.id, s.region, "licence", title, "licence", ev->subject_id,
				   *str(p, "number") ? str(p, "number") : ev->subject_id, from,
				   credit_cycle_year(str(p, "valid_to")) ? str(p, "valid_to") : NULL, 0, "", 0, "health",
				   ev->actor};
	int64_t rid;
	return yj_credit_record_put(c, &rec, &rid);
}

static int dispatch(store_conn *c, const yj_event_view *ev)
{
	const char *t = ev->type;
	if (!strcmp(t, "enforcement.decision_issued") || !strcmp(t, "enforcement.decision_changed"))
		return decision(c, ev, 0);
	if (!strcmp(t, "enforcement.decision_revoked"))
		return decision(c, ev, 1);
	if (!strcmp(t, "inspection.finding_recorded"))
		return finding(c, ev);
	if (!strcmp(t, "inspection.task_completed"))
		return task_completed(c, ev);
	if (!strcmp(t, "claims.flag_confirmed"))
		return flag_confirmed(c, ev);
	if (!strcmp(t, "complaints.substantiated"))
		return complaint(c, ev);
	if (!strncmp(t, "registry.licence_", 17))
		return licence(c, ev);
	return ST_OK;
}

static int on_event(store_conn *c, const yj_event_view *ev, void *arg)
{
	(void)arg;
	credit_deriving = 1;
	int rc = dispatch(c, ev);
	credit_deriving = 0;
	return rc;
}

static const char *const types[] = {
	"enforcement.decision_issued", "enforcement.decision_changed", "enforcement.decision_revoked",
	"inspection.finding_recorded", "inspection.task_completed", "claims.flag_confirmed", "complaints.substantiated",
	"registry.licence_issued", "registry.licence_renewed", "registry.licence_changed", "registry.licence_suspended",
	"registry.licence_resumed", "registry.licence_revoked", NULL,
};
const yj_subscriber yj_credit_subscriber = {"credit", types, on_event, NULL};
