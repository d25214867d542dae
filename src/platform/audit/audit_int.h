/* audit_int.h — shared by the files of platform/audit: tree-head signing and its JSON form, which
 * both the writer (audit.c) and the HTTP API (audit_api.c, for the head of an empty log) need. */
#ifndef YJ_AUDIT_INT_H
#define YJ_AUDIT_INT_H

#include "audit.h"

/* Signs the tree head (timestamp, tree_size, root) with the loaded key; sig_hex receives 128 hex
 * digits. Returns YJ_ERR when no key is loaded. */
int yj_audit_sign_head(int64_t timestamp, int64_t tree_size, const unsigned char root[YJ_HASH_LEN],
		       char sig_hex[2 * 64 + 1]);

/* {"tree_size","timestamp","root_hash","signature","public_key"}: a new reference. */
json_t *yj_audit_sth_json(int64_t tree_size, int64_t timestamp, const char *root_hex, const char *sig_hex);

/* Hex SHA-256 of jansson's compact, key-sorted JSON of state (NULL hashes "null"): a leaf's
 * state_hash. YJ_ERR when state cannot be serialized. */
int yj_audit_state_hash(const json_t *state, char hex[2 * YJ_HASH_LEN + 1]);
/* The current state's hash in the form of a recorded state_hash: keyed when recorded starts with
 * YJ_STATE_KEYED_PREFIX (then YJ_ERR without the state key), plain otherwise. */
int yj_audit_state_hash_as(const json_t *state, const char *recorded, char out[YJ_STATE_HASH_MAX]);

#endif
