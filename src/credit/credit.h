/* credit.h — credit supervision (信用监管): bad-conduct points with yearly cycles, appeals and
 * threshold consequences; credit records with disclosure periods; the versioned evaluation into
 * grades A–D; red, black and serious-dishonesty lists with credit repair; the joint-punishment
 * check any department may ask; the 双公示 export and the public lookup. docs/credit.md.
 *
 * Ownership: json_t * results are new references the caller decrefs; inputs are borrowed. */
#ifndef YJ_CREDIT_H
#define YJ_CREDIT_H

#include <jansson.h>
#include <stdint.h>

#include "../platform/http/http.h"
#include "../platform/store/store.h"

struct yj_module;
struct yj_subscriber;

/* The module descriptor (credit_module.c). */
extern const struct yj_module yj_credit_module;
/* Routes: the staff routes (credit_api.c, credit_lists_api.c) and the check, export and public
 * lookup (credit_check_api.c). */
extern const yj_route yj_credit_routes[], yj_credit_list_routes[], yj_credit_check_routes[], yj_credit_outbox_routes[];
/* Loads (creating on first use) the outbox's signing key pair DIR/credit.key, DIR/credit.pub
 * (credit_outbox.c). Call at start with the other keys. YJ_OK, or YJ_ERR with *err (caller frees). */
int yj_credit_keys_load(const char *dir, char **err);
/* The subscriber of enforcement, inspection, claims, complaints and registry events (credit_events.c). */
extern const struct yj_subscriber yj_credit_subscriber;

/* A points entry (记分) as a tool outside the API writes it (the demo, tests). Strings borrowed. */
typedef struct yj_credit_points_in {
	const char *subject_kind; /* institution | practitioner */
	int64_t subject_id;
	const char *region_code;
	const char *rule_code;	  /* credit_point_rules.code */
	int points;		  /* within the rule's band */
	const char *occurred_on;  /* YYYY-MM-DD; its natural year is the cycle */
	const char *source_type;  /* enforcement_case | inspection_task | claim_flag | manual */
	const char *source_id;
	const char *source_doc;	  /* the document, never empty */
	const char *actor;
} yj_credit_points_in;
/* Records the points (once per source, rule and subject: again is a no-op with *id 0), the points
 * record, the audit leaf and event, and the consequences the yearly total now reaches, inside the
 * write transaction c. ST_OK, ST_ERR for input outside the rule, or a store failure. */
int yj_credit_points_add(store_conn *c, const yj_credit_points_in *in, int64_t *id);

/* A credit record entry (信用档案) by a tool; category penalty | commendation | inspection |
 * complaint | licence. Writes with its audit leaf in c. ST_OK or a failure. */
typedef struct yj_credit_record_in {
	const char *subject_kind;
	int64_t subject_id;
	const char *region_code, *category, *title, *source_type, *source_id, *source_doc, *occurred_on;
	const char *disclose_until; /* NULL: from the repair periods (penalties) or one year */
	int serious;
	const char *penalty_kinds;  /* comma-separated, "" when none */
	int64_t fine_fen;
	const char *department, *actor;
} yj_credit_record_in;
int yj_credit_record_put(store_conn *c, const yj_credit_record_in *in, int64_t *id);

/* Enters a subject on list (red | black | serious) by rule with the entry document on day today,
 * published for the rule's months; appends the audit leaf and credit.list_entered in c. ST_OK with
 * *id, ST_NOTFOUND when the rule is not for this list and kind, ST_CONFLICT when the subject is
 * listed already; the rule's condition is the caller's to check (credit_rule_holds). */
int yj_credit_list_enter(store_conn *c, const char *list, const char *kind, int64_t subject_id, const char *region,
			 const char *rule, const char *doc, const char *today, const char *actor, int64_t *id,
			 char publish_until[11]);

/* Evaluates one subject on day today with the active model, writes its grade, and on a change of
 * grade appends the history row, the audit leaf and credit.grade_changed, all in c. *grade_out
 * (may be NULL) gets the grade. ST_OK or a failure. */
int yj_credit_evaluate(store_conn *c, const char *kind, int64_t id, const char *region, const char *today,
		       char grade_out[2]);
/* The nightly work on day today: ends expired disclosures and list publications, then evaluates
 * every subject with credit facts, one transaction per subject. *n (may be NULL) gets the count
 * evaluated. ST_OK or a failure. */
int yj_credit_nightly(store *s, const char *today, int64_t *n);

#endif
