/* actions.h — the steps handlers take on a matter (actions.c), run by cmp_act_tx inside
 * yj_tx_or_reply. Internal to the complaints module. */
#ifndef YJ_CMP_ACTIONS_H
#define YJ_CMP_ACTIONS_H

#include "cmp_int.h"

/* Working days after dispatch within which the unit may return a wrongly routed matter. */
#define CMP_RETURN_DAYS 5

typedef struct cmp_act {
	const json_t *body;	   /* the step's fields (borrowed; NULL for none) */
	const yj_principal *who;   /* the caller: department, scope */
	int64_t id;
	enum yj_cmp_action action;
	char actor[64]; /* audit actor: a user id, "system" or "cli:<username>" */
	/* filled by cmp_act_tx: */
	int64_t now;
	char today[11];
	json_t *m;	     /* the matter as loaded, updated with what the step set (owned) */
	json_t *audit_state; /* the leaf's state (owned) */
	cmp_category cat;
	yj_refusal ref;
} cmp_act;

typedef struct cmp_action_def {
	const char *name;	  /* "dispatch" */
	const char *audit_action; /* "complaint.dispatch" */
	int desk_only;		  /* only the health commission's desk, not the unit holding it */
	int (*fn)(store_conn *c, cmp_act *a);
} cmp_action_def;
extern const cmp_action_def cmp_actions[];

/* Loads a->id in the caller's scope, checks unit and state, runs the step and its audit leaf. */
int cmp_act_tx(store_conn *c, void *arg);

#endif
