/* demo_credit.c — the demo region's credit: institutions of 鹿城区 in every grade and on every
 * list, practitioners whose insurance points reach 9 and 12, each point entry citing the penalty
 * or document it comes from (so the points add up to their sources), a repair application awaiting
 * review; then every such subject evaluated on the demo's day. Written through credit.h, which
 * audits each write. Running the demo again adds nothing (records and points are keyed by source). */
#define _POSIX_C_SOURCE 200809L
#include "demo_int.h"
#include "../credit/credit.h"

#include <stdio.h>
#include <string.h>

/* One demo subject's credit: penalties (each also scoring its points), hand points, list. */
typedef struct demo_credit_row {
	int nth;	     /* the nth written institution of 鹿城区, or practitioner when pracs */
	int prac;
	int penalties, serious, revoke;
	int commendation;
	const char *points_rule; /* practitioners: hand points */
	int points[2];
	const char *list, *list_rule;
} demo_credit_row;

/* Grades by the model of migration 0001: A ≥ 90, B ≥ 75, C ≥ 60, D below. */
static const demo_credit_row ROWS[] = {
	{0, 0, 0, 0, 0, 1, NULL, {0, 0}, "red", "RED-A"},	       /* A, commended, red list */
	{1, 0, 1, 0, 0, 0, NULL, {0, 0}, NULL, NULL},		       /* B: −10 −4 = 86 */
	{2, 0, 2, 0, 0, 0, NULL, {0, 0}, NULL, NULL},		       /* C: −20 −8 = 72 */
	{3, 0, 1, 1, 0, 0, NULL, {0, 0}, "black", "BLACK-SER"},       /* D: −10 −30 −12 = 48, black list */
	{4, 0, 1, 1, 1, 0, NULL, {0, 0}, "serious", "SERIOUS-REVOKE"}, /* D, licence revoked, serious list */
	{5, 0, 2, 2, 0, 0, NULL, {0, 0}, "black", "BLACK-PTS"},       /* 12 points: consequences in force */
	{0, 1, 0, 0, 0, 0, "MIP-B3", {7, 2}, NULL, NULL},	       /* 9 points: payment suspended */
	{1, 1, 0, 0, 0, 0, "MIP-B4", {10, 2}, NULL, NULL},	       /* 12 points: terminated */
};

struct demo_credit_w {
	demo_plan *p;
	const char *actor;
	int64_t id;
	char region[16];
	const demo_credit_row *row;
	int k;
};

static int row_tx(store_conn *c, void *arg)
{
	struct demo_credit_w *w = arg;
	const demo_credit_row *r = w->row;
	const char *kind = r->prac ? "practitioner" : "institution";
	int rc = ST_OK;
	int64_t rid, pid;
	for (int i = 0; rc >= 0 && i < r->penalties; i++) {
		char doc[64], on[24];
		snprintf(doc, sizeof doc, "温鹿卫医罚〔2026〕%d号", 100 + w->k * 10 + i);
		snprintf(on, sizeof on, "2026-0%d-1%d", 3 + i, w->k % 10);
		int serious = i < r->serious;
		yj_credit_record_in rec = {kind, w->id, w->region, "penalty", serious ? "行政处罚（情节严重）" : "行政处罚", "demo",
					   doc, doc, on, NULL, serious, r->revoke ? "fine,revoke_licence" : "warning,fine",
					   serious ? 5000000 : 500000, "health", w->actor};
		if ((rc = yj_credit_record_put(c, &rec, &rid)) < 0)
			break;
		/* The decision's points, citing the decision: INS-PEN-SER 6, INS-PEN-GEN 2. */
		yj_credit_points_in pts = {kind, w->id, w->region, serious ? "INS-PEN-SER" : "INS-PEN-GEN", serious ? 6 : 2, on,
					   "demo", doc, doc, w->actor};
		rc = yj_credit_points_add(c, &pts, &pid);
	}
	for (int i = 0; rc >= 0 && r->points_rule && i < 2; i++) {
		char doc[64], on[24];
		snprintf(doc, sizeof doc, "温鹿医保记〔2026〕%d号", 10 + w->k * 2 + i);
		snprintf(on, sizeof on, "2026-0%d-15", 4 + i * 3);
		yj_credit_points_in pts = {kind, w->id, w->region, i ? "MIP-B1" : r->points_rule, r->points[i], on, "manual", doc,
					   doc, w->actor};
		rc = yj_credit_points_add(c, &pts, &pid);
	}
	if (rc >= 0 && r->commendation) {
		yj_credit_record_in rec = {kind, w->id, w->region, "commendation", "改善医疗服务行动先进集体", "demo",
					   "温鹿卫表〔2026〕1号", "温鹿卫表〔2026〕1号", "2026-05-12", NULL, 0, "", 0, "health",
					   w->actor};
		rc = yj_credit_record_put(c, &rec, &rid);
	}
	char grade[2];
	if (rc >= 0)
		rc = yj_credit_evaluate(c, kind, w->id, w->region, DEMO_TODAY, grade);
	if (rc >= 0 && r->list) {
		char doc[64], until[11];
		int64_t eid;
		snprintf(doc, sizeof doc, "温鹿卫信〔2026〕%d号", w->k + 1);
		rc = yj_credit_list_enter(c, r->list, kind, w->id, w->region, r->list_rule, doc, DEMO_TODAY, w->actor, &eid, until);
		if (rc == ST_CONFLICT)
			rc = ST_OK; /* listed by an earlier run */
	}
	return rc;
}

int yj_demo_credit(store *s, demo_plan *p, const char *actor)
{
	int rc = ST_OK;
	for (size_t k = 0; rc >= 0 && k < sizeof ROWS / sizeof ROWS[0]; k++) {
		const demo_credit_row *r = &ROWS[k];
		struct demo_credit_w w = {p, actor, 0, "", r, (int)k};
		int seen = 0;
		for (int i = 0; !w.id && i < (r->prac ? p->npracs : p->ninsts); i++) {
			int inst = r->prac ? p->pracs[i].inst : i;
			if (strcmp(p->counties[p->insts[inst].county].code, "330302") || !(r->prac ? p->pracs[i].id : p->insts[i].id))
				continue;
			if (r->prac && strcmp(p->pracs[i].category, "physician"))
				continue;
			if (seen++ == r->nth) {
				w.id = r->prac ? p->pracs[i].id : p->insts[i].id;
				snprintf(w.region, sizeof w.region, "%s", p->counties[p->insts[inst].county].code);
			}
		}
		if (w.id)
			rc = store_tx(s, row_tx, &w);
	}
	return rc < 0 ? rc : ST_OK;
}
