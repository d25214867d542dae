/* audit.c — the writer and the checker of the audit log: the ed25519 key files, the leaf data
 * format, appends (leaf, frontier and signed tree head inside the caller's transaction) and the
 * verification of a database against a published tree head. Formats are in docs/audit.md.
 * Over 800 lines on purpose: the writer and the checker share the leaf format, the frontier and the
 * key, and must agree byte for byte; kept in one file so a change to one side is seen beside the other.
 */
#define _POSIX_C_SOURCE 200809L
#include "audit_int.h"
#include "../../base/base.h"
#include "../../base/jsonw.h"
#include "../../base/log.h"
#include "../../base/signkey.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIG_LEN crypto_sign_BYTES
#define PK_LEN crypto_sign_PUBLICKEYBYTES
/* version (1) ‖ signature_type (1) ‖ timestamp (8) ‖ tree_size (8) ‖ root (32) */
#define HEAD_MSG_LEN (1 + 1 + 8 + 8 + YJ_HASH_LEN)
#define VERIFY_BATCH 1000

/* ---- keys ---- */

/* Loaded once at start, before request threads run; read-only afterwards. */
static yj_signkey key;
/* Keys the hashes of states that hold personal data (yj_audit_append_keyed): derived from the audit
 * seed, so it needs no file of its own and cannot sign. */
static struct {
	int ok;
	unsigned char k[crypto_auth_hmacsha256_KEYBYTES];
} state_key;
#define STATE_KEY_LABEL "yijian audit state hash v1"

const char *yj_audit_public_key_hex(void)
{
	return key.loaded ? key.pk_hex : NULL;
}

static const store_group_hooks group_hooks;

/* DIR/audit.key and DIR/audit.pub, and the state key derived from the seed. */
int yj_audit_keys_load(const char *dir, char **err)
{
	int rc = yj_signkey_load(&key, dir, "audit", err);
	if (rc == YJ_OK) {
		store_group_hooks_set(&group_hooks); /* a process that appends leaves loads the key first */
		yj_signkey_derive(&key, STATE_KEY_LABEL, state_key.k);
		state_key.ok = 1;
	}
	return rc;
}

int yj_audit_state_key_load(const char *dir, char **err)
{
	*err = NULL;
	if (state_key.ok)
		return 1;
	yj_signkey k; /* only the derived state key is wanted: nothing here can sign */
	int rc = yj_signkey_read(&k, dir, "audit", err);
	if (rc == 1) {
		yj_signkey_derive(&k, STATE_KEY_LABEL, state_key.k);
		state_key.ok = 1;
	}
	sodium_memzero(&k, sizeof k);
	return rc < 0 ? YJ_ERR : rc;
}

int yj_audit_state_key_ready(void)
{
	return state_key.ok;
}

/* ---- tree heads ---- */

static void put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xFF);
}

/* The signed bytes, after RFC 6962 §3.5 TreeHeadSignature: version v1 (0), signature_type
 * tree_hash (1), timestamp and tree_size as big-endian uint64, then the 32-byte root. */
static void head_message(int64_t ts, int64_t size, const unsigned char root[YJ_HASH_LEN], unsigned char m[HEAD_MSG_LEN])
{
	m[0] = 0;
	m[1] = 1;
	put_be64(m + 2, (uint64_t)ts);
	put_be64(m + 10, (uint64_t)size);
	memcpy(m + 18, root, YJ_HASH_LEN);
}

int yj_audit_sign_head(int64_t ts, int64_t size, const unsigned char root[YJ_HASH_LEN], char sig_hex[2 * SIG_LEN + 1])
{
	if (!key.loaded)
		return YJ_ERR;
	unsigned char m[HEAD_MSG_LEN], sig[SIG_LEN];
	head_message(ts, size, root, m);
	crypto_sign_detached(sig, NULL, m, sizeof m, key.sk);
	yj_hex_encode(sig, SIG_LEN, sig_hex);
	return YJ_OK;
}

static int head_signature_ok(const unsigned char pk[PK_LEN], int64_t ts, int64_t size,
			     const unsigned char root[YJ_HASH_LEN], const char *sig_hex)
{
	unsigned char m[HEAD_MSG_LEN], sig[SIG_LEN];
	if (strlen(sig_hex) != 2 * SIG_LEN || yj_hex_decode(sig_hex, sig, SIG_LEN) != SIG_LEN)
		return 0;
	head_message(ts, size, root, m);
	return crypto_sign_verify_detached(sig, m, sizeof m, pk) == 0;
}

json_t *yj_audit_sth_json(int64_t size, int64_t ts, const char *root_hex, const char *sig_hex)
{
	const char *pk = yj_audit_public_key_hex();
	return json_pack("{s:I, s:I, s:s, s:s, s:s}", "tree_size", (json_int_t)size, "timestamp", (json_int_t)ts,
			 "root_hash", root_hex, "signature", sig_hex, "public_key", pk ? pk : "");
}

/* ---- leaves ---- */

typedef struct leaf_fields {
	int64_t idx, at;
	const char *actor, *action, *type, *id, *region, *state;
} leaf_fields;

/* The leaf hash of one row: SHA-256(0x00 ‖ canonical JSON of the fields), where canonical means
 * jansson's JSON_COMPACT | JSON_SORT_KEYS (docs/audit.md spells out the bytes). idx is inside, so
 * a row moved to another position no longer matches. YJ_ERR when a field is not valid UTF-8. */
static int leaf_hash(const leaf_fields *f, unsigned char out[YJ_HASH_LEN])
{
	json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "idx", (json_int_t)f->idx, "at",
			      (json_int_t)f->at, "actor", f->actor, "action", f->action, "type", f->type, "id", f->id,
			      "region", f->region, "state", f->state);
	char *data = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (!data)
		return YJ_ERR;
	yj_merkle_leaf_hash(data, strlen(data), out);
	free(data);
	return YJ_OK;
}

/* Appends s as jansson's dump writes a string without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH:
 * quoted, with \\ \" \b \f \n \r \t and \u00XX (upper-case hex) for the other control
 * characters, every other byte as it is. 0 when it does not fit in cap or is not valid UTF-8 (which
 * jansson refuses). */
static int put_json_string(char *buf, size_t cap, size_t *n, const char *s)
{
	size_t len = strlen(s);
	if (!yj_utf8_valid(s, len))
		return 0;
	size_t at = *n;
	if (at + 1 >= cap)
		return 0;
	buf[at++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (at + 7 >= cap)
			return 0;
		unsigned char c = *p;
		if (c >= 0x20 && c != '"' && c != '\\') {
			buf[at++] = (char)c;
			continue;
		}
		buf[at++] = '\\';
		switch (c) {
		case '"': buf[at++] = '"'; break;
		case '\\': buf[at++] = '\\'; break;
		case '\b': buf[at++] = 'b'; break;
		case '\f': buf[at++] = 'f'; break;
		case '\n': buf[at++] = 'n'; break;
		case '\r': buf[at++] = 'r'; break;
		case '\t': buf[at++] = 't'; break;
		default:
			at += (size_t)snprintf(buf + at, cap - at, "u%04X", (unsigned)c);
		}
	}
	if (at + 1 >= cap)
		return 0;
	buf[at++] = '"';
	*n = at;
	return 1;
}

/* The writer's leaf hash: the same bytes as leaf_hash, written directly instead of through a jansson
 * object and its sorted dump (which were three quarters of an import's audit flush). The keys in
 * their sorted order: action, actor, at, id, idx, region, state, type. The checker keeps leaf_hash,
 * so a difference between the two shows as a failed verification (test_audit compares them on
 * texts with every kind of escape). Anything that does not fit, or fails, goes through leaf_hash. */
static int leaf_hash_fast(const leaf_fields *f, unsigned char out[YJ_HASH_LEN])
{
	char buf[1024];
	size_t n = 0;
	buf[n++] = 0x00; /* the leaf prefix (yj_merkle_leaf_hash) */
#define PUT_KEY(k) (n + sizeof k < sizeof buf ? (memcpy(buf + n, k, sizeof k - 1), n += sizeof k - 1, 1) : 0)
#define PUT_INT(v) (n + 24 < sizeof buf ? (n += (size_t)snprintf(buf + n, sizeof buf - n, "%lld", (long long)(v)), 1) : 0)
	int ok = PUT_KEY("{\"action\":") && put_json_string(buf, sizeof buf, &n, f->action) && PUT_KEY(",\"actor\":") &&
		 put_json_string(buf, sizeof buf, &n, f->actor) && PUT_KEY(",\"at\":") && PUT_INT(f->at) &&
		 PUT_KEY(",\"id\":") && put_json_string(buf, sizeof buf, &n, f->id) && PUT_KEY(",\"idx\":") &&
		 PUT_INT(f->idx) && PUT_KEY(",\"region\":") && put_json_string(buf, sizeof buf, &n, f->region) &&
		 PUT_KEY(",\"state\":") && put_json_string(buf, sizeof buf, &n, f->state) && PUT_KEY(",\"type\":") &&
		 put_json_string(buf, sizeof buf, &n, f->type) && PUT_KEY("}");
#undef PUT_KEY
#undef PUT_INT
	if (!ok)
		return leaf_hash(f, out);
	SHA256((const unsigned char *)buf, n, out);
	return YJ_OK;
}

/* Hex SHA-256 of the canonical JSON of the new state (absent state hashes as "null"); keyed:
 * "hmac:" and the hex HMAC-SHA-256 under the state key instead. out holds 2 * YJ_HASH_LEN + 1 bytes
 * (plain) or YJ_STATE_HASH_MAX (keyed). */
char *yj_audit_state_text(const json_t *state)
{
	/* json_dumps(state, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)'s bytes, written by hand: jansson's
	 * dump was a seventh of an import's client time (docs/benchmarks.md, "Issue 15: binding on PostgreSQL"). */
	yj_buf b = YJ_BUF_INIT;
	yj_jw_canonical(&b, state, 0);
	return yj_buf_detach(&b);
}

/* As state_hash, of the text yj_audit_state_text made. */
static int state_text_hash(const char *s, int keyed, char *out)
{
	if (keyed && !state_key.ok)
		return YJ_ERR;
	unsigned char h[YJ_HASH_LEN];
	if (keyed) {
		crypto_auth_hmacsha256(h, (const unsigned char *)s, strlen(s), state_key.k);
		strcpy(out, YJ_STATE_KEYED_PREFIX);
		yj_hex_encode(h, YJ_HASH_LEN, out + strlen(YJ_STATE_KEYED_PREFIX));
	} else {
		SHA256((const unsigned char *)s, strlen(s), h);
		yj_hex_encode(h, YJ_HASH_LEN, out);
	}
	return YJ_OK;
}

static int state_hash(const json_t *state, int keyed, char *out)
{
	if (keyed && !state_key.ok)
		return YJ_ERR;
	char *s = yj_audit_state_text(state);
	if (!s)
		return YJ_ERR;
	int rc = state_text_hash(s, keyed, out);
	free(s);
	return rc;
}

int yj_audit_state_hash(const json_t *state, char hex[2 * YJ_HASH_LEN + 1])
{
	return state_hash(state, 0, hex);
}

int yj_audit_state_hash_as(const json_t *state, const char *recorded, char out[YJ_STATE_HASH_MAX])
{
	return state_hash(state, !strncmp(recorded, YJ_STATE_KEYED_PREFIX, strlen(YJ_STATE_KEYED_PREFIX)), out);
}

/* ---- the frontier: roots of the perfect subtrees of the tree, largest first ---- */

typedef struct frontier {
	int64_t size;
	size_t n;
	unsigned char h[64][YJ_HASH_LEN];
} frontier;

static size_t popcount(uint64_t v)
{
	size_t n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

/* Parses audit_head.frontier for a tree of size leaves: one root per set bit of size. */
static int frontier_parse(const char *text, int64_t size, frontier *f)
{
	memset(f, 0, sizeof *f);
	f->size = size;
	for (const char *p = text ? text : ""; *p;) {
		size_t len = strcspn(p, ",");
		char hx[2 * YJ_HASH_LEN + 1];
		if (f->n == 64 || len != 2 * YJ_HASH_LEN)
			return YJ_ERR;
		memcpy(hx, p, len);
		hx[len] = '\0';
		if (yj_hex_decode(hx, f->h[f->n++], YJ_HASH_LEN) != YJ_HASH_LEN)
			return YJ_ERR;
		p += len;
		if (*p == ',' && !*++p)
			return YJ_ERR;
	}
	return size >= 0 && f->n == popcount((uint64_t)size) ? YJ_OK : YJ_ERR;
}

/* A new string the caller frees. */
static char *frontier_text(const frontier *f)
{
	yj_buf b = YJ_BUF_INIT;
	char hx[2 * YJ_HASH_LEN + 1];
	for (size_t i = 0; i < f->n; i++) {
		yj_hex_encode(f->h[i], YJ_HASH_LEN, hx);
		if (i)
			yj_buf_puts(&b, ",");
		yj_buf_puts(&b, hx);
	}
	return b.data ? yj_buf_detach(&b) : yj_strdup("");
}

/* Adding leaf number size merges one subtree per trailing one bit of size, like a binary carry:
 * O(log n) hashes, and the stored frontier never needs the older leaves. */
static void frontier_push(frontier *f, const unsigned char leaf[YJ_HASH_LEN])
{
	unsigned char cur[YJ_HASH_LEN];
	memcpy(cur, leaf, YJ_HASH_LEN);
	for (uint64_t s = (uint64_t)f->size; s & 1; s >>= 1)
		yj_merkle_node_hash(f->h[--f->n], cur, cur);
	memcpy(f->h[f->n++], cur, YJ_HASH_LEN);
	f->size++;
}

/* MTH of the whole tree: the subtrees joined right to left, as RFC 6962's split at the largest
 * power of two does. */
static void frontier_root(const frontier *f, unsigned char out[YJ_HASH_LEN])
{
	if (f->n == 0) {
		yj_merkle_root(NULL, 0, out);
		return;
	}
	memcpy(out, f->h[f->n - 1], YJ_HASH_LEN);
	for (size_t i = f->n - 1; i-- > 0;)
		yj_merkle_node_hash(f->h[i], out, out);
}

/* ---- append ---- */

/* Steps a statement that returns no rows and finalizes it. */
static int run(store_stmt *st)
{
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc < 0 ? rc : ST_ERR;
}

/* Steps st, a statement answering the head row (tree_size, frontier), and parses into f the
 * frontier of the tree as it was n leaves before that size. Finalises st (NULL: a failed prepare). */
static int head_take(store_stmt *st, int64_t n, frontier *f)
{
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		int64_t size = store_col_int64(st, 0);
		rc = ST_OK;
		if (size < n || frontier_parse(store_col_text(st, 1), size - n, f) < 0) {
			yj_log(YJ_LOG_ERROR, "audit.head_corrupt", "\"tree_size\":%lld", (long long)size);
			rc = ST_ERR;
		}
	} else if (rc == ST_DONE) {
		yj_log(YJ_LOG_ERROR, "audit.head_missing", NULL);
		rc = ST_ERR;
	}
	store_finalize(st);
	return rc;
}

/* Takes the next index: the UPDATE locks the head row until commit, so concurrent appenders (other
 * processes on PostgreSQL) queue here and each sees the frontier its predecessor wrote. */
static int head_bump(store_conn *c, frontier *f)
{
	return head_take(store_prepare(c, "UPDATE audit_head SET tree_size = tree_size + 1 WHERE id = 1"
					 " RETURNING tree_size, frontier"),
			 1, f);
}

/* On PostgreSQL the leaves' INSERT and the head's new frontier are one statement (an INSERT in a WITH
 * before the head's UPDATE): the head row is locked from its bump to the commit, so every round trip
 * in between is one that the next appender (a commit group's checks, another process) waits for —
 * bump, leaves with frontier, COMMIT instead of bump, leaves, frontier, COMMIT. SQLite has no INSERT
 * in a WITH, and no round trips to save. */
static int head_in_insert(store_conn *c)
{
	return !strcmp(store_conn_engine(c), "postgresql");
}
#define HEAD_IN_INSERT_PREFIX "WITH leaves AS ("
#define HEAD_IN_INSERT_SUFFIX ") UPDATE audit_head SET frontier = ? WHERE id = 1"

/* Binds the frontier to the last parameter (n) of a head_in_insert statement. */
static void bind_frontier(store_stmt *st, int n, const frontier *f)
{
	char *text = frontier_text(f);
	store_bind_text(st, n, text, -1);
	free(text);
}

/* The leaf at idx; with f (and head_in_insert) its hash folded into f and f written to the head in
 * the same statement (*head_written set), else only the leaf. */
static int leaf_insert(store_conn *c, const yj_audit_event *ev, int keyed, const char *state_text, int64_t idx,
		       int64_t at, unsigned char leaf[YJ_HASH_LEN], frontier *f, int *head_written)
{
	char state[YJ_STATE_HASH_MAX], lh[2 * YJ_HASH_LEN + 1];
	leaf_fields lf = {idx, at, ev->actor, ev->action, ev->object_type, ev->object_id,
			  ev->region_code ? ev->region_code : "", state};
	if (!ev->actor || !ev->action || !ev->object_type || !ev->object_id ||
	    (state_text ? state_text_hash(state_text, keyed, state) : state_hash(ev->state, keyed, state)) < 0 ||
	    leaf_hash_fast(&lf, leaf) < 0) {
		yj_log(YJ_LOG_ERROR, "audit.bad_event", "\"action\":\"%s\"", ev->action ? ev->action : "-");
		return ST_ERR;
	}
	yj_hex_encode(leaf, YJ_HASH_LEN, lh);
#define LEAF_INSERT "INSERT INTO audit_leaves (idx, at, actor, action, object_type, object_id," \
		    " state_hash, region_code, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	int with_head = f && head_in_insert(c);
	store_stmt *st = store_prepare(c, with_head ? HEAD_IN_INSERT_PREFIX LEAF_INSERT HEAD_IN_INSERT_SUFFIX : LEAF_INSERT);
#undef LEAF_INSERT
	if (!st)
		return ST_ERR;
	if (with_head) {
		frontier_push(f, leaf);
		bind_frontier(st, 10, f);
		*head_written = 1;
	}
	store_bind_int64(st, 1, idx);
	store_bind_int64(st, 2, at);
	store_bind_text(st, 3, lf.actor, -1);
	store_bind_text(st, 4, lf.action, -1);
	store_bind_text(st, 5, lf.type, -1);
	store_bind_text(st, 6, lf.id, -1);
	store_bind_text(st, 7, state, -1);
	store_bind_text(st, 8, lf.region, -1);
	store_bind_text(st, 9, lh, -1);
	return run(st);
}

/* ---- signing (the merge delay: docs/audit.md, "When a leaf is signed") ---- */

/* The committed head row and the largest signed size. Reads only: a writer holding the head row
 * is not waited for (PostgreSQL reads the last committed version), so signing never queues
 * behind appends. *frontier_text is a copy the caller frees. */
static int head_and_signed(store_conn *c, int64_t *size, char **frontier_text, int64_t *signed_size)
{
	store_stmt *st = store_prepare(c, "SELECT tree_size, frontier, (SELECT MAX(tree_size) FROM audit_sth)"
					  " FROM audit_head WHERE id = 1");
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*size = store_col_int64(st, 0);
		*frontier_text = yj_strdup(store_col_text(st, 1) ? store_col_text(st, 1) : "");
		*signed_size = store_col_is_null(st, 2) ? 0 : store_col_int64(st, 2);
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		yj_log(YJ_LOG_ERROR, "audit.head_missing", NULL);
		rc = ST_ERR;
	}
	store_finalize(st);
	return rc;
}

typedef struct sign_out {
	int64_t size; /* the largest signed size afterwards */
	int signed_now;
} sign_out;

/* Signs the committed head when it is larger than every signed one. Two processes may sign the
 * same size at once: the first row stands (ON CONFLICT DO NOTHING), and both name the same root,
 * since the leaves up to a size never change once committed. */
static int sign_tx(store_conn *c, void *arg)
{
	sign_out *o = arg;
	int64_t size = 0, done = 0;
	char *text = NULL;
	int rc = head_and_signed(c, &size, &text, &done);
	if (rc < 0)
		return rc;
	o->size = done;
	frontier f;
	if (size <= done)
		goto out;
	if (frontier_parse(text, size, &f) < 0) {
		yj_log(YJ_LOG_ERROR, "audit.head_corrupt", "\"tree_size\":%lld", (long long)size);
		rc = ST_ERR;
		goto out;
	}
	unsigned char root[YJ_HASH_LEN];
	char rh[2 * YJ_HASH_LEN + 1], sig[2 * SIG_LEN + 1];
	int64_t at = yj_now_ms();
	frontier_root(&f, root);
	if (yj_audit_sign_head(at, size, root, sig) < 0) {
		rc = ST_ERR;
		goto out;
	}
	yj_hex_encode(root, YJ_HASH_LEN, rh);
	store_stmt *st = store_prepare(c, "INSERT INTO audit_sth (tree_size, at, root_hash, signature) VALUES (?, ?, ?, ?)"
					  " ON CONFLICT (tree_size) DO NOTHING");
	if (!st) {
		rc = ST_ERR;
		goto out;
	}
	store_bind_int64(st, 1, size);
	store_bind_int64(st, 2, at);
	store_bind_text(st, 3, rh, -1);
	store_bind_text(st, 4, sig, -1);
	if ((rc = run(st)) == ST_OK) {
		o->size = size;
		o->signed_now = 1;
	}
out:
	free(text);
	return rc;
}

int yj_audit_sign_pending(store *s, int64_t *size_out)
{
	if (!key.loaded)
		return ST_ERR;
	/* Look first without a write transaction: on SQLite that would take the one writer's lock
	 * even when every leaf is signed already, which is the common case of a proof request. */
	store_conn *c = store_conn_get(s);
	int64_t size = 0, done = 0;
	char *text = NULL;
	int rc = head_and_signed(c, &size, &text, &done);
	free(text);
	sign_out o = {done, 0};
	if (rc == ST_OK && size > done)
		rc = store_tx(s, sign_tx, &o);
	if (rc < 0)
		return rc;
	if (size_out)
		*size_out = o.size;
	if (o.signed_now)
		yj_log(YJ_LOG_DEBUG, "audit.signed", "\"tree_size\":%lld", (long long)o.size);
	return ST_OK;
}

static int head_write(store_conn *c, const frontier *f)
{
	store_stmt *st = store_prepare(c, "UPDATE audit_head SET frontier = ? WHERE id = 1");
	if (!st)
		return ST_ERR;
	bind_frontier(st, 1, f);
	return run(st);
}

/* ---- deferred appends (a bulk publication) ---- */

#define LEAVES_PER_INSERT 500 /* 9 parameters each: well under SQLite's 32,766 */

/* One leaf waiting for its index: its fields, copied, and the state already hashed. Its time is
 * the flush's, when it enters the log, so leaf times never go backwards along the indexes. */
typedef struct pending_leaf {
	char *text[5]; /* actor, action, object_type, object_id, region_code (in the deferral's pool) */
	char state[YJ_STATE_HASH_MAX]; /* plain or keyed, as the append asked */
} pending_leaf;

/* Connections are per thread (store.h), so the thread's deferral is its connection's. */
static _Thread_local struct {
	store_conn *c; /* deferring on this connection; NULL when not */
	pending_leaf *v;
	size_t n, cap;
	yj_strpool texts; /* the leaves' texts, freed at once (an import holds 500,000) */
} deferred;

static void deferred_clear(void)
{
	yj_strpool_free(&deferred.texts);
	free(deferred.v);
	memset(&deferred, 0, sizeof deferred);
}

void yj_audit_defer_begin(store_conn *c)
{
	deferred_clear();
	deferred.c = c;
}

void yj_audit_defer_discard(store_conn *c)
{
	if (deferred.c == c)
		deferred_clear();
}

size_t yj_audit_defer_mark(store_conn *c)
{
	return deferred.c == c ? deferred.n : 0;
}

void yj_audit_defer_undo(store_conn *c, size_t mark)
{
	if (deferred.c != c)
		return;
	if (deferred.n > mark)
		deferred.n = mark; /* their texts stay in the pool until the deferral ends */
}

static int defer_leaf(const yj_audit_event *ev, int keyed, const char *state_text)
{
	pending_leaf p = {0};
	if (!ev->actor || !ev->action || !ev->object_type || !ev->object_id ||
	    (state_text ? state_text_hash(state_text, keyed, p.state) : state_hash(ev->state, keyed, p.state)) < 0) {
		yj_log(YJ_LOG_ERROR, "audit.bad_event", "\"action\":\"%s\"", ev->action ? ev->action : "-");
		return ST_ERR;
	}
	const char *t[5] = {ev->actor, ev->action, ev->object_type, ev->object_id, ev->region_code ? ev->region_code : ""};
	const pending_leaf *prev = deferred.n ? &deferred.v[deferred.n - 1] : NULL;
	for (int k = 0; k < 5; k++) /* a text the leaf before has too (actor, action, type) is shared */
		p.text[k] = prev && !strcmp(prev->text[k], t[k]) ? prev->text[k] : yj_strpool_dup(&deferred.texts, t[k]);
	if (deferred.n == deferred.cap) {
		deferred.cap = deferred.cap ? 2 * deferred.cap : 1024;
		deferred.v = yj_realloc(deferred.v, deferred.cap * sizeof *deferred.v);
	}
	deferred.v[deferred.n++] = p;
	return ST_OK;
}

/* Binds leaves [from, from + n) of the deferral, numbered from first, to parameters base + 1 … of st
 * (nine each, in leaves_insert's column order) and folds their hashes into f. The texts are bound,
 * not copied: the deferral's, and the leaf hashes' hex in lh (n of them), outlive the statement. */
static int bind_leaves(store_stmt *st, int base, size_t from, size_t n, int64_t first, int64_t at, frontier *f,
		       char (*lh)[2 * YJ_HASH_LEN + 1])
{
	for (size_t i = 0; i < n; i++) {
		pending_leaf *p = &deferred.v[from + i];
		int64_t idx = first + (int64_t)i;
		leaf_fields lf = {idx, at, p->text[0], p->text[1], p->text[2], p->text[3], p->text[4], p->state};
		unsigned char leaf[YJ_HASH_LEN];
		if (leaf_hash_fast(&lf, leaf) < 0) {
			yj_log(YJ_LOG_ERROR, "audit.bad_event", "\"action\":\"%s\"", p->text[1]);
			return ST_ERR;
		}
		yj_hex_encode(leaf, YJ_HASH_LEN, lh[i]);
		int b = base + (int)i * 9;
		store_bind_int64(st, b + 1, idx);
		store_bind_int64(st, b + 2, at);
		for (int k = 0; k < 4; k++)
			store_bind_text_static(st, b + 3 + k, p->text[k], -1);
		store_bind_text_static(st, b + 7, p->state, -1);
		store_bind_text_static(st, b + 8, p->text[4], -1);
		store_bind_text_static(st, b + 9, lh[i], -1);
		frontier_push(f, leaf);
	}
	return ST_OK;
}

/* Inserts leaves [from, from + n) of the deferral, numbered from first, in one statement, and folds
 * their hashes into f; with with_head also writes f to the head in it (head_in_insert). No head is
 * signed here: the signer covers them within the merge delay. */
static int leaves_insert(store_conn *c, size_t from, size_t n, int64_t first, int64_t at, frontier *f, int with_head)
{
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, with_head ? HEAD_IN_INSERT_PREFIX : "");
	yj_buf_puts(&sql, "INSERT INTO audit_leaves (idx, at, actor, action, object_type, object_id, state_hash,"
			  " region_code, leaf_hash) VALUES ");
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(&sql, i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?)");
	yj_buf_puts(&sql, with_head ? HEAD_IN_INSERT_SUFFIX : "");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	char(*lh)[2 * YJ_HASH_LEN + 1] = yj_malloc(n * sizeof *lh);
	if (bind_leaves(st, 0, from, n, first, at, f, lh) < 0) {
		store_finalize(st);
		free(lh);
		return ST_ERR;
	}
	if (with_head)
		bind_frontier(st, (int)n * 9 + 1, f);
	int rc = run(st);
	free(lh);
	return rc;
}

/* Leaves [0, n) of the deferral, numbered from first, in statements of LEAVES_PER_INSERT, their hashes
 * folded into f; then f to the head: in the last INSERT where the engine can (head_in_insert), else in
 * a statement of its own. */
static int leaves_insert_all(store_conn *c, size_t n, int64_t first, int64_t at, frontier *f)
{
	int with_head = head_in_insert(c), rc = ST_OK;
	for (size_t i = 0; i < n && rc >= 0; i += LEAVES_PER_INSERT) {
		size_t m = n - i < LEAVES_PER_INSERT ? n - i : LEAVES_PER_INSERT;
		rc = leaves_insert(c, i, m, first + (int64_t)i, at, f, with_head && i + m == n);
	}
	return rc >= 0 && !with_head ? head_write(c, f) : rc;
}

/* What leaves_copy's rows are bound from: the deferral's leaves, numbered from first, hashed into f. */
typedef struct leaf_rows {
	int64_t first, at;
	frontier *f;
	char lh[1][2 * YJ_HASH_LEN + 1]; /* one buffer serves every row: store_copy_row sends a row's
					  * values before the next row is bound */
} leaf_rows;

static int bind_leaf_row(store_stmt *st, int idx, size_t row, void *arg)
{
	leaf_rows *r = arg;
	return bind_leaves(st, idx - 1, row, 1, r->first + (int64_t)row, r->at, r->f, r->lh) < 0 ? ST_ERR : idx + 9;
}

/* PostgreSQL: leaves [0, n) of the deferral, numbered from first, in one COPY (store_copy_rows), their
 * hashes folded into f in order; ST_NOCOPY when the engine has none (SQLite), so the caller INSERTs.
 * The server parses and plans no 4,500-parameter statement per 500 leaves, and it inserts while the
 * client hashes the next ones (the rows go in ~64 KiB pieces, not a round trip each 500):
 * docs/benchmarks.md, "Issue 15: the import's audit flush and events on PostgreSQL". */
static int leaves_copy(store_conn *c, size_t n, int64_t first, int64_t at, frontier *f)
{
	leaf_rows r = {first, at, f, {{0}}};
	return store_copy_rows(c, "audit_leaves",
			       "idx, at, actor, action, object_type, object_id, state_hash, region_code, leaf_hash", 9, n,
			       bind_leaf_row, &r, 0);
}

/* Takes n indexes at once: the head row is locked from here to commit. */
static int head_bump_n(store_conn *c, int64_t n, frontier *f)
{
	store_stmt *st = store_prepare(c, "UPDATE audit_head SET tree_size = tree_size + ? WHERE id = 1"
					  " RETURNING tree_size, frontier");
	if (st)
		store_bind_int64(st, 1, n);
	return head_take(st, n, f);
}

static void guess_drop(void);

static int defer_flush(store_conn *c, int quiet)
{
	if (deferred.c != c)
		return ST_ERR;
	int rc = ST_OK;
	size_t n = deferred.n;
	if (!n)
		goto done;
	uint64_t t0 = yj_mono_ns(), cpu0 = yj_thread_cpu_ns();
	guess_drop();
	frontier f;
	if ((rc = head_bump_n(c, (int64_t)n, &f)) < 0)
		goto done;
	int64_t first = f.size, at = yj_now_ms();
	/* A bulk publication's many leaves by COPY, then the head in a statement of its own; a commit
	 * group's (quiet: at most GROUP_MAX members, store/group.c) by INSERT, the head in the last one
	 * (head_in_insert): COPY and the separate head cost two round trips more, each one the head
	 * stays locked longer while the group's waiters wait. */
	rc = !quiet && n >= STORE_COPY_FROM ? leaves_copy(c, n, first, at, &f) : ST_NOCOPY;
	if (rc == ST_NOCOPY)
		rc = leaves_insert_all(c, n, first, at, &f);
	else if (rc >= 0)
		rc = head_write(c, &f);
	/* From here to the commit the head row stays locked: how long other audited writes may wait.
	 * Logged for bulk publications; a commit group's few leaves are too frequent to log. */
	if (!quiet)
		yj_log(YJ_LOG_INFO, "audit.flush", "\"leaves\":%zu,\"rc\":%d,\"ms\":%.1f,\"cpu_ms\":%.1f", n, rc,
		       (double)(yj_mono_ns() - t0) / 1e6, (double)(yj_thread_cpu_ns() - cpu0) / 1e6);
done:
	deferred_clear();
	return rc;
}

int yj_audit_defer_flush(store_conn *c)
{
	return defer_flush(c, 0);
}

/* Commit groups (store_tx_group) defer their members' leaves: the head row is then taken once per
 * group, just before its commit, instead of by the first member's append until the commit. */
static void group_begin(store_conn *c)
{
	yj_audit_defer_begin(c);
}
static int group_flush(store_conn *c)
{
	return defer_flush(c, 1);
}

/* The head a disclosure group last committed in this process (flush_alone), the guess the next group
 * starts from instead of reading the head row: one round trip fewer per group (a check is a group of
 * one at low rates). A guess is only ever a guess — alone_once's statement writes nothing unless the
 * committed row still has exactly that size and frontier, so a stale or foreign guess (another
 * process wrote, another writer of this one, another database) costs one statement and a read, never
 * a wrong leaf. score keeps the guess off while it keeps missing (several processes writing): a miss
 * costs 4, a read earns 1 back, a hit 1 up to 8. Disclosure groups run one at a time in a process
 * (store/group.c), the mutex is for the other writers' invalidation. */
static pthread_mutex_t guess_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int valid, score;
	frontier f;
} guess;

/* Copies the guess into f when it is worth a try; 0 when the head must be read. */
static int guess_take(frontier *f)
{
	pthread_mutex_lock(&guess_mu);
	int ok = guess.valid && guess.score >= 0;
	if (ok)
		*f = guess.f;
	else if (guess.score < 0)
		guess.score++;
	pthread_mutex_unlock(&guess_mu);
	return ok;
}

/* hit: the group's statement committed with head f (a guess's or a read's); else the guess missed. */
static void guess_settle(int guessed, int hit, const frontier *f)
{
	pthread_mutex_lock(&guess_mu);
	guess.valid = hit;
	if (hit)
		guess.f = *f;
	if (guessed)
		guess.score = hit ? (guess.score < 8 ? guess.score + 1 : 8) : guess.score - 4;
	pthread_mutex_unlock(&guess_mu);
}

/* Another writer of this process moves the head: the guess is stale, drop it without a miss. */
static void guess_drop(void)
{
	pthread_mutex_lock(&guess_mu);
	guess.valid = 0;
	pthread_mutex_unlock(&guess_mu);
}

/* One try of flush_alone: the head guessed (guess set) or read, the leaves numbered and folded from
 * it, and one statement that bumps the head only if it is still at that size and frontier, writes the
 * new frontier and inserts the leaves. ST_OK once committed; HEAD_MOVED when the head was not the one
 * guessed or read (another writer moved it between the read and the statement; nothing written). */
#define HEAD_MOVED 1
static int alone_once(store_conn *c, size_t n, int guessed)
{
	frontier f;
	if (!guessed) {
		int rc = head_take(store_prepare(c, "SELECT tree_size, frontier FROM audit_head WHERE id = 1"), 0, &f);
		if (rc < 0)
			return rc;
	} else if (!guess_take(&f)) {
		return HEAD_MOVED;
	}
	int64_t first = f.size, at = yj_now_ms();
	yj_buf sql = YJ_BUF_INIT;
	yj_buf_puts(&sql, "WITH h AS (UPDATE audit_head SET tree_size = tree_size + ?, frontier = ? WHERE id = 1 AND tree_size = ?"
			  " AND frontier = ? RETURNING 1) INSERT INTO audit_leaves (idx, at, actor, action, object_type, object_id,"
			  " state_hash, region_code, leaf_hash) SELECT * FROM (VALUES ");
	for (size_t i = 0; i < n; i++)
		yj_buf_puts(&sql, i ? ", (?::bigint, ?::bigint, ?, ?, ?, ?, ?, ?, ?)" : "(?::bigint, ?::bigint, ?, ?, ?, ?, ?, ?, ?)");
	yj_buf_puts(&sql, ") AS v WHERE EXISTS (SELECT 1 FROM h) RETURNING idx");
	store_stmt *st = store_prepare(c, sql.data);
	yj_buf_free(&sql);
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, (int64_t)n);
	store_bind_int64(st, 3, first);
	bind_frontier(st, 4, &f);
	char(*lh)[2 * YJ_HASH_LEN + 1] = yj_malloc(n * sizeof *lh);
	if (bind_leaves(st, 4, 0, n, first, at, &f, lh) < 0) {
		store_finalize(st);
		free(lh);
		return ST_ERR;
	}
	bind_frontier(st, 2, &f);
	int rc = store_step(st);
	store_finalize(st);
	free(lh);
	rc = rc == ST_ROW ? ST_OK : rc == ST_DONE ? HEAD_MOVED : rc < 0 ? rc : ST_ERR;
	if (rc == ST_OK || rc == HEAD_MOVED)
		guess_settle(guessed, rc == ST_OK, &f);
	else
		guess_drop(); /* a failed statement: whether it committed is not known */
	return rc;
}

/* A group of disclosures alone (store_group_hooks.flush_alone; PostgreSQL, outside any transaction):
 * the deferred leaves written and committed by alone_once — one round trip from the guess, two with
 * the head read, the head row locked only while its one statement runs — instead of BEGIN, bump,
 * leaves, COMMIT with the row locked across three of them, which every disclosure arriving meanwhile
 * waits for. A missed guess is not a try; after three tries with the head read lost to other writers
 * it answers ST_RETRY: the members then append alone, the locked way. */
static int flush_alone(store_conn *c)
{
	if (deferred.c != c)
		return ST_ERR;
	int rc = deferred.n > LEAVES_PER_INSERT ? ST_RETRY : ST_OK;
	if (deferred.n && rc == ST_OK) {
		rc = alone_once(c, deferred.n, 1);
		for (int i = 0; rc == HEAD_MOVED && i < 3; i++)
			rc = alone_once(c, deferred.n, 0);
		if (rc == HEAD_MOVED)
			rc = ST_RETRY;
	}
	deferred_clear();
	return rc;
}

static const store_group_hooks group_hooks = {group_begin, yj_audit_defer_mark, yj_audit_defer_undo, group_flush,
					      yj_audit_defer_discard, flush_alone};

static int append(store_conn *c, const yj_audit_event *ev, int keyed, const char *state_text, int64_t *index_out,
		  int64_t *at_out);

int yj_audit_append(store_conn *c, const yj_audit_event *ev, int64_t *index_out)
{
	return append(c, ev, 0, NULL, index_out, NULL);
}

int yj_audit_append_keyed(store_conn *c, const yj_audit_event *ev, int64_t *index_out)
{
	return append(c, ev, 1, NULL, index_out, NULL);
}

int yj_audit_append_text(store_conn *c, const yj_audit_event *ev, int keyed, const char *state_text)
{
	return append(c, ev, keyed, state_text ? state_text : "null", NULL, NULL);
}

int yj_audit_append_at(store_conn *c, const yj_audit_event *ev, int64_t *index_out, int64_t *at_out)
{
	return append(c, ev, 0, NULL, index_out, at_out);
}

static int append(store_conn *c, const yj_audit_event *ev, int keyed, const char *state_text, int64_t *index_out,
		  int64_t *at_out)
{
	if (yj_audit_held())
		return ST_ERR;
	if (!key.loaded) {
		yj_log(YJ_LOG_ERROR, "audit.no_key", NULL);
		return ST_ERR;
	}
	if (deferred.c == c) {
		if (index_out)
			*index_out = -1;
		return defer_leaf(ev, keyed, state_text);
	}
	guess_drop();
	frontier f;
	int rc = head_bump(c, &f);
	if (rc < 0)
		return rc;
	int64_t idx = f.size, at = yj_now_ms();
	unsigned char leaf[YJ_HASH_LEN];
	int head_written = 0;
	rc = leaf_insert(c, ev, keyed, state_text, idx, at, leaf, &f, &head_written);
	if (rc < 0)
		return rc;
	/* No head is signed here: signing is off the writer's path (yj_audit_sign_pending, run by the
	 * signer within the merge delay and on demand), so the frontier is all an append keeps. */
	if (!head_written) {
		frontier_push(&f, leaf);
		rc = head_write(c, &f);
	}
	if (rc == ST_OK && index_out)
		*index_out = idx;
	if (rc == ST_OK && at_out)
		*at_out = at;
	return rc;
}

/* ---- verification ---- */

typedef struct leaf_row {
	int64_t idx, at;
	char *text[7]; /* actor, action, object_type, object_id, region_code, state_hash, leaf_hash */
} leaf_row;

typedef struct head_row {
	int64_t size, at;
	char root[2 * YJ_HASH_LEN + 1];
	char sig[2 * SIG_LEN + 1];
} head_row;

typedef struct verifier {
	store_conn *c;
	unsigned char pk[PK_LEN];
	char pk_hex[2 * PK_LEN + 1];
	int64_t file_size, file_ts; /* the published head */
	unsigned char file_root[YJ_HASH_LEN];
	int64_t head_size;	    /* audit_head as read first */
	char *head_frontier;
	int head_bad;		    /* its frontier disagrees with the leaves (reported after missing leaves) */
	frontier f;		    /* the tree rebuilt so far; f.size leaves have passed */
	int64_t heads;		    /* stored heads checked */
	int64_t signed_size;	    /* the size of the last stored head checked */
	int64_t tail_at;	    /* `at` of the first leaf after it (the oldest unsigned one) */
	char *report;
} verifier;

/* Records why the log fails (the first reason only) and returns 1. */
static int fail(verifier *v, const char *fmt, ...) YJ_PRINTF(2, 3);
static int fail(verifier *v, const char *fmt, ...)
{
	if (!v->report) {
		yj_buf b = YJ_BUF_INIT;
		va_list ap;
		va_start(ap, fmt);
		yj_buf_vprintf(&b, fmt, ap);
		va_end(ap);
		v->report = yj_buf_detach(&b);
	}
	return 1;
}

/* The check could not run: a database error. Returns -1. */
static int broken(verifier *v, const char *what)
{
	free(v->report);
	v->report = yj_asprintf("cannot verify: %s: %s", what, store_errmsg(v->c));
	return -1;
}

static int same(const unsigned char *a, const unsigned char *b)
{
	return memcmp(a, b, YJ_HASH_LEN) == 0;
}

static int hex32(const char *hex, unsigned char out[YJ_HASH_LEN])
{
	return hex && strlen(hex) == 2 * YJ_HASH_LEN && yj_hex_decode(hex, out, YJ_HASH_LEN) == YJ_HASH_LEN;
}

/* Reads the published head and checks its signature; -1 when the file is unusable. */
static int load_sth_file(verifier *v, const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j) {
		v->report = yj_asprintf("cannot verify: cannot read the tree head file %s: %s", path, je.text);
		return -1;
	}
	json_t *size = json_object_get(j, "tree_size"), *ts = json_object_get(j, "timestamp");
	const char *root = json_string_value(json_object_get(j, "root_hash"));
	const char *sig = json_string_value(json_object_get(j, "signature"));
	const char *pk = json_string_value(json_object_get(j, "public_key"));
	int rc = -1;
	if (!json_is_integer(size) || json_integer_value(size) < 0 || !json_is_integer(ts) || !hex32(root, v->file_root) ||
	    !sig) {
		v->report = yj_asprintf("cannot verify: %s is not a signed tree head "
					"(expected tree_size, timestamp, root_hash, signature)", path);
		goto done;
	}
	v->file_size = json_integer_value(size);
	v->file_ts = json_integer_value(ts);
	rc = 0;
	if (!head_signature_ok(v->pk, v->file_ts, v->file_size, v->file_root, sig))
		rc = fail(v, "tree head file: the signature does not verify with the given public key%s",
			  pk && strcasecmp(pk, v->pk_hex) != 0 ? " (the file names another key)" : " (forged or edited)");
done:
	json_decref(j);
	return rc;
}

static int read_head_row(verifier *v)
{
	store_stmt *st = store_prepare(v->c, "SELECT tree_size, frontier FROM audit_head WHERE id = 1");
	if (!st)
		return broken(v, "reading audit_head");
	int rc = store_step(st);
	if (rc == ST_ROW) {
		v->head_size = store_col_int64(st, 0);
		v->head_frontier = yj_strdup(store_col_text(st, 1) ? store_col_text(st, 1) : "");
	}
	store_finalize(st);
	if (rc < 0)
		return broken(v, "reading audit_head");
	if (rc == ST_DONE)
		return fail(v, "audit_head: the row is missing (deleted)");
	return 0;
}

static int fetch_leaves(verifier *v, int64_t after, leaf_row *rows, size_t *n)
{
	store_stmt *st = store_prepare(v->c, "SELECT idx, at, actor, action, object_type, object_id, region_code,"
					     " state_hash, leaf_hash FROM audit_leaves WHERE idx > ? ORDER BY idx LIMIT ?");
	if (!st)
		return broken(v, "reading audit_leaves");
	store_bind_int64(st, 1, after);
	store_bind_int64(st, 2, VERIFY_BATCH);
	int rc;
	*n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		leaf_row *r = &rows[(*n)++];
		r->idx = store_col_int64(st, 0);
		r->at = store_col_int64(st, 1);
		for (int i = 0; i < 7; i++)
			r->text[i] = yj_strdup(store_col_text(st, 2 + i) ? store_col_text(st, 2 + i) : "");
	}
	store_finalize(st);
	return rc < 0 ? broken(v, "reading audit_leaves") : 0;
}

static void free_leaves(leaf_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int j = 0; j < 7; j++)
			free(rows[i].text[j]);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* The stored heads for sizes lo+1 … hi (at most hi − lo rows, as tree_size is the key). */
static int fetch_heads(verifier *v, int64_t lo, int64_t hi, head_row *rows, size_t *n)
{
	store_stmt *st = store_prepare(v->c, "SELECT tree_size, at, root_hash, signature FROM audit_sth"
					     " WHERE tree_size > ? AND tree_size <= ? ORDER BY tree_size");
	if (!st)
		return broken(v, "reading audit_sth");
	store_bind_int64(st, 1, lo);
	store_bind_int64(st, 2, hi);
	int rc;
	*n = 0;
	while ((rc = store_step(st)) == ST_ROW && *n < VERIFY_BATCH) {
		head_row *h = &rows[(*n)++];
		h->size = store_col_int64(st, 0);
		h->at = store_col_int64(st, 1);
		copy_text(h->root, sizeof h->root, store_col_text(st, 2));
		copy_text(h->sig, sizeof h->sig, store_col_text(st, 3));
	}
	store_finalize(st);
	return rc < 0 ? broken(v, "reading audit_sth") : 0;
}

/* Position, then content against the row's own hash; folds the leaf into the tree. */
static int check_leaf(verifier *v, const leaf_row *r)
{
	long long want = (long long)v->f.size;
	if (r->idx > want)
		return fail(v, "leaf %lld: missing (deleted); the next row has idx %lld", want, (long long)r->idx);
	if (r->idx < want)
		return fail(v, "leaf %lld: preceded by a row with idx %lld, which is not part of the log (inserted)", want,
			    (long long)r->idx);
	leaf_fields lf = {r->idx, r->at, r->text[0], r->text[1], r->text[2], r->text[3], r->text[4], r->text[5]};
	unsigned char h[YJ_HASH_LEN], stored[YJ_HASH_LEN];
	if (leaf_hash(&lf, h) < 0 || !hex32(r->text[6], stored) || !same(h, stored))
		return fail(v, "leaf %lld: content does not match its hash (edited)", want);
	frontier_push(&v->f, h);
	return 0;
}

/* A stored head at the size just reached. Every earlier head matched, so the leaves before the
 * previous signed size are those that were signed: a mismatch here is the doing of one of the
 * leaves since then (one leaf when heads are a size apart, as after a quiet moment). */
static int check_stored_head(verifier *v, const head_row *h, const unsigned char root[YJ_HASH_LEN])
{
	long long size = (long long)v->f.size, from = (long long)v->signed_size, idx = size - 1;
	unsigned char stored[YJ_HASH_LEN];
	char who[64];
	if (from == idx)
		snprintf(who, sizeof who, "leaf %lld", idx);
	else
		snprintf(who, sizeof who, "leaves %lld…%lld", from, idx);
	if (!hex32(h->root, stored) || !head_signature_ok(v->pk, h->at, size, stored, h->sig))
		return fail(v, "%s: the tree head at size %lld has no valid signature (forged or edited)", who, size);
	if (!same(root, stored))
		return fail(v, "%s: the signed tree head at size %lld does not match (%s was edited together "
			       "with its hash, or rows were reordered)", who, size, from == idx ? who : "one of them");
	v->heads++;
	v->signed_size = v->f.size;
	return 0;
}

/* The published head and the head row, at the sizes they name. A bad head row is reported at
 * the end, since leaves cut off after it are the graver finding. */
static int check_marks(verifier *v, const unsigned char root[YJ_HASH_LEN])
{
	if (v->f.size == v->file_size && !same(root, v->file_root))
		return fail(v, "tree head file: the log's root at size %lld differs from the published one "
			       "(the log was rebuilt, or the file belongs to another log)", (long long)v->file_size);
	if (v->f.size == v->head_size) {
		char *t = frontier_text(&v->f);
		v->head_bad = strcmp(t, v->head_frontier) != 0;
		free(t);
	}
	return 0;
}

static int check_batch(verifier *v, const leaf_row *rows, size_t nr, const head_row *heads, size_t nh)
{
	size_t h = 0;
	for (size_t i = 0; i < nr; i++) {
		unsigned char root[YJ_HASH_LEN];
		int rc = check_leaf(v, &rows[i]);
		if (rc)
			return rc;
		frontier_root(&v->f, root);
		/* Heads are signed on an interval, so most sizes have none: a size without one is checked
		 * by the next head that covers it. */
		const head_row *hd = h < nh && heads[h].size == v->f.size ? &heads[h++] : NULL;
		if ((hd && (rc = check_stored_head(v, hd, root))) || (rc = check_marks(v, root)))
			return rc;
		if (rows[i].idx == v->signed_size)
			v->tail_at = rows[i].at;
	}
	return 0;
}

/* Streams the leaves in index order, VERIFY_BATCH at a time with the heads of the same sizes, so
 * memory stays bounded and only one statement is open at a time. */
static int check_leaves(verifier *v)
{
	leaf_row *rows = yj_calloc(VERIFY_BATCH, sizeof *rows);
	head_row *heads = yj_calloc(VERIFY_BATCH, sizeof *heads);
	int64_t after = INT64_MIN;
	int rc;
	for (;;) {
		size_t nr = 0, nh = 0;
		if ((rc = fetch_leaves(v, after, rows, &nr)) || nr == 0)
			break;
		rc = fetch_heads(v, v->f.size, v->f.size + (int64_t)nr, heads, &nh);
		if (!rc)
			rc = check_batch(v, rows, nr, heads, nh);
		after = rows[nr - 1].idx;
		free_leaves(rows, nr);
		if (rc)
			break;
	}
	free(rows);
	free(heads);
	return rc;
}

/* A signed head beyond the last leaf means leaves were cut off the end, unless an append committed
 * meanwhile (PostgreSQL reads at READ COMMITTED): then leaf n is there now. */
static int check_head_beyond(verifier *v, int64_t n)
{
	int64_t beyond = 0, leaf_now = 0;
	store_stmt *st = store_prepare(v->c, "SELECT tree_size FROM audit_sth WHERE tree_size > ? ORDER BY tree_size LIMIT 1");
	if (!st)
		return broken(v, "reading audit_sth");
	store_bind_int64(st, 1, n);
	int rc = store_step(st);
	if (rc == ST_ROW)
		beyond = store_col_int64(st, 0);
	store_finalize(st);
	if (rc < 0)
		return broken(v, "reading audit_sth");
	if (!beyond)
		return 0;
	st = store_prepare(v->c, "SELECT COUNT(*) FROM audit_leaves WHERE idx = ?");
	if (!st)
		return broken(v, "reading audit_leaves");
	store_bind_int64(st, 1, n);
	rc = store_step(st);
	if (rc == ST_ROW)
		leaf_now = store_col_int64(st, 0);
	store_finalize(st);
	if (rc < 0)
		return broken(v, "reading audit_leaves");
	if (!leaf_now)
		return fail(v, "leaf %lld: missing (deleted); the log ends there but a signed tree head of size %lld exists",
			    (long long)n, (long long)beyond);
	return 0;
}

static int check_end(verifier *v)
{
	long long n = (long long)v->f.size;
	if (v->file_size > n)
		return fail(v, "leaf %lld: missing (deleted); the log ends after %lld leaves but the tree head file names %lld",
			    n, n, (long long)v->file_size);
	if (v->head_size > n)
		return fail(v, "leaf %lld: missing (deleted); the log ends after %lld leaves but audit_head counts %lld", n, n,
			    (long long)v->head_size);
	int rc = check_head_beyond(v, n);
	if (!rc && v->head_bad)
		rc = fail(v, "audit_head: the frontier at size %lld does not match the leaves (edited); "
			     "appends after it would sign a wrong tree", (long long)v->head_size);
	return rc;
}

/* Sizes 0 are never reached by the leaf loop. */
static int check_empty_marks(verifier *v)
{
	unsigned char empty[YJ_HASH_LEN];
	yj_merkle_root(NULL, 0, empty);
	if (v->file_size == 0 && !same(empty, v->file_root))
		return fail(v, "tree head file: size 0 with a root that is not the empty tree's");
	v->head_bad = v->head_size == 0 && v->head_frontier[0];
	return 0;
}

static int verify_db(verifier *v)
{
	if (store_begin(v->c, 0) < 0)
		return broken(v, "opening a read transaction");
	int rc = read_head_row(v);
	if (!rc)
		rc = check_empty_marks(v);
	if (!rc)
		rc = check_leaves(v);
	if (!rc)
		rc = check_end(v);
	store_rollback(v->c);
	return rc;
}

int yj_audit_verify(store *s, const char *sth_path, const char *pubkey_hex, char **report)
{
	verifier *v = yj_calloc(1, sizeof *v);
	v->c = store_conn_get(s);
	int rc = -1;
	if (!pubkey_hex || strlen(pubkey_hex) != 2 * PK_LEN || yj_hex_decode(pubkey_hex, v->pk, PK_LEN) != PK_LEN) {
		v->report = yj_strdup("cannot verify: a public key (the 64 hex digits of the published audit.pub) is required");
		goto done;
	}
	yj_hex_encode(v->pk, PK_LEN, v->pk_hex);
	if (sodium_init() < 0) {
		v->report = yj_strdup("cannot verify: libsodium could not be initialised");
		goto done;
	}
	rc = load_sth_file(v, sth_path);
	if (!rc)
		rc = verify_db(v);
	if (!rc) {
		yj_buf b = YJ_BUF_INIT;
		yj_buf_printf(&b, "ok: %lld leaves and %lld signed tree heads verified; the published tree head "
				  "(size %lld) matches the log", (long long)v->f.size, (long long)v->heads,
			      (long long)v->file_size);
		/* Leaves within the merge delay have no head yet; their content matched their hashes and
		 * the frontier, which is all that can be checked before a head signs them. Their age tells
		 * a signer that has not run (or heads deleted) from an ordinary moment. */
		if (v->f.size > v->signed_size)
			yj_buf_printf(&b, "; %lld leaves after the last signed head (size %lld) are not signed yet, "
					  "the oldest written %.1f s ago", (long long)(v->f.size - v->signed_size),
				      (long long)v->signed_size, (double)(yj_now_ms() - v->tail_at) / 1000.0);
		v->report = yj_buf_detach(&b);
	}
done:
	*report = v->report;
	free(v->head_frontier);
	free(v);
	return rc;
}
