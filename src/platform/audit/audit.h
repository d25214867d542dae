/* audit.h — the full-process record (执法全过程记录): an append-only Merkle log built as RFC 6962 §2.1
 * (leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right)), with ed25519-signed tree
 * heads. Every change of state and every disclosure of personal data appends a leaf inside the same
 * transaction as the change, so the change and its record commit together; heads are signed apart
 * from the writes, within a bounded merge delay and on demand (docs/audit.md). */
#ifndef YJ_AUDIT_H
#define YJ_AUDIT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../store/store.h"

#define YJ_HASH_LEN 32

/* The signing key pair lives in files outside the database: DIR/audit.key (secret, mode 0600)
 * and DIR/audit.pub (hex public key, published). yj_audit_keys_load creates them on first use.
 * Returns YJ_OK or YJ_ERR with *err (caller frees). */
int yj_audit_keys_load(const char *dir, char **err);
/* For a verifier: reads DIR/audit.key without creating it and keeps only the key of keyed state
 * hashes (never the signing key). 1 when loaded, 0 when the file is absent, YJ_ERR with *err. */
int yj_audit_state_key_load(const char *dir, char **err);
/* True when keyed state hashes can be made or checked. */
int yj_audit_state_key_ready(void);
/* The hex public key (static storage, valid after a successful load). */
const char *yj_audit_public_key_hex(void);

/* One leaf's content. */
typedef struct yj_audit_event {
	const char *actor;	 /* user id as decimal string, "system", or "cli:<username>" */
	const char *action;	 /* dotted verb: "user.create", "session.create", "practitioner.disclose" */
	const char *object_type; /* "user", "session", … */
	const char *object_id;	 /* the object's id or natural key */
	const char *region_code; /* territory of the object ("" when none) */
	const json_t *state;	 /* the new state (hashed, not stored); NULL hashes as JSON null */
} yj_audit_event;

/* Appends a leaf (and folds it into the head row's frontier; no signature: see the signer below). Must run inside a write transaction on c (store_tx);
 * serialises with concurrent appenders through the head row. On success *index_out (may be NULL)
 * receives the leaf index. Returns ST_OK or a store failure (ST_RETRY is retried by store_tx). */
int yj_audit_append(store_conn *c, const yj_audit_event *ev, int64_t *index_out);
/* The same for a state holding personal data a reader of leaves could guess (a birth date, a masked
 * ID number): its state_hash is "hmac:" and the hex HMAC-SHA-256 of the state under a key derived
 * from audit.key, so only a holder of the key can test a guess against it (docs/audit.md, "Keyed
 * state hashes"). The leaf itself stays verifiable by outsiders like any other. */
int yj_audit_append_keyed(store_conn *c, const yj_audit_event *ev, int64_t *index_out);
#define YJ_STATE_KEYED_PREFIX "hmac:"
#define YJ_STATE_HASH_MAX (sizeof YJ_STATE_KEYED_PREFIX + 2 * YJ_HASH_LEN) /* with the NUL */
/* yj_audit_append (keyed: _keyed) for a caller that already holds the state's text as the hash reads
 * it — yj_audit_state_text of ev->state — so a bulk writer that also stores that text dumps it once;
 * ev->state is then not read. */
int yj_audit_append_text(store_conn *c, const yj_audit_event *ev, int keyed, const char *state_text);
/* The state's text that its hash covers: json_dumps' JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY
 * bytes ("null" for NULL), written by yj_jw_canonical; a new string the caller frees. */
char *yj_audit_state_text(const json_t *state);
/* The same, and *at_out (may be NULL) receives the leaf's `at` (epoch ms), for a caller that must
 * record exactly when its leaf entered the log (a draw's commitment time). */
int yj_audit_append_at(store_conn *c, const yj_audit_event *ev, int64_t *index_out, int64_t *at_out);
/* The leaf of an audited read (disclose.c) — a disclosure that writes nothing else, such as the
 * credit check: the caller reads outside any transaction, then appends ev's leaf (keyed as
 * yj_audit_append_keyed when keyed) in a commit group (store_tx_group) shared with concurrent
 * disclosures of the process, and answers only after this returns ST_OK: the leaf has committed.
 * Must not be called inside a transaction on this thread's connection. ev (and its state) is only
 * read, possibly by another thread while the caller waits. Returns ST_OK or a store failure (the
 * caller then answers nothing of what it read). docs/audit.md, "Audited reads". */
int yj_audit_disclose(store *s, const yj_audit_event *ev, int keyed);
/* While a request's principal is provisional (authenticated from the process's cache, its credential
 * epoch not yet read: auth.h, yj_auth_confirm), the auth layer holds this thread's leaves: every
 * append and disclosure on the thread is refused (ST_ERR, logged as audit.unconfirmed) and writes
 * nothing, so nothing is recorded in the name of a principal that may no longer hold. Thread-local;
 * on = 0 releases. yj_audit_held is what the writers ask: 1, with the refusal logged, while held. */
void yj_audit_hold(int on);
int yj_audit_held(void);

/* Deferred appends, for a bulk publication: between yj_audit_defer_begin(c) and
 * yj_audit_defer_flush(c), yj_audit_append on c keeps each leaf in memory (its state hashed at
 * once; *index_out is -1) instead of taking the head row. The flush, still inside the same write
 * transaction, takes the head once and writes every kept leaf in order, in multi-row inserts (128
 * or more on PostgreSQL: one COPY) (the signer signs them afterwards, like any leaf); so the head
 * row, which every audited write of every process
 * waits for, is held only for that last step rather than for the whole publication. Returns ST_OK
 * or a store failure; the kept leaves are gone either way. yj_audit_defer_discard drops them (a
 * rolled-back publication). One deferral per thread (connections are per thread). */
void yj_audit_defer_begin(store_conn *c);
int yj_audit_defer_flush(store_conn *c);
void yj_audit_defer_discard(store_conn *c);
/* For a commit group (store_tx_group): the number of leaves kept so far, and dropping those kept
 * after a mark (a member rolled back to its savepoint). Both do nothing when c is not deferring. */
size_t yj_audit_defer_mark(store_conn *c);
void yj_audit_defer_undo(store_conn *c, size_t mark);

/* ---- signing tree heads: off the writers' path, within a bounded merge delay ---- */

/* The default bound between a leaf's commit and a signed head covering it (Certificate
 * Transparency's maximum merge delay), for `serve --audit-merge-delay`. */
#define YJ_AUDIT_MERGE_DELAY_MS 1000

/* Signs the committed tree when it has leaves no stored head covers: one head, at the current
 * size, in a transaction of its own (not inside another transaction on this thread's
 * connection). Cheap when all is signed (one read). Processes racing on one database store one
 * head per size. *size_out (may be NULL) receives the largest signed size afterwards (0: none).
 * Returns ST_OK, or a store failure, or ST_ERR without a loaded key. */
int yj_audit_sign_pending(store *s, int64_t *size_out);

/* The per-process signer: a thread that signs pending leaves at start and every bound_ms / 2, so
 * a leaf is covered by a signed head within bound_ms of its commit while the process runs (as
 * long as one signing takes less than half the bound: milliseconds). Several processes on one
 * database each run one; see yj_audit_sign_pending. NULL with *err (caller frees) on failure. */
typedef struct yj_audit_signer yj_audit_signer;
yj_audit_signer *yj_audit_signer_start(store *s, int64_t bound_ms, char **err);
/* Signs what is pending one last time, stops the thread and frees. NULL is ignored. */
void yj_audit_signer_stop(yj_audit_signer *g);

/* ---- Merkle tree primitives (merkle.c); hashes are 32 raw bytes ---- */
void yj_merkle_leaf_hash(const void *data, size_t len, unsigned char out[YJ_HASH_LEN]);
void yj_merkle_node_hash(const unsigned char l[YJ_HASH_LEN], const unsigned char r[YJ_HASH_LEN],
			 unsigned char out[YJ_HASH_LEN]);
/* MTH over n leaf hashes (RFC 6962 §2.1); n = 0 gives SHA-256 of the empty string. */
void yj_merkle_root(const unsigned char (*leaves)[YJ_HASH_LEN], size_t n, unsigned char out[YJ_HASH_LEN]);
/* Audit path for leaf m in a tree of n leaves (§2.1.1). *path is allocated (caller frees), *len hashes. */
int yj_merkle_inclusion(const unsigned char (*leaves)[YJ_HASH_LEN], size_t n, size_t m, unsigned char (**path)[YJ_HASH_LEN],
			size_t *len);
/* Consistency proof between sizes m and n (§2.1.2). Same ownership as above. */
int yj_merkle_consistency(const unsigned char (*leaves)[YJ_HASH_LEN], size_t n, size_t m,
			  unsigned char (**proof)[YJ_HASH_LEN], size_t *len);
/* Verifiers (RFC 9162 §2.1.3.2 and §2.1.4.2 algorithms); return 1 when the proof holds. */
int yj_merkle_verify_inclusion(const unsigned char leaf[YJ_HASH_LEN], size_t m, size_t n,
			       const unsigned char (*path)[YJ_HASH_LEN], size_t len, const unsigned char root[YJ_HASH_LEN]);
int yj_merkle_verify_consistency(size_t m, size_t n, const unsigned char old_root[YJ_HASH_LEN],
				 const unsigned char new_root[YJ_HASH_LEN], const unsigned char (*proof)[YJ_HASH_LEN],
				 size_t len);

/* Verifies a database's log against a signed tree head file (as served by GET /api/v1/audit/sth).
 * Returns 0 when everything matches; otherwise 1 and *report names the first bad leaf and why
 * (caller frees); -1 when the check could not run (*report says why). */
int yj_audit_verify(store *s, const char *sth_path, const char *pubkey_hex, char **report);

/* ---- records against the log (yijian audit verify --records) ----
 * Each leaf holds the hash of its object's new state, so the current rows can be checked against
 * the last leaf of each object. platform/audit reads no capability's table: a capability registers,
 * per object type, a hook giving the current state of every object of that type. */

/* Called by a hook for each current object: its id and its state (borrowed for the call) in the
 * form the capability hashed into its leaves. Return 0 to go on. */
typedef int (*yj_audit_visit_fn)(void *arg, const char *object_id, const json_t *state);

typedef struct yj_audit_records {
	const char *object_type;     /* as in the leaves, e.g. "institution" */
	const char *const *actions;  /* NULL-terminated: the actions whose leaves carry the whole new state */
	/* Visits every current object of the type (any order), on c inside the verifier's read
	 * transaction. Returns ST_OK, the first non-zero return of visit, or a store failure. */
	int (*each)(store_conn *c, const void *ctx, yj_audit_visit_fn visit, void *arg);
	const void *ctx; /* passed to each */
} yj_audit_records;

/* Registers a hook (r must outlive its use; up to 64). Call at start, before any verification. */
void yj_audit_records_register(const yj_audit_records *r);

/* For every registered type, compares each current object's state hash with the state_hash of the
 * last leaf of one of its actions, and lists the objects that differ, that have no such leaf, and
 * leaves whose object no longer exists. Returns 0 when all match (*report a summary), 1 when some
 * do not (*report names each, one a line), -1 when the check could not run. *report: caller frees. */
int yj_audit_verify_records(store *s, char **report);

#endif
