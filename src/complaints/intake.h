/* intake.h — the one way a new matter enters (intake.c), shared by the public form, the console
 * entry and the importers. Internal to the complaints module. */
#ifndef YJ_CMP_INTAKE_H
#define YJ_CMP_INTAKE_H

#include "cmp_int.h"

#define CMP_MAX_ATTACHMENTS 5
#define CMP_MAX_ATTACHMENT (4u << 20) /* bytes of one attachment, decoded */

/* The request's body (borrowed) as a new matter. The callback cmp_intake_tx, run through
 * yj_tx_or_reply, fills out (a new reference the caller releases) with the matter as handlers see it
 * — never the reporter — or refuses through ref. */
typedef struct cmp_intake {
	yj_req *r;	     /* the request of the public door (its address, the Retry-After header); else NULL */
	const json_t *body;
	const yj_scope *sc;  /* the console caller's scope (territory check, duplicates); NULL at the public door */
	int is_public;	     /* the public door: anonymous caller, per-address limit */
	const char *channel; /* set by the door ("web", "open311"); NULL: the body's channel (console) */
	const char *address, *lat, *lng; /* where (Open311); NULL: none */
	int64_t client_id;   /* the Open311 client, 0: none */
	const char *actor;   /* audit actor: "public" or the user id */
	int has_epoch;	     /* 1: ref_epoch was read for r (cmp_intake_epoch); 0: the transaction reads it */
	int64_t ref_epoch;
	yj_refusal ref;
	json_t *out;
} cmp_intake;
int cmp_intake_tx(store_conn *c, void *arg);
/* Takes the reference-data epoch read while authenticating r (the console's requests; none at the
 * public door, whose transaction reads it: yj_ref_epoch_tx), so the categories and regions the intake
 * checks come from this process's caches. Call on r's thread before the transaction. */
void cmp_intake_epoch(yj_req *r, cmp_intake *in);

#endif
