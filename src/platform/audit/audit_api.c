/* audit_api.c — the audit log over HTTP: the latest signed tree head, the public key, inclusion and
 * consistency proofs (public: they disclose hashes only), and the leaves themselves for
 * administrators and leaders, scoped by territory. */
#define _POSIX_C_SOURCE 200809L
#include "audit_int.h"
#include "../../base/log.h"
#include "../http/http.h"
#include "../store/query.h"
#include "../../base/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const yj_table leaves_table = {"audit_leaves", "region_code", NULL, NULL};

#define LEAF_COLS "idx, at, actor, action, object_type, object_id, region_code, state_hash, leaf_hash"

static int bad_param(yj_req *r, const char *field, const char *detail)
{
	char d[256];
	snprintf(d, sizeof d, "参数 %s 有误：%s。", field, detail);
	return yj_reply_problem_errors(r, 400, "validation", "参数错误", d,
				       yj_field_errors(field, detail));
}

/* Parses ?name= as a decimal integer in [lo, hi]. Returns 1 when present, 0 when absent (and
 * *out untouched), YJ_ERR after replying 400. */
static int int_param(yj_req *r, const char *name, int64_t lo, int64_t hi, const char *detail, int64_t *out)
{
	const char *s = yj_query(r, name);
	if (!s)
		return 0;
	size_t n = strlen(s);
	int64_t v = 0;
	int ok = n > 0 && n <= 18 && strspn(s, "0123456789") == n;
	if (ok) {
		v = strtoll(s, NULL, 10);
		ok = v >= lo && v <= hi;
	}
	if (!ok) {
		bad_param(r, name, detail);
		return YJ_ERR;
	}
	*out = v;
	return 1;
}

static int no_key(yj_req *r)
{
	return yj_reply_problem(r, 503, "audit-key", "审计签名密钥未加载",
				"服务器未加载审计签名密钥，暂时无法提供签名树头，请联系管理员检查密钥目录。");
}

static int damaged(yj_req *r)
{
	return yj_reply_problem(r, 500, "audit-damaged", "审计日志已损坏",
				"审计日志与其记录不一致，无法生成证明。请管理员运行 yijian audit verify 检查日志。");
}

/* On demand: a reader asking for the head or a proof gets the whole committed log signed first,
 * so the current size always has a head to check a proof against, whatever the merge delay.
 * A failure only leaves the older heads to serve (the signer retries); it is logged there. */
static void sign_now(yj_req *r)
{
	if (yj_audit_sign_pending(yj_store(r), NULL) < 0)
		yj_log(YJ_LOG_WARN, "audit.sign_on_demand_failed", NULL);
}

/* The log's size as of the last committed append (signed: callers ran sign_now before). */
static int current_size(store_conn *c, int64_t *size)
{
	store_stmt *st = store_prepare(c, "SELECT tree_size FROM audit_head WHERE id = 1");
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW)
		*size = store_col_int64(st, 0);
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc < 0 ? rc : ST_NOTFOUND;
}

static int get_sth(yj_req *r)
{
	if (!yj_audit_public_key_hex())
		return no_key(r);
	sign_now(r);
	store_stmt *st = store_prepare(store_conn_get(yj_store(r)),
				       "SELECT tree_size, at, root_hash, signature FROM audit_sth ORDER BY tree_size DESC LIMIT 1");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	json_t *sth = NULL;
	int rc = store_step(st);
	if (rc == ST_ROW)
		sth = yj_audit_sth_json(store_col_int64(st, 0), store_col_int64(st, 1), store_col_text(st, 2),
					store_col_text(st, 3));
	store_finalize(st);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	if (rc == ST_DONE) {
		/* An empty log has no stored head; sign the empty tree now so clients need no special case. */
		unsigned char root[YJ_HASH_LEN];
		char rh[2 * YJ_HASH_LEN + 1], sig[129];
		int64_t now = yj_now_ms();
		yj_merkle_root(NULL, 0, root);
		yj_hex_encode(root, YJ_HASH_LEN, rh);
		if (yj_audit_sign_head(now, 0, root, sig) < 0)
			return no_key(r);
		sth = yj_audit_sth_json(0, now, rh, sig);
	}
	return yj_reply_json(r, 200, sth);
}

static int get_public_key(yj_req *r)
{
	const char *pk = yj_audit_public_key_hex();
	if (!pk)
		return no_key(r);
	return yj_reply_json(r, 200, json_pack("{s:s, s:s}", "public_key", pk, "algorithm", "ed25519"));
}

/* The leaf hashes 0 … n−1, in a new array the caller frees. This reads the whole log: O(n) time
 * and 32 bytes per leaf, fine up to millions of leaves; beyond that, store interior nodes.
 * Returns ST_OK, a store failure, or ST_NOTFOUND when a row is missing or malformed. */
static int load_hashes(store_conn *c, int64_t n, unsigned char (**out)[YJ_HASH_LEN])
{
	store_stmt *st = store_prepare(c, "SELECT idx, leaf_hash FROM audit_leaves WHERE idx >= 0 AND idx < ? ORDER BY idx");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, n);
	store_stream(st); /* every leaf: libpq would hold some three times the 32 bytes a leaf takes here */
	unsigned char (*h)[YJ_HASH_LEN] = yj_malloc((size_t)(n ? n : 1) * YJ_HASH_LEN);
	int64_t i = 0;
	int rc, ok = 1;
	while ((rc = store_step(st)) == ST_ROW && ok) {
		const char *hex = store_col_text(st, 1);
		ok = store_col_int64(st, 0) == i && hex && strlen(hex) == 2 * YJ_HASH_LEN &&
		     yj_hex_decode(hex, h[i], YJ_HASH_LEN) == YJ_HASH_LEN;
		i++;
	}
	store_finalize(st);
	if (rc >= 0 && (!ok || i != n))
		rc = ST_NOTFOUND;
	if (rc < 0) {
		free(h);
		return rc;
	}
	*out = h;
	return ST_OK;
}

static json_t *hex_array(const unsigned char (*h)[YJ_HASH_LEN], size_t n)
{
	json_t *a = json_array();
	char hx[2 * YJ_HASH_LEN + 1];
	for (size_t i = 0; i < n; i++) {
		yj_hex_encode(h[i], YJ_HASH_LEN, hx);
		json_array_append_new(a, json_string(hx));
	}
	return a;
}

/* Replies with a store problem, or the damaged-log problem when rows are missing. */
static int load_failed(yj_req *r, int rc)
{
	return rc == ST_NOTFOUND ? damaged(r) : yj_reply_store_error(r, rc);
}

static int get_inclusion(yj_req *r)
{
	if (yj_audit_public_key_hex())
		sign_now(r);
	store_conn *c = store_conn_get(yj_store(r));
	int64_t cur, index = 0, size;
	int rc = current_size(c, &cur);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	size = cur;
	rc = int_param(r, "tree_size", 1, cur, "应为 1 到日志当前大小之间的整数", &size);
	if (rc < 0)
		return YJ_OK;
	rc = int_param(r, "index", 0, size - 1, "应为小于 tree_size 的非负整数", &index);
	if (rc < 0)
		return YJ_OK;
	if (rc == 0)
		return bad_param(r, "index", "必须提供叶子序号");
	unsigned char (*leaves)[YJ_HASH_LEN], (*path)[YJ_HASH_LEN];
	size_t len;
	if ((rc = load_hashes(c, size, &leaves)) < 0)
		return load_failed(r, rc);
	yj_merkle_inclusion((const unsigned char (*)[YJ_HASH_LEN])leaves, (size_t)size, (size_t)index, &path, &len);
	char lh[2 * YJ_HASH_LEN + 1];
	yj_hex_encode(leaves[index], YJ_HASH_LEN, lh);
	json_t *body = json_pack("{s:I, s:I, s:s, s:o}", "leaf_index", (json_int_t)index, "tree_size", (json_int_t)size,
				 "leaf_hash", lh, "audit_path", hex_array((const unsigned char (*)[YJ_HASH_LEN])path, len));
	free(path);
	free(leaves);
	return yj_reply_json(r, 200, body);
}

static int get_consistency(yj_req *r)
{
	if (yj_audit_public_key_hex())
		sign_now(r);
	store_conn *c = store_conn_get(yj_store(r));
	int64_t cur, first = 0, second;
	int rc = current_size(c, &cur);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	second = cur;
	rc = int_param(r, "second", 1, cur, "应为 1 到日志当前大小之间的整数", &second);
	if (rc < 0)
		return YJ_OK;
	rc = int_param(r, "first", 1, second, "应为 1 到 second 之间的整数", &first);
	if (rc < 0)
		return YJ_OK;
	if (rc == 0)
		return bad_param(r, "first", "必须提供较早的树大小");
	unsigned char (*leaves)[YJ_HASH_LEN], (*proof)[YJ_HASH_LEN];
	size_t len;
	if ((rc = load_hashes(c, second, &leaves)) < 0)
		return load_failed(r, rc);
	yj_merkle_consistency((const unsigned char (*)[YJ_HASH_LEN])leaves, (size_t)second, (size_t)first, &proof, &len);
	json_t *body = json_pack("{s:I, s:I, s:o}", "first", (json_int_t)first, "second", (json_int_t)second,
				 "consistency", hex_array((const unsigned char (*)[YJ_HASH_LEN])proof, len));
	free(proof);
	free(leaves);
	return yj_reply_json(r, 200, body);
}

static json_t *leaf_json(store_stmt *st)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "idx", (json_int_t)store_col_int64(st, 0), "at",
			 (json_int_t)store_col_int64(st, 1), "actor", store_col_text(st, 2), "action", store_col_text(st, 3),
			 "object_type", store_col_text(st, 4), "object_id", store_col_text(st, 5), "region_code",
			 store_col_text(st, 6), "state_hash", store_col_text(st, 7), "leaf_hash", store_col_text(st, 8));
}

typedef struct leaf_filter {
	const char *type, *id;
	int64_t before; /* cursor: idx below this; INT64_MAX when none */
	int limit;
} leaf_filter;

/* One page (limit + 1 rows, newest first) from the rows sc allows, or, with global, from the rows
 * of no territory. Returns an array, or NULL with *rc set. */
static json_t *leaves_page(yj_req *r, const yj_scope *sc, int global, const leaf_filter *f, int *rc)
{
	yj_qb *q = yj_q_select(&leaves_table, LEAF_COLS, sc);
	if (global)
		yj_q_where(q, "region_code = ''");
	if (f->type) {
		yj_q_where(q, "object_type = ?");
		yj_q_text(q, f->type);
	}
	if (f->id) {
		yj_q_where(q, "object_id = ?");
		yj_q_text(q, f->id);
	}
	yj_q_where(q, "idx < ?");
	yj_q_int(q, f->before);
	yj_q_tail(q, "ORDER BY idx DESC LIMIT ?");
	yj_q_int(q, f->limit + 1);
	store_stmt *st = yj_q_prepare(q, store_conn_get(yj_store(r)));
	if (!st) {
		*rc = ST_ERR;
		return NULL;
	}
	json_t *items = json_array();
	while ((*rc = store_step(st)) == ST_ROW)
		json_array_append_new(items, leaf_json(st));
	store_finalize(st);
	if (*rc < 0) {
		json_decref(items);
		return NULL;
	}
	return items;
}

static json_int_t idx_of(json_t *a, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(a, i), "idx"));
}

/* Merges two pages ordered by idx descending, keeping at most want items. Steals a and b. */
static json_t *merge_pages(json_t *a, json_t *b, size_t want)
{
	json_t *out = json_array();
	size_t i = 0, j = 0, na = json_array_size(a), nb = json_array_size(b);
	while (json_array_size(out) < want && (i < na || j < nb)) {
		if (j >= nb || (i < na && idx_of(a, i) > idx_of(b, j)))
			json_array_append(out, json_array_get(a, i++));
		else
			json_array_append(out, json_array_get(b, j++));
	}
	json_decref(a);
	json_decref(b);
	return out;
}

/* Validates the filters; replies 400 and returns YJ_ERR on a bad one. */
static int leaf_filters(yj_req *r, leaf_filter *f)
{
	const char *cursor;
	if (yj_page_params(r, &f->limit, &cursor) < 0)
		return YJ_ERR;
	f->type = yj_query(r, "object_type");
	f->id = yj_query(r, "object_id");
	f->before = INT64_MAX;
	if (f->type && (!*f->type || strlen(f->type) > 64 || !yj_utf8_valid(f->type, strlen(f->type)))) {
		bad_param(r, "object_type", "应为 1–64 个字符的对象类型，例如 user");
		return YJ_ERR;
	}
	if (f->id && (!*f->id || strlen(f->id) > 200 || !yj_utf8_valid(f->id, strlen(f->id)))) {
		bad_param(r, "object_id", "应为 1–200 个字符的对象编号");
		return YJ_ERR;
	}
	if (cursor) {
		size_t n = strlen(cursor);
		if (n == 0 || n > 18 || strspn(cursor, "0123456789") != n) {
			bad_param(r, "cursor", "无效的翻页游标，请使用上一页返回的 next_cursor");
			return YJ_ERR;
		}
		f->before = strtoll(cursor, NULL, 10);
	}
	return YJ_OK;
}

/* Leaves of the caller's territory, plus those of no territory (region_code ''), which concern
 * the platform as a whole and are shown to every administrator and leader. */
static int list_leaves(yj_req *r)
{
	leaf_filter f;
	if (leaf_filters(r, &f) < 0)
		return YJ_OK;
	const yj_scope *sc = &yj_who(r)->scope;
	int rc;
	json_t *items = leaves_page(r, sc, 0, &f, &rc);
	if (items && !sc->unrestricted) {
		yj_scope all;
		yj_scope_unrestricted(&all);
		json_t *global = leaves_page(r, &all, 1, &f, &rc);
		items = global ? merge_pages(items, global, (size_t)f.limit + 1) : (json_decref(items), NULL);
	}
	if (!items)
		return yj_reply_store_error(r, rc);
	json_t *next = json_null();
	if (json_array_size(items) > (size_t)f.limit) {
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)idx_of(items, (size_t)f.limit - 1));
		json_decref(next);
		next = yj_cursor_json(key);
		json_array_remove(items, (size_t)f.limit);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* ---- public: every head and the leaf hashes, so that anyone can check consistency ---- */

static json_t *sth_row(store_stmt *st, void *arg)
{
	(void)arg;
	return yj_audit_sth_json(store_col_int64(st, 0), store_col_int64(st, 1), store_col_text(st, 2),
				 store_col_text(st, 3));
}

/* One stored head (?tree_size=N), or the latest when no size is given. */
static int public_sth(yj_req *r)
{
	int64_t size = 0;
	int rc = int_param(r, "tree_size", 1, INT64_MAX / 2, "应为正整数（已签名的树大小）", &size);
	if (rc < 0)
		return YJ_OK;
	if (rc == 0)
		return get_sth(r);
	if (!yj_audit_public_key_hex())
		return no_key(r);
	store_stmt *st = store_prepare(store_conn_get(yj_store(r)),
				       "SELECT tree_size, at, root_hash, signature FROM audit_sth WHERE tree_size = ?");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	store_bind_int64(st, 1, size);
	json_t *sth = NULL;
	rc = yj_row_one(st, sth_row, NULL, &sth);
	if (rc == ST_NOTFOUND)
		return yj_reply_problem(r, 404, "not-found", "该大小的签名树头不存在",
					"日志从未达到这个大小，或该大小没有签名树头；请用 /api/v1/public/audit/sths 查看已签名的树头。");
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, sth);
}

/* Every signed head, ascending by tree size, a page at a time. */
static int public_sths(yj_req *r)
{
	int limit;
	const char *cursor;
	if (yj_page_params(r, &limit, &cursor) < 0)
		return YJ_OK;
	int64_t after = 0;
	if (cursor) {
		size_t n = strlen(cursor);
		if (n == 0 || n > 18 || strspn(cursor, "0123456789") != n)
			return bad_param(r, "cursor", "无效的翻页游标，请使用上一页返回的 next_cursor");
		after = strtoll(cursor, NULL, 10);
	}
	if (!yj_audit_public_key_hex())
		return no_key(r);
	sign_now(r);
	store_stmt *st = store_prepare(store_conn_get(yj_store(r)), "SELECT tree_size, at, root_hash, signature FROM audit_sth"
								    " WHERE tree_size > ? ORDER BY tree_size LIMIT ?");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	store_bind_int64(st, 1, after);
	store_bind_int64(st, 2, limit + 1);
	json_t *items = json_array(), *next = json_null();
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		if ((int)json_array_size(items) == limit) {
			/* One beyond the page: the cursor is the size of the page's last head. */
			char key[24];
			snprintf(key, sizeof key, "%lld", (long long)json_integer_value(json_object_get(
								 json_array_get(items, (size_t)limit - 1), "tree_size")));
			json_decref(next);
			next = yj_cursor_json(key);
			break;
		}
		json_array_append_new(items, sth_row(st, NULL));
	}
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		json_decref(next);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

#define MAX_LEAF_HASHES 1000

/* Leaf hashes [start, end): hashes only, so they are public; the leaves' content stays scoped. */
static int public_leaves(yj_req *r)
{
	store_conn *c = store_conn_get(yj_store(r));
	int64_t cur, start = 0, end;
	int rc = current_size(c, &cur);
	if (rc == ST_NOTFOUND)
		cur = 0;
	else if (rc < 0)
		return yj_reply_store_error(r, rc);
	if ((rc = int_param(r, "start", 0, cur, "应为 0 到日志当前大小之间的整数", &start)) < 0)
		return YJ_OK;
	if (rc == 0)
		return bad_param(r, "start", "必须提供起始叶子序号");
	end = start + MAX_LEAF_HASHES < cur ? start + MAX_LEAF_HASHES : cur;
	if (int_param(r, "end", start, start + MAX_LEAF_HASHES, "应不小于 start，且一次最多 1000 个叶子", &end) < 0)
		return YJ_OK;
	if (end > cur)
		return bad_param(r, "end", "不能超过日志当前大小");
	store_stmt *st = store_prepare(c, "SELECT idx, leaf_hash FROM audit_leaves WHERE idx >= ? AND idx < ? ORDER BY idx");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	store_bind_int64(st, 1, start);
	store_bind_int64(st, 2, end);
	json_t *hashes = json_array();
	int64_t i = start;
	while ((rc = store_step(st)) == ST_ROW && store_col_int64(st, 0) == i++)
		json_array_append_new(hashes, json_string(store_col_text(st, 1)));
	store_finalize(st);
	if (rc < 0) {
		json_decref(hashes);
		return yj_reply_store_error(r, rc);
	}
	if ((int64_t)json_array_size(hashes) != end - start) {
		json_decref(hashes);
		return damaged(r);
	}
	return yj_reply_json(r, 200, json_pack("{s:I, s:I, s:I, s:o}", "start", (json_int_t)start, "end", (json_int_t)end,
					      "tree_size", (json_int_t)cur, "leaf_hashes", hashes));
}

static const yj_qparam public_sth_params[] = {
	{"tree_size", "The size of the signed head wanted (default: the latest head)"},
	{NULL, NULL},
};

static const yj_qparam public_sths_params[] = {
	YJ_QP_PAGE,
	{NULL, NULL},
};

static const yj_qparam public_leaves_params[] = {
	{"start", "First leaf index, 0-based (required)"},
	{"end", "One past the last leaf index; at most start + 1000 and the current size (default: both)"},
	{NULL, NULL},
};

/* ---- entries per day (the home page's chart): counted by the database, no page cap ---- */

#define CN_OFFSET_MIN 480 /* days are China Standard Time days, as the console shows them */

/* Adds the counts per day since `since` (ms) of the rows sc allows (or, with global, of no
 * territory) into counts[days] indexed from first. */
static int count_days(yj_req *r, const yj_scope *sc, int global, int64_t since, int64_t first, int64_t *counts,
		      int ndays)
{
	yj_qb *q = yj_q_select(&leaves_table, "(at + 28800000) / 86400000 AS d, COUNT(*)", sc);
	if (global)
		yj_q_where(q, "region_code = ''");
	yj_q_where(q, "at >= ?");
	yj_q_int(q, since);
	yj_q_tail(q, "GROUP BY (at + 28800000) / 86400000");
	store_stmt *st = yj_q_prepare(q, store_conn_get(yj_store(r)));
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		int64_t d = store_col_int64(st, 0) - first;
		if (d >= 0 && d < ndays)
			counts[d] += store_col_int64(st, 1);
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* GET /api/v1/audit/daily?days=N: entries per day over the last N days (today included), in the
 * caller's territory plus the platform-wide ones, as /audit/leaves lists them. */
static int daily(yj_req *r)
{
	const char *ds = yj_query(r, "days");
	int ndays = 14;
	if (ds) {
		char *end;
		long v = strtol(ds, &end, 10);
		if (!*ds || *end || v < 1 || v > 366)
			return bad_param(r, "days", "应为 1 到 366 之间的整数（天数），例如 days=14");
		ndays = (int)v;
	}
	int64_t today = yj_day_of_instant(yj_now_ms(), CN_OFFSET_MIN), first = today - ndays + 1;
	int64_t since = yj_day_start_ms(first, CN_OFFSET_MIN);
	int64_t *counts = yj_calloc((size_t)ndays, sizeof *counts);
	const yj_scope *sc = &yj_who(r)->scope;
	int rc = count_days(r, sc, 0, since, first, counts, ndays);
	if (rc >= 0 && !sc->unrestricted) {
		yj_scope all;
		yj_scope_unrestricted(&all);
		rc = count_days(r, &all, 1, since, first, counts, ndays);
	}
	if (rc < 0) {
		free(counts);
		return yj_reply_store_error(r, rc);
	}
	json_t *items = json_array();
	int64_t total = 0;
	for (int i = 0; i < ndays; i++) {
		char day[11];
		yj_day_format(first + i, day);
		json_array_append_new(items, json_pack("{s:s, s:I}", "day", day, "count", (json_int_t)counts[i]));
		total += counts[i];
	}
	free(counts);
	return yj_reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

static const yj_qparam daily_params[] = {
	{"days", "Days back, today included: 1–366 (default 14)"},
	{NULL, NULL},
};

static const yj_qparam inclusion_params[] = {
	{"index", "Leaf index, 0-based (required)"},
	{"tree_size", "Tree size the proof is for, 1 to the current size (default: current size)"},
	{NULL, NULL},
};

static const yj_qparam consistency_params[] = {
	{"first", "The earlier tree size, 1 to second (required)"},
	{"second", "The later tree size, up to the current size (default: current size)"},
	{NULL, NULL},
};

static const yj_qparam leaves_params[] = {
	{"object_type", "Only leaves about objects of this type, e.g. user"},
	{"object_id", "Only leaves about the object with this id"},
	YJ_QP_PAGE,
	{NULL, NULL},
};

const yj_route yj_audit_routes[] = {
	{"GET", "/api/v1/audit/sth", get_sth, ROLE_PUBLIC, NULL, NULL, "audit",
	 "The latest signed tree head of the audit log",
	 "{tree_size, timestamp, root_hash, signature, public_key}: ed25519 over the RFC 6962 tree head (docs/audit.md)",
	 200},
	{"GET", "/api/v1/audit/public-key", get_public_key, ROLE_PUBLIC, NULL, NULL, "audit",
	 "The public key that signs the audit log's tree heads", "{public_key (hex), algorithm: \"ed25519\"}", 200},
	{"GET", "/api/v1/audit/proof/inclusion", get_inclusion, ROLE_PUBLIC, NULL, inclusion_params, "audit",
	 "Audit path proving a leaf is in the tree of a given size (RFC 6962 §2.1.1)",
	 "{leaf_index, tree_size, leaf_hash, audit_path: [hex]}", 200},
	{"GET", "/api/v1/audit/proof/consistency", get_consistency, ROLE_PUBLIC, NULL, consistency_params, "audit",
	 "Proof that the tree of size second extends the tree of size first (RFC 6962 §2.1.2)",
	 "{first, second, consistency: [hex]}", 200},
	{"GET", "/api/v1/public/audit/sth", public_sth, ROLE_PUBLIC, NULL, public_sth_params, "public",
	 "A signed tree head of the audit log: the one of a given size, or the latest (no sign-in)",
	 "{tree_size, timestamp, root_hash, signature, public_key}", 200},
	{"GET", "/api/v1/public/audit/sths", public_sths, ROLE_PUBLIC, NULL, public_sths_params, "public",
	 "Every signed tree head of the audit log, ascending by tree size (no sign-in)",
	 "{items: [{tree_size, timestamp, root_hash, signature, public_key}], next_cursor}", 200},
	{"GET", "/api/v1/public/audit/leaves", public_leaves, ROLE_PUBLIC, NULL, public_leaves_params, "public",
	 "Leaf hashes of the audit log, up to 1000 at a time; hashes only, the content stays scoped (no sign-in)",
	 "{start, end, tree_size, leaf_hashes: [hex]}", 200},
	{"GET", "/api/v1/audit/leaves", list_leaves, ROLE_ADMIN | ROLE_LEADER, NULL, leaves_params, "audit",
	 "List audit log entries in the caller's territory, newest first",
	 "{items: [{idx, at, actor, action, object_type, object_id, region_code, state_hash, leaf_hash}], next_cursor}",
	 200},
	{"GET", "/api/v1/audit/daily", daily, ROLE_ADMIN | ROLE_LEADER, NULL, daily_params, "audit",
	 "Audit log entries per day (China Standard Time) over the last days, in the caller's territory",
	 "{items: [{day, count}], total}", 200},
	{0},
};
