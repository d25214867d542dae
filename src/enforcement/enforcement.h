/* enforcement.h — administrative penalty cases (行政处罚案件办理): the routes (clues, cases and their
 * transitions, benchmarks, indicators, public penalties), the module descriptor, and the case workflow
 * as pure logic (enforcement.c: states, who may do what from where, the fields each step needs, the
 * discretion band, the clocks' arithmetic) that the store and handlers apply. Nothing here allocates
 * unless said so. docs/enforcement.md describes states, clocks, triggers and their legal sources. */
#ifndef YJ_ENFORCEMENT_H
#define YJ_ENFORCEMENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../platform/http/http.h"

/* Routes: clues (clues_api.c), cases and transitions (cases_api.c), benchmarks, indicators and the
 * public penalties (public_api.c). */
extern const yj_route yj_enf_clue_routes[], yj_enf_case_routes[], yj_enf_public_routes[];
/* The module descriptor (enforcement_module.c; platform/module.h). */
extern const struct yj_module yj_enforcement_module;

/* The same transactions without HTTP, for the demo generator: POST /api/v1/cases/clues, POST /api/v1/cases
 * and POST /api/v1/cases/{id}/transitions taken by `who` with `body` (not checked against the routes'
 * field lists: the caller builds it); public_url is the base of the decision's verification QR (NULL: a
 * placeholder). ST_OK with *out (new reference), YJ_REFUSED with *ref filled (the
 * caller clears it with yj_refusal_clear), or a store failure. */
int yj_enf_clue_record(store *s, const yj_principal *who, const json_t *body, const char *public_url, json_t **out,
		       yj_refusal *ref);
int yj_enf_case_file(store *s, const yj_principal *who, const json_t *body, const char *public_url, json_t **out,
		     yj_refusal *ref);
int yj_enf_case_step(store *s, const yj_principal *who, int64_t id, const json_t *body, const char *public_url, json_t **out,
		     yj_refusal *ref);

/* The number of cases (the demo generator tops up only an empty module). ST_OK or a failure. */
int yj_enf_case_count(store_conn *c, int64_t *n);
/* For the demo generator only: moves the dates of case id's decision, service, publication and execution
 * (decided_on … reminded_on) days back, as if that time had passed, so that the demo can show a case past
 * its payment deadline (催告) and past the reminder (申请强制执行) on the day it is made. Its timeline and
 * audit leaves keep the day they were written. ST_OK, ST_NOTFOUND or a failure. */
int yj_enf_demo_age(store *s, int64_t id, int days);

/* ---- the case as the state machine sees it (filled by the store from enf_cases) ---- */
#define ENF_MAX_OFFICERS 8
typedef struct enf_case {
	char state[24];
	char prior_state[24];
	int64_t officers[ENF_MAX_OFFICERS];
	int nofficers;
	int serious;		  /* 情节严重 / major case: collective discussion (art. 57) */
	int t_public_interest, t_hearing_rights, t_complex, t_other_law; /* art. 58 (1)–(4) */
	int outside_band;	  /* proposal outside the benchmark band: legal review */
	int hearing_trigger;	  /* art. 63 */
	int suspect_crime;
	int no_penalty;		  /* decided 不予处罚 */
	int transferred;
	int legal_ok_seq, proposal_seq, hearing_seq, collective_seq; /* step seqs, 0 when none */
	int64_t fine_fen, paid_fen;
	char decision_due[11], statement_due[11], hearing_request_due[11], pay_due[11], court_ready_on[11];
	char decided_on[11]; /* the decision's day: nothing is served before it */
} enf_case;

/* One action of POST /api/v1/cases/{id}/transitions. */
typedef struct enf_action {
	const char *name;  /* "conclude" */
	const char *label; /* 调查终结 */
	unsigned roles;	   /* enum yj_role bits allowed */
	int officer;	   /* 1: the actor must be one of the case's officers; -1: must not be (hearing presider) */
	const char *from;  /* space-separated states it may start from */
	const char *to;	   /* the state it leads to; NULL: the case stays where it is */
} enf_action;

/* The action named name, or NULL. */
const enf_action *enf_action_find(const char *name);
/* 1 when action a may start from state (role and guards aside). */
int enf_action_from(const enf_action *a, const char *state);
/* Chinese name of a state ("investigating" → 调查取证), or the code itself when unknown. */
const char *enf_state_label(const char *state);
/* 1 when the case's decision has not been issued yet (the 90-day clock runs). */
int enf_state_before_decision(const char *state);
/* 1 when any art. 58 trigger holds or the proposal leaves the benchmark band. */
int enf_legal_review_required(const enf_case *k);

/* Whether the actor (role bit, user id) may take action a on case k today ('YYYY-MM-DD'), given the
 * request body (its fields, already validated by enf_fields_check). 0 when allowed; otherwise the
 * HTTP status (409) and a Chinese detail saying what to do, written to msg. */
int enf_guard(const enf_case *k, const enf_action *a, unsigned role_bit, int64_t user_id, const char *today,
	      const json_t *body, char *msg, size_t cap);
/* The state after action a with body (a legal review that returns the case goes back to investigating;
 * resume goes back to the prior state). Borrowed string. */
const char *enf_next_state(const enf_case *k, const enf_action *a, const json_t *body);
/* Checks the fields action a needs in body against today; appends {field, detail} to errors (an array)
 * for each problem. Returns the number of problems. */
int enf_fields_check(const enf_action *a, const json_t *body, const char *today, json_t *errors);

/* ---- discretion benchmarks ---- */
#define ENF_TIERS "none mitigated lighter general heavier"
/* The band of tier in a benchmark row's tiers JSON: kinds allowed and the fine range in fen. */
typedef struct enf_band {
	int64_t fine_min, fine_max;
	char kinds[160]; /* comma-separated */
} enf_band;
/* 0, or -1 when the JSON or the tier is not usable. */
int enf_band_of(const char *tiers_json, const char *tier, enf_band *out);
/* 1 when kinds (array of codes) and fine lie within band b. */
int enf_within_band(const enf_band *b, const json_t *kinds, int64_t fine_fen);
/* 1 when code is one of the penalty kinds of docs/events.md. */
int enf_penalty_kind_valid(const char *code);

/* ---- clocks (arithmetic only; the working-day calendar is the store's) ---- */
/* Late fee (加处罚款, art. 72): permille per day of the fine for days_late days, capped at the fine. */
int64_t enf_late_fee(int64_t fine_fen, int64_t days_late, int64_t permille_per_day);
/* The decision deadline before rolling to a working day: filed + days + extended + paused. */
int64_t enf_decision_due_day(int64_t filed_day, int64_t days, int64_t extended, int64_t paused);

/* ---- store-backed clocks (enf_store.c), exposed for their tests ---- */
/* The end of a period of n days from `from` ('YYYY-MM-DD', not counted): working = 1 counts working
 * days on the platform calendar (art. 85); working = 0 counts calendar days and moves an end that
 * falls on a rest day or holiday to the next working day (民事诉讼法 art. 85). ST_OK or a failure. */
int enf_period_end(store_conn *c, const char *from, int n, int working, char out[11]);
/* The reminder job's work for today: opens a to-do for each case whose decision is due within the
 * reminder window, marks overdue ones, to the officers and the office's leaders. *touched receives
 * how many to-dos were put. ST_OK or a failure. */
int enf_clock_run(store *s, const char *today, int *touched);

#endif
