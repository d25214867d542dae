/* fhir_int.h — what the FHIR facade's own files share (never included outside src/fhir): the
 * resource types with their registry sources and search parameters (fhir_search.c), and the
 * replies, links and resources of a Bundle (fhir_bundle.c). The registry is read through
 * registry.h's searches only: no table or column is named here. */
#ifndef YJ_FHIR_INT_H
#define YJ_FHIR_INT_H

#include "fhir.h"
#include "../registry/registry.h"

#define FHIR_MAX_COUNT 200
#define FHIR_DEFAULT_COUNT 20

enum p_op {
	P_ID,		 /* _id: the source's ids (PractitionerRole ids carry a suffix) */
	P_ACTIVE,	 /* true/false: state active; filings: not ended and the practitioner active */
	P_IDENT,	 /* identifier: [system|]value over the source's identifier attributes */
	P_NAME,		 /* substring of the name (bigram index) */
	P_FAMILY,	 /* family name starts with */
	P_GIVEN,	 /* given name starts with */
	P_INST_TYPE,	 /* institution type code, or the mCSD facility type */
	P_REF,		 /* reference Type/id to an attribute holding the id */
	P_NONE_REF,	 /* a reference we never set (partof): matches nothing */
	P_STATUS,	 /* Location.status */
	P_ROLE,		 /* PractitionerRole.code */
	P_SPECIALTY,	 /* PractitionerRole.specialty */
	P_LASTUPDATED,	 /* date with prefix */
};

typedef struct fparam {
	const char *name;
	const char *type; /* FHIR search parameter type */
	enum p_op op;
	yj_reg_attr attr; /* P_ID, P_REF, P_INST_TYPE, P_ROLE, P_SPECIALTY: the registry attribute */
	const char *target; /* P_REF: the referenced resource type */
	const char *doc;
} fparam;

typedef struct fident {
	const char *system;
	yj_reg_attr attr;
} fident;

enum src_kind { S_ORG, S_LOC, S_PRAC, S_ROLE_PRIMARY, S_ROLE_FILING };

typedef struct source {
	enum src_kind kind;
	yj_reg_source rs;
	const char *id_suffix; /* PractitionerRole ids */
	const fident *idents;  /* terminated by {NULL}; may be NULL */
	const fparam *params;  /* terminated by {NULL} */
} source;

typedef struct ftype {
	const char *name;
	const char *profile;
	const source *src[2];
	int nsrc;
	yj_qparam search_q[24];
} ftype;

/* fhir_search.c: the four types, and the search parameters of the request applied to s (bad values
 * and unknown parameters go to errors as {field, detail}). */
extern ftype yj_fhir_types[4];
#define FHIR_NTYPES 4
void fhir_apply_query(yj_req *r, yj_reg_search *s, const source *src, const char *today, json_t *errors);

/* fhir_bundle.c */
typedef struct fhir_item {
	json_t *res;
	int64_t id, ts, version;
} fhir_item;
/* The resource of a registry hit (steals hit->rec). */
fhir_item fhir_item_of(store_conn *c, const source *s, yj_reg_hit *hit, const char *today, const yj_principal *who);
void fhir_items_free(fhir_item *its, int n);
/* <public-url>fhir/r4 (caller frees) and a page's URL with the request's parameters, the cursor
 * replaced by cursor when given (caller frees). */
char *fhir_base_url(yj_req *r);
char *fhir_page_url(yj_req *r, const char *base, const char *rest, const char *cursor);
/* Replies with body (stolen) as application/fhir+json. */
int fhir_reply(yj_req *r, int status, json_t *body);
/* 1 when _format asks for JSON; else replies 406 and returns 0. */
int fhir_format_ok(yj_req *r);
/* _count into *count (default 20); -1 after replying 400. */
int fhir_count_param(yj_req *r, int *count);
int fhir_bad_cursor(yj_req *r);
/* A Bundle of type with the self link, a next link when next_cursor, and entries (stolen; left out
 * when empty). */
json_t *fhir_bundle(const char *type, int64_t now_ms, json_t *links, json_t *entries);
json_t *fhir_links(yj_req *r, const char *base, const char *rest, const char *next_cursor);

/* Writes a problem reply under /fhir/ as an OperationOutcome (fhir_outcome.c): the module's error
 * writer for its path prefix (http.h, yj_error_writer; errors stolen). */
int fhir_reply_outcome(yj_req *r, int status, const char *title, const char *detail, json_t *errors);

#endif
