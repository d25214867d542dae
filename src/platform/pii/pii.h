/* pii.h — personal data at rest and in responses: resident ID numbers (and later phone numbers)
 * are encrypted with a key kept outside the database (KEYS/pii.key, XChaCha20-Poly1305 through
 * libsodium's secretbox), looked up through a keyed hash (BLAKE2b), and shown masked unless the
 * caller's role needs the clear value — a disclosure the caller must audit. */
#ifndef YJ_PII_H
#define YJ_PII_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../store/store.h"

/* Loads (creating when absent, mode 0600) DIR/pii.key. Call once at start. YJ_OK or YJ_ERR with
 * *err (caller frees). */
int yj_pii_keys_load(const char *dir, char **err);
/* True after a successful load. */
int yj_pii_ready(void);

/* Encrypts plain into a new string "v1:<hex nonce+ciphertext>" (caller frees); NULL when no key. */
char *yj_pii_encrypt(const char *plain);
/* Decrypts what yj_pii_encrypt made; NULL (nothing leaked) when the key or the text is wrong. */
char *yj_pii_decrypt(const char *sealed);
/* Zeroes and frees a clear value (NULL is fine). */
void yj_pii_free(char *clear);
/* Keyed hash of a value for equality lookups, 64 hex characters into out. */
void yj_pii_hash(const char *plain, char out[65]);

/* Masks: 3301**********1234 for an ID number (first 4, last 4), 138****5678 for a phone
 * (first 3, last 4). Write into out (at least strlen(v)+1 bytes) and return it. */
char *yj_pii_mask_id(const char *v, char *out);
char *yj_pii_mask_phone(const char *v, char *out);
/* The form every role sees of a resident ID number: the first 4 digits (the issuing prefecture)
 * and 14 '*' — 3303************** — from a clear number or from an older mask (3303**********1234).
 * out holds at least 19 bytes; returns out. */
char *yj_pii_mask_id_head(const char *v, char out[19]);

/* ---- what each role sees of a person's identity (docs/security.md, "What each role sees") ----
 * Sorted so that no combination a role receives narrows a resident ID number to fewer than ~10^5
 * candidates: the birth date and the sequence digits are never both given. */
enum yj_pii_level {
	YJ_PII_HIDDEN,	/* the key is removed */
	YJ_PII_PARTIAL, /* ID: yj_pii_mask_id_head; birth: the year only (birth_year) */
	YJ_PII_FULL,	/* as stored */
};
typedef struct yj_pii_view {
	enum yj_pii_level id;	 /* id_masked */
	enum yj_pii_level birth; /* birth_date → birth_year */
	enum yj_pii_level sex;	 /* sex */
	int disclose;		 /* may have the clear number through an audited disclosure */
} yj_pii_view;

/* The view of a role (one enum yj_role bit; 0 = the public). Static storage. */
const yj_pii_view *yj_pii_view_of(unsigned role_bit);
/* Rewrites in place the personal keys of a person record — id_masked, birth_date, sex — to what
 * role_bit may see: removes, masks, or replaces birth_date by birth_year (an integer). Other keys
 * are untouched. Safe on records that lack some of the keys. */
void yj_pii_present(json_t *person, unsigned role_bit);
/* Whether a state (a JSON object) holds one of the personal keys yj_pii_present rewrites: its audit
 * leaf must then be keyed (yj_audit_append_keyed), or a reader of leaves could test guesses of the
 * birth date against the state hash (docs/security.md, "State hashes"). */
int yj_pii_in_state(const json_t *state);
/* Chinese column label of a key yj_pii_present may add (birth_year), or NULL. */
const char *yj_pii_label(const char *key);

/* ---- the per-user limit on disclosures (docs/security.md, "Disclosure of personal data") ----
 * Counts every disclosure of a clear value and every lookup by a clear value (the ?id_number=
 * filter) of one user in a sliding hour, in the store (table pii_lookups), so the limit holds across
 * every process serving one database. */
#define YJ_PII_LOOKUPS_PER_HOUR 30
/* Sets the limit (0: no limit). Call before serving; default YJ_PII_LOOKUPS_PER_HOUR. Every process
 * on one database should be given the same limit: each judges by its own. */
void yj_pii_set_lookup_limit(unsigned per_hour);
/* Takes one use for user_id at now_ms in its own write transaction on s: 1 when allowed (counted),
 * 0 when the limit is reached — then *retry_after_s says when enough uses have left the window —
 * or a store failure (< 0, nothing counted). Concurrent takes, in any process, are serialised on
 * the user's row and never pass the limit. */
int yj_pii_lookup_take(store *s, int64_t user_id, int64_t now_ms, int64_t *retry_after_s);

struct yj_req;
/* Before a disclosure of a clear value, or a lookup by one (a filter that tells whether a guess is
 * right): replies 403 when the caller's role is not in roles, 429 with Retry-After past the
 * caller's limit, and returns -1; returns 0 (one use counted) to go on. what names the value in
 * Chinese for the reply (身份证号); a store failure replies as yj_reply_store_error. The caller writes
 * the audit leaf. */
int yj_pii_gate(struct yj_req *r, unsigned roles, const char *what);

#endif
