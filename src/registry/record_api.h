/* record_api.h — the HTTP side of registry records, shared by every kind: list with filters and
 * cursor paging, export to Excel/CSV with the same filters, read, create, change, history and
 * as-of. A kind's *_api.c declares its filters and routes and calls these. */
#ifndef YJ_RECORD_API_H
#define YJ_RECORD_API_H

#include "record.h"

enum reg_filter_op {
	FL_EQ,	   /* column = value */
	FL_CODE,   /* column = code of the field's vocabulary (label accepted) */
	FL_BOOL,   /* column = 0/1 from true/false */
	FL_REGION, /* region column in the subtree of a GB/T 2260 code */
	FL_NAME,   /* substring of the kind's name (bigram index) */
	FL_REF,	   /* column = id */
	FL_HASH,   /* column = keyed hash of the value (personal data looked up without storing it); a
		    * disclosure: disclose_roles only, a "<kind>.lookup" audit leaf per use */
};

typedef struct reg_filter {
	const char *param; /* query parameter */
	const char *column;
	enum reg_filter_op op;
	const yj_vocab *vocab; /* FL_CODE */
} reg_filter;

typedef struct reg_api {
	const reg_kind *k;
	const reg_filter *filters; /* terminated by {NULL} */
	yj_field *create_body;	   /* filled from the kind's fields at start (reg_api_init) */
	yj_field *patch_body;
	unsigned disclose_roles;   /* roles that may see unmasked personal data, or filter by it (FL_HASH):
				    * both are disclosures, audited and limited per user (yj_pii_gate) */
} reg_api;

/* Fills a's body descriptions from its kind; call before the route table is used (the kinds'
 * *_api.c do it from a constructor). The arrays need room for every field plus one. */
void yj_reg_api_init(reg_api *a);

int yj_reg_api_list(yj_req *r, const reg_api *a);
int yj_reg_api_export(yj_req *r, const reg_api *a);
int yj_reg_api_get(yj_req *r, const reg_api *a);
int yj_reg_api_create(yj_req *r, const reg_api *a);
int yj_reg_api_patch(yj_req *r, const reg_api *a);
int yj_reg_api_history(yj_req *r, const reg_api *a);
/* ?group=<a code field>|county with the list's filters: {group, total, items:[{key, label, count}]}. */
int yj_reg_api_stats(yj_req *r, const reg_api *a);

/* Problems shared by the registry's handlers. */
int yj_reg_reply_invalid(yj_req *r, json_t *errors); /* steals errors */
/* ?limit= and ?cursor= of the history routes. */
extern const yj_qparam yj_reg_history_params[];
int yj_reg_reply_conflict(yj_req *r, const reg_kind *k, const char *field);
/* The same conflict as a refusal inside a transaction (returns YJ_REFUSED). */
int yj_reg_refuse_conflict(yj_refusal *no, const reg_kind *k, const char *field);

/* The caller as the audit log names them: their user id in decimal. */
void yj_reg_actor(yj_req *r, char out[24]);

#endif
