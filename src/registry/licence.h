/* licence.h — electronic licences (电子证照): the signing key, licence numbers and public
 * verification codes, the canonical signed payload, the lifecycle (issue, renew, change, suspend,
 * resume, revoke; expired is derived from the validity), the store operations and the verification
 * of a downloaded licence file. Formats are specified in docs/licences.md.
 *
 * Ownership: functions returning json_t * or char * give the caller a new reference / string to
 * release; functions taking json_t * borrow it. */
#ifndef YJ_LICENCE_H
#define YJ_LICENCE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/date.h"
#include "../platform/store/store.h"
#include "../platform/auth/scope.h"

/* The subject condition of the licences table (store/query.h): a subject-bound caller sees the
 * licences its institutions hold and those of their staff. */
#define YJ_LICENCE_SUBJECTS                                                                           \
	"(holder_type = 'institution' AND holder_id IN ({S})) OR (holder_type = 'practitioner' AND holder_id IN" \
	" (SELECT id FROM practitioners WHERE institution_id IN ({S})))"

/* Whether a licence kind whose holder_type column is `types` (one kind type, or several
 * comma-separated: "public_place,institution") may be held by a subject of kind type `type`. */
int yj_licence_holder_allowed(const char *types, const char *type);

/* ---- keys (licence.c) ---- */

/* Loads DIR/licence.key (hex ed25519 seed, mode 0600) and DIR/licence.pub (hex public key),
 * creating the pair on first use; refuses a .pub that does not match the .key. Call once at start,
 * before request threads run. YJ_OK, or YJ_ERR with *err (caller frees). */
int yj_licence_keys_load(const char *dir, char **err);
/* The hex public key (static storage), or NULL before a successful load. */
const char *yj_licence_public_key_hex(void);

/* Base of the public verification URL the QR code carries: "<base>verify/<code>". The string is
 * copied; a missing trailing slash is added. Set once at start (serve --public-url). */
void yj_licence_set_public_url(const char *base);
const char *yj_licence_public_url(void); /* static storage; "" when never set */

/* ---- numbers and verification codes (licence.c) ---- */

#define YJ_LICENCE_CODE_LEN 16
/* The 30 characters a verification code is made of: digits and capitals without 0 O 1 I L U,
 * which are misread when typed from paper. */
extern const char yj_licence_code_alphabet[];
/* A new random verification code (libsodium randombytes, ≈78 bits). Uniqueness is checked by the
 * store before use. */
void yj_licence_code_new(char out[YJ_LICENCE_CODE_LEN + 1]);
/* Normalises a code as people type it (lower case, spaces and hyphens) into out; -1 when it cannot
 * be a code. */
int yj_licence_code_normalise(const char *in, char out[YJ_LICENCE_CODE_LEN + 1]);
/* A licence number: kind sequence (2 digits) + region (6) + year of valid_from (4) + 6 random
 * digits, 18 digits in all. Uniqueness is checked by the store before use. */
void yj_licence_number_new(int kind_seq, const char *region, const char *valid_from, char out[32]);

/* ---- dates (base/date.h: yj_day_today, yj_day_parse for YYYY-MM-DD of years 1900–2999) ---- */

/* The last day of a term of `years` starting on from: from + years − 1 day (2026-01-15, 5 →
 * 2031-01-14; a term from 29 February ends on 28 February of a common year). */
void yj_licence_term_end(const char *from, int years, char out[11]);

/* ---- payload and signature ---- */

typedef struct yj_licence_fields {
	const char *kind, *kind_name, *number, *holder_type;
	int64_t holder_id;
	const char *holder_name, *holder_identifier, *issuer, *valid_from;
	const char *valid_to; /* NULL: no expiry */
	const char *verify_code;
	int64_t version;
} yj_licence_fields;

/* The payload object that is signed: exactly the twelve keys of yj_licence_fields. */
json_t *yj_licence_payload(const yj_licence_fields *f);
/* The bytes that are signed: payload as compact JSON, keys sorted, UTF-8 (caller frees). */
char *yj_licence_canonical(const json_t *payload);
/* Signs canonical with the loaded key into sig_hex (128 hex digits). YJ_ERR without a key. */
int yj_licence_sign(const char *canonical, char sig_hex[129]);
/* 1 when sig_hex is a valid ed25519 signature of payload's canonical form under pk_hex, 0 when it
 * is not, -1 when sig_hex or pk_hex are not well-formed. */
int yj_licence_signature_ok(const json_t *payload, const char *sig_hex, const char *pk_hex);
/* A sign-in-free look at a payload: 0 when it has the twelve keys with the right types, else -1
 * and *why (static, Chinese). */
int yj_licence_payload_check(const json_t *payload, const char **why);

/* Checks a downloaded licence file {payload, signature, public_key, algorithm} offline. pk_hex is
 * the published key to check against, or NULL to use the key inside the file. Returns 1 when the
 * signature is valid (*payload_out gets the payload, new reference), 0 when it is not and -1 when
 * the file is malformed; *why (caller frees) then says why, in Chinese and English. */
int yj_licence_file_verify(const char *text, size_t len, const char *pk_hex, json_t **payload_out, char **why);

/* ---- lifecycle ---- */

enum yj_licence_action { LA_ISSUE, LA_RENEW, LA_CHANGE, LA_SUSPEND, LA_RESUME, LA_REVOKE, LA_COUNT };
const char *yj_licence_action_name(enum yj_licence_action a);  /* "renew" */
const char *yj_licence_action_label(enum yj_licence_action a); /* "延续" */
/* The stored state after action a on a licence in stored state `state` ("valid", "suspended",
 * "revoked"; expired says whether its validity has ended), or NULL when the action is not allowed:
 * *why (static) then explains in Chinese what to do instead. LA_ISSUE is never a transition. */
const char *yj_licence_transition(const char *state, int expired, enum yj_licence_action a, const char **why);
/* What the public sees: "valid", "suspended", "revoked" or "expired" (static). Revoked and
 * suspended win over expired. valid_to may be NULL (no expiry); today is YYYY-MM-DD. */
const char *yj_licence_status(const char *state, const char *valid_to, const char *today);
const char *yj_licence_status_label(const char *status); /* 有效 / 暂停 / 吊销 / 过期 */

/* ---- QR code (licence_qr.c) ---- */

/* Encodes text as a QR code (libqrencode, error correction M) drawn as a greyscale PNG (libpng),
 * `scale` pixels per module with the standard four-module quiet zone. *png is malloc'd (caller
 * frees). YJ_OK or YJ_ERR. */
int yj_licence_qr_png(const char *text, int scale, unsigned char **png, size_t *len);

/* ---- store (licence_store.c); writes run inside store_tx on c ---- */

/* Failures of the write operations besides the store's (the API turns them into a yj_refusal, licence_api.c). */
#define YJ_LICENCE_INVALID (-110) /* input refused: {field, detail} added to errors */
#define YJ_LICENCE_STATE (-111)	  /* transition not allowed: *why says why */

/* Issues a licence from the validated body {kind, holder_type, holder_id, reason, valid_from?,
 * valid_to?, number?, issuer?}: the holder must exist in sc, the kind must be for its holder type.
 * issuer_region is the GB/T 2260 code of the issuing health authority (the caller's territory),
 * named on the licence unless the body gives `issuer` (the import of paper licences does; the
 * API's body table does not list it). *id receives the new id. */
int yj_licence_issue(store_conn *c, const yj_scope *sc, const char *issuer_region, const json_t *body,
		     const char *actor, int64_t *id, json_t *errors);
/* Applies a lifecycle action (not LA_ISSUE) with body {reason, valid_from?, valid_to?} to the
 * licence id in sc; LA_CHANGE also takes issuer? (the import's corrected 发证机关; kept when
 * absent). ST_NOTFOUND when absent or out of scope. */
int yj_licence_act(store_conn *c, const yj_scope *sc, int64_t id, enum yj_licence_action a, const json_t *body,
		   const char *actor, json_t *errors, const char **why);
/* The health authority of a territory as a licence names it: 温州市鹿城区卫生健康局 for a county,
 * 温州市卫生健康委员会 for a city. ST_NOTFOUND for an unknown region. */
int yj_licence_issuer_name(store_conn *c, const char *region, char *out, size_t cap);
/* One licence in sc as the API shows it, with events when with_events. */
int yj_licence_load(store_conn *c, const yj_scope *sc, int64_t id, int with_events, json_t **out);
/* The licence with a verification code regardless of scope (the public endpoint), with payload and
 * signature. ST_NOTFOUND when none. */
int yj_licence_find_code(store_conn *c, const char *code, json_t **out);
/* Every kind, in seq order: [{code, name, holder_type, validity_years}]. */
int yj_licence_kinds(store_conn *c, json_t **out);
/* The filters of the licence list, each NULL or "" for none, already checked by the handler: kind,
 * holder_type, holder (has_holder), state (valid and expired as of today, suspended, revoked),
 * region (a GB/T 2260 subtree), number (a prefix of the licence number, no LIKE wildcards). */
typedef struct yj_licence_filter {
	const char *kind, *holder_type, *state, *region, *number;
	int has_holder;
	int64_t holder_id;
} yj_licence_filter;
/* The licences in sc matching f in id order: a page after `after` of at most limit rows, or every
 * row when limit is 0. Rows read with yj_licence_row; NULL on a store failure. */
store_stmt *yj_licence_list(store_conn *c, const yj_scope *sc, const yj_licence_filter *f, const char *today,
			    int64_t after, int limit);
/* The SELECT list of a licence row and its reader (adds status from today). */
extern const char yj_licence_columns[];
json_t *yj_licence_row(store_stmt *st, const char *today);

/* ---- the printable certificate (licence_print.c) ---- */
/* The document model (platform/docs) of a licence row as yj_licence_load gives it (new reference). */
json_t *yj_licence_print_model(const json_t *row);

#endif
