/* credit_int.h — what the credit module's files share: the scoped tables, the subject lookup in
 * the registry, the pure rules of credit.c (cycles, periods, scores) and the store functions. */
#ifndef YJ_CREDIT_INT_H
#define YJ_CREDIT_INT_H

#include "credit.h"
#include "../base/base.h"
#include "../base/id.h"
#include "../platform/store/query.h"
#include "../platform/audit/audit.h"
#include "../platform/events/events.h"
#include "../registry/registry.h" /* reg_kind: the check reads the subject's key in its own statement */
#include "../platform/auth/auth.h" /* yj_auth_epochs: and its caller's credential epochs */

extern const yj_table credit_points_t, credit_records_t, credit_grades_t, credit_lists_t, credit_repairs_t,
	credit_consequences_t;

#define CREDIT_APPEAL_WORKDAYS 5 /* 申辩期限: working days from the notice */

/* A registry subject as credit sees it. */
typedef struct credit_subject {
	char kind[16]; /* a registry kind: institution | practitioner | pharma_company | public_place | … */
	int64_t id;
	char region[16];
	char name[256];
	char code[64]; /* credit code (an organisation of any kind) or certificate number (practitioner) */
} credit_subject;

/* The subject kind/id in the caller's scope sc (NULL: any): ST_OK, ST_NOTFOUND, or a failure.
 * kind NULL tries institution then practitioner. */
int credit_subject_load(store_conn *c, const yj_scope *sc, const char *kind, int64_t id, credit_subject *out);
/* The subject named by q — a credit code, a certificate number or a registry id — whatever the
 * scope (the check and the public lookup answer about any subject). ST_OK, ST_NOTFOUND, failure. */
int credit_subject_find(store_conn *c, const char *q, credit_subject *out);
/* The kinds a natural key is looked up in, in order: institution (credit code), practitioner
 * (certificate number), pharmaceutical company (credit code), the other kinds. Returns how many. */
size_t credit_key_kinds(const reg_kind *order[YJ_NKINDS]);
int credit_kind_ok(const char *kind);

/* ---- pure rules (credit.c) ---- */
int credit_cycle_year(const char *day);					 /* 0 when not a date */
int credit_add_months(const char *day, int months, char out[11]);	 /* the day before day + months */
/* The repair periods of the comma-separated penalty kinds: the longest min and max months among
 * them (table rows mins[i]/maxs[i] for kinds[i], n rows); 3 and 36 when none matches. */
void credit_repair_months(const char *penalty_kinds, const char *const *kinds, const int *mins, const int *maxs,
			  size_t n, int *min_months, int *max_months);

typedef struct credit_indicator {
	char code[16], name[64], fn[16], source[64];
	int weight, per;
} credit_indicator;
typedef struct credit_counts {
	int64_t penalties, serious, points, complaints, inspection, commendations;
} credit_counts;
/* Score 0..100 from the counts: 100 less each negative indicator's min(weight, per × count), plus
 * the bonus indicators (commendations) up to their weight, capped at 100; contributions (may be
 * NULL) receives [{code, name, source, count, value}] (new reference). */
int credit_score(const credit_indicator *ind, size_t n, const credit_counts *k, json_t **contributions);
/* The stored contributions of a grade are its counts: {"PEN":1,"PTS":4}, an indicator with a count
 * of none left out, so most subjects store {}; the values, names and sources follow from the model
 * version (credit_indicators), so the full list is made when read. Writing 550 bytes of names and
 * sources a subject was most of what a first evaluation wrote (docs/benchmarks.md, bench/credit).
 * credit_count_head: indicator x's key as JSON with its colon, "PEN": (caller frees; NULL on failure). */
char *credit_count_head(const credit_indicator *x);
/* credit_score writing the counts text into out (cap bytes) instead of building JSON (the nightly
 * scores a million subjects), from heads[i] = credit_count_head(&ind[i]). Returns the score, or -1
 * when out is too small. */
int credit_score_counts(const credit_indicator *ind, char *const *heads, size_t n, const credit_counts *k, char *out,
			size_t cap);
/* The contributions [{code, name, source, count, value}] of a stored text under the model's
 * indicators ind: the counts text expanded, or a full array (as written before) as it is. A new
 * reference; an unreadable text reads as no counts. */
json_t *credit_contributions_of(const credit_indicator *ind, size_t n, const char *stored);
/* The indicators of model version (up to max, by code) into ind, *n of them: ST_OK or a failure. */
int credit_indicators_load(store_conn *c, int version, credit_indicator *ind, size_t max, size_t *n);
/* A for score ≥ a, B ≥ b, C ≥ c, else D. */
char credit_grade_of(int score, int a, int b, int c);

/* ---- store (credit_store.c) ---- */
/* Prepares sql and binds the variadic values by fmt: 't' a text (NULL binds NULL), 'i' an int64.
 * NULL on failure. credit_exec runs it to the end: ST_OK (*changes, may be NULL, the rows
 * changed) or a failure. */
store_stmt *credit_prep(store_conn *c, const char *sql, const char *fmt, ...);
int credit_exec(store_conn *c, int64_t *changes, const char *sql, const char *fmt, ...);
/* credit_prep on yj_reg_with_key: sql reads the subject of kind k named by key as yj_key (id,
 * version, region_code), one statement with the key's lookup; fmt's values are parameters 2, …. */
store_stmt *credit_prep_key(store_conn *c, const reg_kind *k, const char *key, const char *sql, const char *fmt, ...);
/* Nonzero while the event subscriber runs: credit_audit appends nothing then (credit_store.c). */
extern _Thread_local int credit_deriving;
/* An audit leaf for a change (none while deriving from an event, see above). */
int credit_audit(store_conn *c, const char *actor, const char *action, const char *type, int64_t id,
		 const char *region, const json_t *state);
int credit_emit(store_conn *c, const char *actor, const char *type, const char *subject_type, const char *sid,
		const char *region, json_t *payload /* stolen */);
/* The point rule for an event source (enforcement|inspection|claims) and code: an exact match_code
 * first, then the wildcard ("*", or "*serious" for serious). ST_OK with code and points (the band's
 * minimum), ST_NOTFOUND, or a failure. */
int credit_point_rule_match(store_conn *c, const char *kind, const char *source, const char *code, int serious,
			    char rule[32], int *points);
/* Voids every point of a source but those of rule keep (NULL: all) — a revoked or changed
 * decision — re-syncing consequences. */
int credit_points_void_source(store_conn *c, const char *source_type, const char *source_id, const char *keep,
			      const char *actor);
/* Brings the consequences of (kind, id, year) in line with the year's points total. */
int credit_consequences_sync(store_conn *c, const char *kind, int64_t id, const char *region, int year,
			     const char *start_day);
/* Sets a record's state (void, repaired, expired) and ended_on, for the records of a source. */
int credit_records_end_source(store_conn *c, const char *source_type, const char *source_id, const char *state,
			      const char *day);
/* The counts the model reads, for one subject on day today. */
int credit_counts_load(store_conn *c, const char *kind, int64_t id, const char *today, credit_counts *k);
/* Counts one active record in publication of category into k (complaints only from year_ago on):
 * the one rule credit_counts_load and the nightly's page-at-a-time evaluation share. */
void credit_counts_add(credit_counts *k, const char *category, int serious, const char *occurred_on, const char *year_ago);
/* Current grade of a subject: ST_OK with grade, ST_NOTFOUND, or a failure. */
int credit_grade_get(store_conn *c, const char *kind, int64_t id, char grade[2]);
/* Whether list rule `condition` (with param) holds for the subject today: 1, 0, or a failure. */
int credit_rule_holds(store_conn *c, const char *kind, int64_t id, const char *condition, int64_t param,
		      const char *today);

/* The whole credit file of a subject (record, points, grade, consequences, lists) as JSON. */
int credit_subject_json(store_conn *c, const credit_subject *s, const char *today, json_t **out);
/* The check of subject s (its id known): the restrictions in force for decision on it today;
 * ST_NOTFOUND for an unknown decision or one that is not for the subject's kind. */
int credit_check(store_conn *c, const credit_subject *s, const char *decision, const char *today, json_t **restrictions);
/* The check of the subject named by q (as credit_subject_find: a natural key, else a registry id),
 * the key's lookup and the check in one statement per kind tried (an institution's credit code:
 * one). *s gets kind, id and region (name and code are left empty unless q was an id).
 * ST_NOTFOUND with s->id 0: no such subject; ST_NOTFOUND with s->id set: an unknown decision or
 * one not for the subject's kind; ST_OK with *restrictions (new reference, the caller decrefs);
 * or a failure. With ep, the statement that finds the subject reads the credential epochs as well
 * (yj_auth_epoch_cte; ep->read 0 when no statement found it), for the handler's yj_auth_confirm. */
int credit_check_subject(store_conn *c, const char *q, const char *decision, const char *today, credit_subject *s,
			 json_t **restrictions, yj_auth_epochs *ep);

/* The band (points_min, points_max) of point rule code for kind: ST_OK, ST_NOTFOUND or a failure. */
int credit_point_rule_band(store_conn *c, const char *rule, const char *kind, int64_t *lo, int64_t *hi);
/* The cycle year of points entry id (0 when absent). */
int credit_point_year(store_conn *c, int64_t id, int64_t *year);
/* The rule tables as data (GET /api/v1/credit/rules): *out a new object of arrays (credit_view_store.c). */
int credit_rules_json(store_conn *c, json_t **out);

/* Points entry id's appeal: its state with the appeal's reason (when reason is set: the appeal) or the
 * decision's result (otherwise). */
int credit_point_appeal_set(store_conn *c, int64_t id, const char *state, const char *reason, const char *result);

#endif
