/* demo.c — writes the demo plan (demo_plan.c) into a store exactly as the API would: every
 * institution and practitioner goes through yj_reg_validate, the conflict probe and yj_reg_insert
 * (row, version-1 history, name index, audit leaf) in transactions of BATCH records; grids, grid
 * members and practice filings are written with SQL and an audit leaf each; electronic licences
 * are issued (and suspended or revoked as their holder is) with yj_licence_issue / yj_licence_act;
 * demo accounts are made with yj_user_create. Records already present are left alone. */
#define _POSIX_C_SOURCE 200809L
#include "demo_int.h"
#include "../base/base.h"
#include "../base/id.h"
#include "../platform/audit/audit.h"
#include "../platform/auth/auth.h"
#include "../registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 500

const yj_demo_account yj_demo_accounts[] = {
	{"admin", "系统管理员", "admin", "330300", "health", "系统管理员", "温州市", "卫生健康委"},
	{"leader", "王主任", "leader", "330300", "health", "领导", "温州市", "卫生健康委"},
	{"inspector", "李监督员", "inspector", "330302", "health", "监督员", "鹿城区", "卫生健康委"},
	{"inspector2", "周监督员", "inspector", "330381", "health", "监督员", "瑞安市", "卫生健康委"},
	{"reviewer", "陈审核", "legal_reviewer", "330300", "health", "法制审核员", "温州市", "卫生健康委"},
	{"liaison", "赵联络员", "liaison", "330300", "market", "部门联络员", "温州市", "市场监管局"},
	{"analyst", "钱分析员", "insurance_analyst", "330300", "insurance", "医保分析员", "温州市", "医保局"},
	{"institution", "温州市第一人民医院", "institution", "330302", "health", "机构用户", "鹿城区", "卫生健康委"},
	{"grid", "孙网格员", "grid_member", "330303", "health", "网格员", "龙湾区", "卫生健康委"},
};
const size_t yj_demo_naccounts = sizeof yj_demo_accounts / sizeof yj_demo_accounts[0];

typedef struct writer {
	store *s;
	demo_plan *p;
	const yj_demo_opts *o;
	yj_scope sc;
	int from, to;		     /* the batch */
	int present, written, clash; /* in the batch; reset when store_tx runs it again */
	char *err;
} writer;

/* ---- records as an API client would send them ---- */

static json_t *codes(const char *csv)
{
	json_t *a = json_array();
	char buf[160];
	snprintf(buf, sizeof buf, "%s", csv);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(t));
	return a;
}

static void set_text(json_t *o, const char *k, const char *v)
{
	if (v && *v)
		json_object_set_new(o, k, json_string(v));
}

static json_t *inst_json(const demo_plan *p, const demo_inst *in)
{
	json_t *o = json_object();
	set_text(o, "credit_code", in->credit);
	set_text(o, "licence_no", in->licence_no);
	set_text(o, "name", in->name);
	set_text(o, "type", demo_kinds[in->kind].type);
	set_text(o, "level", in->level);
	set_text(o, "grade", in->grade);
	set_text(o, "ownership", in->ownership);
	set_text(o, "profit", in->profit);
	json_object_set_new(o, "clinical_depts", codes(in->depts));
	json_object_set_new(o, "beds", json_integer(in->beds));
	json_object_set_new(o, "equipment", codes(in->equipment));
	set_text(o, "region_code", p->towns[in->town].code);
	set_text(o, "grid_code", in->grid_code);
	set_text(o, "address", in->address);
	json_object_set_new(o, "lng", json_real(in->lng));
	json_object_set_new(o, "lat", json_real(in->lat));
	set_text(o, "licence_valid_from", in->valid_from);
	set_text(o, "licence_valid_to", in->valid_to);
	set_text(o, "verified_on", in->verified_on);
	set_text(o, "verify_due", in->verify_due);
	json_object_set_new(o, "insurance_designated", json_boolean(in->insured));
	set_text(o, "state", in->state);
	return o;
}

static json_t *prac_json(const demo_prac *pr, int64_t inst_id)
{
	char ids[21];
	yj_id_format(inst_id, ids);
	json_t *o = json_object();
	set_text(o, "name", pr->name);
	set_text(o, "id_number", pr->id_number);
	set_text(o, "certificate_no", pr->cert);
	set_text(o, "category", pr->category);
	set_text(o, "practice_type", pr->practice_type);
	set_text(o, "practice_scope", pr->scope);
	set_text(o, "institution_id", ids);
	json_object_set_new(o, "prescription_right", json_boolean(pr->rx));
	set_text(o, "antibiotic_grade", pr->antibiotic);
	json_object_set_new(o, "surgical_grade", json_integer(pr->surgical));
	json_object_set_new(o, "insurance_physician", json_boolean(pr->insurance));
	set_text(o, "assessment_result", pr->assessment);
	set_text(o, "assessment_date", pr->assessment_date);
	set_text(o, "state", pr->state);
	return o;
}

char *demo_refusal_text(const char *what, const char *name, const json_t *errors, const char *why)
{
	const json_t *e = errors ? json_array_get(errors, 0) : NULL;
	const char *field = json_string_value(json_object_get(e, "field"));
	const char *detail = json_string_value(json_object_get(e, "detail"));
	if (detail)
		return yj_asprintf("%s %s refused by validation: %s%s%s", what, name, field ? field : "",
				   field ? ": " : "", detail);
	return yj_asprintf("%s %s refused: %s", what, name, why && *why ? why : "no reason given");
}

/* A planned record the registry refuses is a bug of the generator: stop and say which. */
static int refused(writer *w, const char *what, const char *name, const json_t *errors, const char *why)
{
	free(w->err);
	w->err = demo_refusal_text(what, name, errors, why);
	return ST_ERR;
}

/* Validates and inserts one record, or counts it as a clash. *id is 0 unless written. */
static int put(writer *w, store_conn *c, const reg_kind *k, json_t *in, const char *name, int64_t *id)
{
	json_t *errors = json_array();
	json_t *rec = yj_reg_validate(c, k, &w->sc, in, 0, NULL, errors);
	int rc = ST_OK;
	*id = 0;
	if (json_array_size(errors)) {
		rc = refused(w, k->label, name, errors, NULL);
	} else if (yj_reg_conflict_field(c, k, rec, 0)) {
		w->clash++;
	} else if ((rc = yj_reg_insert(c, k, rec, w->o->actor, id)) >= 0) {
		w->written++;
	}
	json_decref(rec);
	json_decref(errors);
	return rc;
}

static int inst_tx(store_conn *c, void *arg)
{
	writer *w = arg;
	w->present = w->written = w->clash = 0;
	for (int i = w->from; i < w->to; i++) {
		demo_inst *in = &w->p->insts[i];
		int64_t ver;
		char region[16];
		int rc = yj_reg_find_key(c, &yj_institution_kind, in->credit, &in->id, &ver, region);
		if (rc == ST_OK) {
			w->present++;
			continue;
		}
		if (rc != ST_NOTFOUND)
			return rc;
		json_t *j = inst_json(w->p, in);
		rc = put(w, c, &yj_institution_kind, j, in->name, &in->id);
		json_decref(j);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

static int prac_tx(store_conn *c, void *arg)
{
	writer *w = arg;
	w->present = w->written = w->clash = 0;
	for (int i = w->from; i < w->to; i++) {
		demo_prac *pr = &w->p->pracs[i];
		int64_t ver, home = w->p->insts[pr->inst].id;
		char region[16];
		int rc = yj_reg_find_key(c, &yj_practitioner_kind, pr->cert, &pr->id, &ver, region);
		if (rc == ST_OK) {
			w->present++;
			continue;
		}
		if (rc != ST_NOTFOUND)
			return rc;
		pr->id = 0;
		if (!home) { /* its institution clashed and was not written */
			w->clash++;
			continue;
		}
		json_t *j = prac_json(pr, home);
		rc = put(w, c, &yj_practitioner_kind, j, pr->name, &pr->id);
		json_decref(j);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

/* ---- grids, members and filings: plain rows with an audit leaf each ---- */

static int audit(store_conn *c, const char *actor, const char *action, const char *type, const char *object_id,
		 const char *region, json_t *state)
{
	yj_audit_event ev = {actor, action, type, object_id, region, state};
	int rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static int grids_tx(store_conn *c, void *arg)
{
	writer *w = arg;
	w->present = w->written = 0;
	int64_t now = yj_now_ms();
	for (int i = 0; i < w->p->ngrids; i++) {
		demo_grid *g = &w->p->grids[i];
		const char *region = w->p->towns[g->town].code;
		int rc = yj_reg_grid_find(c, g->code, &g->id);
		if (rc < 0)
			return rc;
		if (rc) {
			w->present++;
			continue;
		}
		g->id = yj_id_new();
		if ((rc = yj_reg_grid_insert(c, g->id, g->code, g->name, region, now)) < 0)
			return rc;
		char ids[21];
		yj_id_format(g->id, ids);
		rc = audit(c, w->o->actor, "grid.create", "grid", ids, region,
			   json_pack("{s:s, s:s, s:s, s:s}", "id", ids, "code", g->code, "name", g->name, "region_code", region));
		if (rc < 0)
			return rc;
		w->written++;
	}
	return ST_OK;
}

struct member_arg {
	const char *actor;
	int64_t grid_id, user_id;
	const char *grid_code, *region;
	int added;
};

static int member_tx(store_conn *c, void *arg)
{
	struct member_arg *m = arg;
	m->added = 0;
	int rc = yj_reg_grid_member_add(c, m->grid_id, m->user_id, m->region);
	if (rc <= 0)
		return rc;
	char gid[21], uid[21];
	yj_id_format(m->grid_id, gid);
	yj_id_format(m->user_id, uid);
	m->added = 1;
	/* as PUT /api/v1/grids/{id}/members records it */
	return audit(c, m->actor, "grid.members", "grid", gid, m->region,
		     json_pack("{s:s, s:s, s:s, s:[s]}", "id", gid, "code", m->grid_code, "region_code", m->region,
			       "members", uid));
}

static int filings_tx(store_conn *c, void *arg)
{
	writer *w = arg;
	w->present = w->written = w->clash = 0;
	int64_t now = yj_now_ms();
	for (int i = w->from; i < w->to; i++) {
		const demo_filing *f = &w->p->filings[i];
		int64_t pid = w->p->pracs[f->prac].id;
		const demo_inst *in = &w->p->insts[f->inst];
		if (!pid || !in->id) {
			w->clash++;
			continue;
		}
		int rc = yj_reg_filing_exists(c, pid, in->id, f->start);
		if (rc < 0)
			return rc;
		if (rc) {
			w->present++;
			continue;
		}
		const char *region = w->p->towns[in->town].code;
		int64_t id = yj_id_new();
		yj_reg_filing row = {id, pid, in->id, region, f->start, f->end};
		if ((rc = yj_reg_filing_insert(c, &row, now)) < 0)
			return rc;
		char ids[21], pids[21], iids[21];
		yj_id_format(id, ids);
		yj_id_format(pid, pids);
		yj_id_format(in->id, iids);
		json_t *state = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "id", ids, "practitioner_id", pids,
					  "institution_id", iids, "region_code", region, "start_date", f->start, "end_date",
					  f->end[0] ? json_string(f->end) : json_null());
		if ((rc = audit(c, w->o->actor, "practice_filing.create", "practice_filing", ids, region, state)) < 0)
			return rc;
		w->written++;
	}
	return ST_OK;
}

/* ---- electronic licences (电子证照) through the licence module ---- */

#define LICENCE_REASON "示范区域初始发证（yijian demo）"

/* The licence an institution holds: most hold the practice licence; TCM clinics are filed, not
 * licensed (中医诊所备案证, since 2017); blood stations, laboratories and imaging centres have their
 * own. Kinds without a registration number (disease control, wellness) hold none. */
static const char *inst_licence_kind(const demo_inst *in)
{
	const char *k = demo_kinds[in->kind].key;
	if (!in->licence_no[0] || !strcmp(in->state, "closed"))
		return NULL;
	return !strcmp(k, "tcmc") ? "tcm_clinic_filing" : !strcmp(k, "blood") ? "blood_station"
	       : !strcmp(k, "lab")					? "med_lab"
	       : !strcmp(k, "imaging")					? "imaging_center"
									: "med_inst_practice";
}

static const char *prac_licence_kind(const demo_prac *pr)
{
	if (!pr->cert_from[0] || !strcmp(pr->state, "retired"))
		return NULL;
	return !strcmp(pr->category, "nurse") ? "nurse_practice"
	       : !strcmp(pr->category, "pharmacist") ? "pharmacist_reg"
						     : "physician_practice";
}

enum yj_licence_action demo_licence_follow(const char *holder_state, const char *valid_to, const char *today)
{
	if (!strcmp(holder_state, "revoked"))
		return LA_REVOKE;
	if (!strcmp(holder_state, "suspended"))
		return valid_to && strcmp(valid_to, today) < 0 ? LA_COUNT : LA_SUSPEND;
	return LA_COUNT;
}

/* The action for licence lid as issued: its valid_to is the module's (given, or the kind's default
 * term), and "expired" is judged on the real day as the module judges it, not on DEMO_TODAY —
 * licences ending between the two are valid in the plan and lapsed in the store. */
static enum yj_licence_action follow_action(writer *w, store_conn *c, int64_t lid, const char *state)
{
	if (strcmp(state, "suspended") && strcmp(state, "revoked"))
		return LA_COUNT;
	json_t *l = NULL;
	char today[11];
	yj_day_today(today);
	enum yj_licence_action a = demo_licence_follow(state, NULL, today);
	if (yj_licence_load(c, &w->sc, lid, 0, &l) >= 0) {
		a = demo_licence_follow(state, json_string_value(json_object_get(l, "valid_to")), today);
		json_decref(l);
	}
	return a;
}

/* Issues one licence unless its number exists; then suspends or revokes it with its holder. */
static int issue(writer *w, store_conn *c, const char *kind, const char *htype, int64_t holder, const char *number,
		 const char *from, const char *to, const char *issuer, const char *state, const char *name)
{
	int64_t lid = 0;
	int rc = yj_reg_licence_by_number(c, number, &lid);
	if (rc < 0)
		return rc;
	if (rc) {
		w->present++;
		return ST_OK;
	}
	if (!holder) {
		w->clash++;
		return ST_OK;
	}
	char hid[21];
	yj_id_format(holder, hid);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", kind, "holder_type", htype, "holder_id", hid,
				 "number", number, "valid_from", from, "reason", LICENCE_REASON);
	if (to && *to)
		json_object_set_new(body, "valid_to", json_string(to));
	json_t *errors = json_array();
	rc = yj_licence_issue(c, &w->sc, issuer, body, w->o->actor, &lid, errors);
	json_decref(body);
	if (rc == YJ_LICENCE_INVALID) {
		rc = refused(w, "licence of", name, errors, NULL);
	} else if (rc == ST_CONFLICT) {
		w->clash++;
		rc = ST_OK;
	} else if (rc >= 0) {
		w->written++;
		enum yj_licence_action a = follow_action(w, c, lid, state);
		if (a != LA_COUNT) {
			const char *why = NULL;
			json_t *b = json_pack("{s:s}", "reason", a == LA_SUSPEND ? "暂停执业（示范数据）" : "吊销（示范数据）");
			rc = yj_licence_act(c, &w->sc, lid, a, b, w->o->actor, errors, &why);
			json_decref(b);
			if (rc == YJ_LICENCE_INVALID || rc == YJ_LICENCE_STATE)
				rc = refused(w, "licence action on", name, errors, why);
		}
	}
	json_decref(errors);
	return rc;
}

static int inst_licence_tx(store_conn *c, void *arg)
{
	writer *w = arg;
	w->present = w->written = w->clash = 0;
	for (int i = w->from; i < w->to; i++) {
		const demo_inst *in = &w->p->insts[i];
		const char *kind = inst_licence_kind(in);
		if (!kind)
			continue;
		/* 三级 hospitals and city-wide services are licensed by the city, the rest by their county. */
		int city = !strcmp(in->level, "3") || !strcmp(in->name, "温州市中心血站");
		int rc = issue(w, c, kind, "institution", in->id, in->licence_no, in->valid_from, in->valid_to,
			       city ? "330300" : w->p->counties[in->county].code, in->state, in->name);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

static int prac_licence_tx(store_conn *c, void *arg)
{
	writer *w = arg;
	w->present = w->written = w->clash = 0;
	for (int i = w->from; i < w->to; i++) {
		const demo_prac *pr = &w->p->pracs[i];
		const char *kind = prac_licence_kind(pr);
		if (!kind)
			continue;
		const demo_inst *in = &w->p->insts[pr->inst];
		int rc = issue(w, c, kind, "practitioner", pr->id, pr->cert, pr->cert_from, NULL,
			       w->p->counties[in->county].code, pr->state, pr->name);
		if (rc < 0)
			return rc;
	}
	return ST_OK;
}

/* ---- running the batches ---- */

typedef int (*batch_fn)(store_conn *c, void *arg);

/* Runs fn over [0, n) in batches; adds up what the batches found. */
static int batches(writer *w, batch_fn fn, int n, const char *what, int *present, int *written, int *clash,
		   double *seconds)
{
	uint64_t t0 = yj_mono_ns();
	*present = *written = *clash = 0;
	for (int from = 0; from < n; from += BATCH) {
		w->from = from;
		w->to = from + BATCH < n ? from + BATCH : n;
		int rc = store_tx(w->s, fn, w);
		if (rc < 0) {
			if (!w->err)
				w->err = yj_asprintf("cannot write %s: %s", what, store_errmsg(store_conn_get(w->s)));
			return rc;
		}
		*present += w->present;
		*written += w->written;
		*clash += w->clash;
		double s = (double)(yj_mono_ns() - t0) / 1e9;
		if (w->o->progress && (w->to == n || (w->to / BATCH) % 10 == 0))
			fprintf(stderr, "demo: %s %d/%d (written %d, already present %d), %.0f rows/s\n", what, w->to, n,
				*written, *present, s > 0 ? w->to / s : 0.0);
	}
	*seconds = (double)(yj_mono_ns() - t0) / 1e9;
	return ST_OK;
}

static int user_id(store *s, const char *username, int64_t *id)
{
	int rc = yj_user_id_by_username(store_conn_get(s), username, id);
	return rc == ST_OK ? 1 : rc == ST_NOTFOUND ? 0 : rc;
}

static int make_users(writer *w, yj_demo_stats *st)
{
	for (size_t i = 0; i < yj_demo_naccounts; i++) {
		const yj_demo_account *a = &yj_demo_accounts[i];
		int64_t id = 0;
		int rc = user_id(w->s, a->username, &id);
		if (rc < 0)
			return rc;
		st->users++;
		if (rc) /* kept as it is, password included: someone may have changed it on purpose */
			continue;
		yj_user_new u = {a->username, a->display_name, w->o->password, a->role, a->region_code, a->department, NULL};
		char *err = NULL;
		rc = yj_user_create(w->s, &u, w->o->actor, &id, &err);
		if (rc < 0) {
			w->err = yj_asprintf("cannot create demo user %s: %s", a->username, err ? err : "?");
			free(err);
			return rc;
		}
		st->users_new++;
	}
	/* The grid member works in the first grid of their district. */
	for (size_t i = 0; i < yj_demo_naccounts; i++) {
		const yj_demo_account *a = &yj_demo_accounts[i];
		if (strcmp(a->role, "grid_member") != 0)
			continue;
		const demo_grid *g = NULL;
		for (int k = 0; k < w->p->ngrids && !g; k++)
			if (strncmp(w->p->grids[k].code, a->region_code, strlen(a->region_code)) == 0)
				g = &w->p->grids[k];
		int64_t uid = 0;
		if (!g || !g->id || user_id(w->s, a->username, &uid) != 1)
			continue;
		struct member_arg m = {w->o->actor, g->id, uid, g->code, w->p->towns[g->town].code, 0};
		int rc = store_tx(w->s, member_tx, &m);
		if (rc < 0) {
			w->err = yj_asprintf("cannot add %s to grid %s: %s", a->username, g->code,
					     store_errmsg(store_conn_get(w->s)));
			return rc;
		}
	}
	return ST_OK;
}

struct bind_arg {
	const writer *w;
	const char *username, *credit;
	char *why;
};

static int bind_tx(store_conn *c, void *arg)
{
	struct bind_arg *b = arg;
	int64_t uid = 0, inst = 0, bound = 0;
	const yj_demo_account *a = NULL;
	for (size_t i = 0; i < yj_demo_naccounts; i++)
		if (!strcmp(yj_demo_accounts[i].username, b->username))
			a = &yj_demo_accounts[i];
	int rc = yj_user_id_by_username(c, b->username, &uid);
	if (rc != ST_OK || !a)
		return rc == ST_NOTFOUND ? ST_OK : rc;
	if ((rc = yj_user_institution(c, uid, &bound)) < 0 || bound)
		return rc; /* kept as it is: an administrator may have rebound it */
	return yj_user_bind_institution(c, uid, a->role, a->region_code, b->credit, b->w->o->actor, &inst, &b->why);
}

/* The institution account is bound to the first hospital of its district (or its first institution),
 * so signing in as it shows what an institution sees: itself, its staff, licences and inspections. */
static int bind_institution_user(writer *w)
{
	const demo_inst *pick = NULL;
	for (int i = 0; i < w->p->ninsts; i++) {
		const demo_inst *in = &w->p->insts[i];
		if (!in->id || strcmp(w->p->counties[in->county].code, "330302") != 0)
			continue;
		if (!pick || (strcmp(demo_kinds[pick->kind].key, "general") && !strcmp(demo_kinds[in->kind].key, "general")))
			pick = in;
	}
	if (!pick)
		return ST_OK;
	struct bind_arg b = {w, "institution", pick->credit, NULL};
	int rc = store_tx(w->s, bind_tx, &b);
	if (rc < 0)
		w->err = yj_asprintf("cannot bind the institution account to %s: %s", pick->credit,
				     b.why ? b.why : store_errmsg(store_conn_get(w->s)));
	free(b.why);
	return rc;
}

int yj_demo_build(store *s, const yj_demo_opts *o, yj_demo_stats *st, char **err)
{
	uint64_t t0 = yj_mono_ns();
	memset(st, 0, sizeof *st);
	demo_plan p;
	writer w = {.s = s, .p = &p, .o = o};
	yj_scope_unrestricted(&w.sc);
	int rc = demo_plan_build(store_conn_get(s), o, &p, err);
	if (rc < 0)
		return rc;
	st->counties = p.ncounties;
	for (int i = 0; i < p.ntowns; i++)
		st->towns += strlen(p.towns[i].code) == 9;
	st->grids = p.ngrids;
	st->institutions = p.ninsts;
	st->practitioners = p.npracs;
	st->filings = p.nfilings;
	for (int i = 0; i < p.npracs; i++) {
		const char *cat = p.pracs[i].category;
		if (!strcmp(cat, "physician") || !strcmp(cat, "assistant_physician"))
			st->physicians++;
		else if (!strcmp(cat, "nurse"))
			st->nurses++;
		else if (!strcmp(cat, "pharmacist"))
			st->pharmacists++;
		else
			st->technicians++;
	}
	if (o->progress)
		fprintf(stderr, "demo: plan for seed %llu: %d counties, %d towns, %d grids, %d institutions, %d practitioners,"
				" %d practice filings\n",
			(unsigned long long)o->seed, st->counties, st->towns, st->grids, st->institutions,
			st->practitioners, st->filings);

	int present, clash;
	double secs;
	w.from = 0;
	if ((rc = store_tx(s, grids_tx, &w)) < 0) {
		w.err = yj_asprintf("cannot write grids: %s", store_errmsg(store_conn_get(s)));
		goto done;
	}
	st->grids_new = w.written;
	if ((rc = make_users(&w, st)) < 0)
		goto done;
	if ((rc = batches(&w, inst_tx, p.ninsts, "institutions", &present, &st->institutions_new,
			  &st->institutions_clash, &st->inst_seconds)) < 0)
		goto done;
	if ((rc = bind_institution_user(&w)) < 0)
		goto done;
	if ((rc = batches(&w, prac_tx, p.npracs, "practitioners", &present, &st->practitioners_new,
			  &st->practitioners_clash, &st->prac_seconds)) < 0)
		goto done;
	if ((rc = batches(&w, filings_tx, p.nfilings, "practice filings", &present, &st->filings_new, &clash, &secs)) < 0)
		goto done;
	int lp, lw, lc;
	double ls;
	if ((rc = batches(&w, inst_licence_tx, p.ninsts, "institution licences", &present, &lw, &lc, &ls)) < 0)
		goto done;
	st->licences_new = lw;
	st->licences_clash = lc;
	st->licence_seconds = ls;
	lp = present;
	if ((rc = batches(&w, prac_licence_tx, p.npracs, "practitioner licences", &present, &lw, &lc, &ls)) < 0)
		goto done;
	st->licences_new += lw;
	st->licences_clash += lc;
	st->licence_seconds += ls;
	st->licences = lp + present + st->licences_new + st->licences_clash;
	if ((rc = demo_subjects(s, &p, o, &w.err)) < 0)
		goto done;
	if ((rc = yj_demo_credit(s, &p, o->actor)) < 0)
		goto done;
	if ((rc = demo_enforcement(s, &p, o, &w.err)) < 0)
		goto done;
	if ((rc = yj_demo_complaints(s, &p, o->actor, &w.err)) < 0)
		goto done;
	if ((rc = yj_demo_complaints_work(s, &p, o->actor, &w.err)) < 0)
		goto done;
	rc = ST_OK;
done:
	st->total_seconds = (double)(yj_mono_ns() - t0) / 1e9;
	if (rc < 0)
		*err = w.err ? w.err : yj_strdup("demo failed");
	else
		free(w.err);
	demo_plan_free(&p);
	return rc;
}
