/* credit_api.h — what the credit route files share: the roles, the argument of a write
 * transaction and its runner, and small readers of the request body. */
#ifndef YJ_CREDIT_API_H
#define YJ_CREDIT_API_H

#include "credit_int.h"

/* Who reads credit files: supervision staff and the institution itself (its own, by subject
 * binding). A liaison of another department reads check answers only. */
#define CREDIT_STAFF (ROLE_ADMIN | ROLE_LEADER | ROLE_INSPECTOR | ROLE_LEGAL_REVIEWER | ROLE_INSURANCE_ANALYST)
#define CREDIT_READERS (CREDIT_STAFF | ROLE_INSTITUTION)

typedef struct credit_arg {
	yj_req *r;
	yj_refusal ref;
	json_t *out; /* the reply body, set by the transaction (owned) */
	int64_t id;  /* the path id */
	char actor[21], today[11];
	const char *list; /* lists: red | black | serious */
} credit_arg;

void credit_actor(yj_req *r, char out[21]);
/* Runs fn in a write transaction with refusal and replies a->out with status. */
int credit_op(yj_req *r, store_tx_fn fn, credit_arg *a, int status);
const char *credit_body_str(yj_req *r, const char *k); /* "" when absent */
int credit_blank(const char *s);

#endif
