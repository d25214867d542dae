/* rewards_int.h — what the files of rewards for reports share: rewards.c (the rules and the writes),
 * rewards_store.c (the SQL) and rewards_api.c (the routes). json_t * results are the caller's to release;
 * strings passed in are borrowed. */
#ifndef YJ_REWARDS_INT_H
#define YJ_REWARDS_INT_H

#include "cmp_int.h"

/* A row of complaint_rewards as its JSON, with its state's label (a yj_row_fn). */
json_t *rwd_row_json(store_stmt *st, void *arg);
/* The reward id in scope sc into *out (a new reference): ST_OK, ST_NOTFOUND or a failure. */
int rwd_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out);
/* As rwd_load in every territory, replacing *out (released first). */
int rwd_load_all(store_conn *c, int64_t id, json_t **out);
/* The rule code: ST_OK, ST_NOTFOUND or a failure; name (may be NULL) receives its name. */
int rwd_rule_get(store_conn *c, const char *code, yj_cmp_reward_rule *r, char name[128]);
/* The grade of rule code: ST_OK, ST_NOTFOUND or a failure. */
int rwd_grade_get(store_conn *c, const char *code, int grade, yj_cmp_reward_grade *g);
/* Every rule with its grades as a JSON array into *items (a new reference, NULL on failure). */
int rwd_rules_json(store_conn *c, json_t **items);
/* How many rewards complaint cid has into *n. */
int rwd_count_of(store_conn *c, int64_t cid, int64_t *n);

/* A new proposed reward; strings borrowed. */
typedef struct rwd_new {
	int64_t id, complaint_id, case_value_fen, amount_fen;
	const char *region_code, *department, *rule_code, *note, *proposed_on, *proposed_by;
	int grade, insider;
} rwd_new;
int rwd_insert(store_conn *c, const rwd_new *w, int64_t now);
/* The leader's decision: state approved or refused, with claim_until (NULL when refused). */
int rwd_set_decided(store_conn *c, int64_t id, const char *state, const char *today, const char *actor, const char *note,
		    const char *claim_until);
int rwd_set_paid(store_conn *c, int64_t id, const char *today, const char *actor, const char *payment_ref);
int rwd_set_forfeited(store_conn *c, int64_t id);
/* The rewards in scope sc, of state and of complaint cid when given ("" or NULL, 0: any); the caller runs it. */
yj_qb *rwd_query(const yj_scope *sc, const char *state, int64_t cid);
/* Runs one for every approved reward whose claim period ended before today (cmp_sweep). */
int rwd_sweep_expired(store *s, const char *today, store_tx_fn one, int *count);

/* The writes (rewards.c), run by rewards_api.c and the seed. */
int rwd_propose_tx(store_conn *c, void *op);
int rwd_decide_tx(store_conn *c, void *op);
int rwd_pay_tx(store_conn *c, void *op);
/* The reporter's identity for paying, sealed no more: a->clear (yj_pii_free) after an audited view. */
int rwd_reporter_tx(store_conn *c, void *op);

#endif
