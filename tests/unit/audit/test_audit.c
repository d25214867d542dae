/* test_audit.c — the audit log end to end on a real database (a temporary SQLite file, or the
 * PostgreSQL of YJ_TEST_DB in a schema of its own): key files, appends, the HTTP API with its
 * proofs, and `verify` naming the first leaf after edits, deletions and reordering by raw SQL. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../testdb.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "platform/audit/audit.h"
#include "platform/http/http.h"
#include "cli/modules.h"

extern const yj_route yj_audit_routes[];

static yj_testdb t; /* the fixture: tests/unit/testdb.h (PostgreSQL: a schema of its own, so the raw edits
		    * below touch no other test's log) */
static char keydir[300];
static store *db;
static yj_server *srv;

/* ---- helpers ---- */

static void exec_sql(const char *sql)
{
	yj_testdb_exec(&t, sql);
}

static int64_t query_int(const char *sql)
{
	return yj_testdb_int(&t, sql, NULL);
}

static int reset_tx(store_conn *c, void *arg)
{
	int rc = store_exec(c, "DELETE FROM audit_leaves; DELETE FROM audit_sth;"
			       " UPDATE audit_head SET tree_size = 0, frontier = '' WHERE id = 1");
	return rc < 0 ? rc : ST_OK;
}

/* An empty log, as in a fresh database. */
static void reset_log(void)
{
	assert_int_equal(store_tx(db, reset_tx, NULL), ST_OK);
}

/* Event i: regions cycle through 330302, 330303 and none. */
static int append_tx(store_conn *c, void *arg)
{
	int i = *(int *)arg;
	static const char *const regions[] = {"330302", "330303", ""};
	char actor[16], id[16];
	snprintf(actor, sizeof actor, "%d", 1000 + i);
	snprintf(id, sizeof id, "id-%d", i);
	json_t *state = json_pack("{s:i, s:s, s:b}", "n", i, "name", "张三", "active", i % 2);
	yj_audit_event ev = {actor, i % 2 ? "user.update" : "user.create", "user", id, regions[i % 3], state};
	int64_t idx = -1;
	int rc = yj_audit_append(c, &ev, &idx);
	json_decref(state);
	return rc < 0 ? rc : (int)idx;
}

/* One transaction per leaf, each signed at once by the on-demand path, so every size has its own
 * head (as a quiet server's log has) and the edits below are named leaf by leaf; sparse heads, as
 * under load, are tested in sparse_heads. */
static void append_range(int from, int to)
{
	for (int i = from; i < to; i++) {
		int64_t size = 0;
		assert_int_equal(store_tx(db, append_tx, &i), i);
		assert_int_equal(yj_audit_sign_pending(db, &size), ST_OK);
		assert_int_equal(size, i + 1);
	}
}

static int get(const char *url, const char *const *headers, json_t **body)
{
	char *resp = NULL;
	int status = yj_server_dispatch(srv, "GET", url, headers, NULL, 0, &resp);
	*body = json_loads(resp, 0, NULL);
	free(resp);
	return status;
}

/* Saves the served head as FILE, as an auditor would. */
static void save_sth(const char *path)
{
	json_t *sth;
	assert_int_equal(get("/api/v1/audit/sth", NULL, &sth), 200);
	assert_int_equal(json_dump_file(sth, path, 0), 0);
	json_decref(sth);
}

static char *sth_path(const char *name)
{
	return yj_asprintf("%s/%s.json", t.dir, name);
}

/* Runs verify with the published key; returns its result and the report (caller frees). */
static int verify(const char *sth, char **report)
{
	int rc = yj_audit_verify(db, sth, yj_audit_public_key_hex(), report);
	print_message("verify: %d %s\n", rc, *report ? *report : "(null)");
	return rc;
}

/* Saves the served head as <name>.json and asserts the whole log verifies against it. */
static void assert_log_verifies(const char *name)
{
	char *p = sth_path(name), *report = NULL;
	save_sth(p);
	assert_int_equal(verify(p, &report), 0);
	free(report);
	free(p);
}

static void assert_names(const char *sth, const char *prefix)
{
	char *report = NULL;
	assert_int_equal(verify(sth, &report), 1);
	assert_non_null(report);
	assert_true(strncmp(report, prefix, strlen(prefix)) == 0);
	free(report);
}

/* A fresh log of 50 leaves and its published head. */
static char *fresh_log(void)
{
	reset_log();
	append_range(0, 50);
	char *p = sth_path("head50");
	save_sth(p);
	return p;
}

/* ---- setup ---- */

static int setup(void **state)
{
	db = yj_testdb_open(&t, "audit");
	snprintf(keydir, sizeof keydir, "%s/keys", t.dir);
	char *err = NULL;
	if (yj_audit_keys_load(keydir, &err) < 0)
		fail_msg("keys: %s", err);
	static const yj_route *const tables[] = {yj_audit_routes};
	yj_http_config cfg = {0};
	srv = yj_server_new(&cfg, db, tables, 1, NULL, keydir);
	return 0;
}

static int teardown(void **state)
{
	yj_server_free(srv);
	yj_testdb_close(&t);
	return 0;
}

/* ---- keys ---- */

static void read_line(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, (int)cap, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static void key_files(void **state)
{
	char dir[320], path[340], line[256], pk[65];
	struct stat sb;
	snprintf(dir, sizeof dir, "%s/other-keys", t.dir);
	char *err = NULL;
	assert_int_equal(yj_audit_keys_load(dir, &err), YJ_OK);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(path, sizeof path, "%s/audit.key", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(path, sizeof path, "%s/audit.pub", dir);
	read_line(path, line, sizeof line);
	assert_string_equal(line, yj_audit_public_key_hex());
	assert_int_equal(strlen(line), 64);
	memcpy(pk, line, 65);
	/* Loading again keeps the key. */
	assert_int_equal(yj_audit_keys_load(dir, &err), YJ_OK);
	assert_string_equal(yj_audit_public_key_hex(), pk);
	/* A published key that is not the secret's is refused. */
	FILE *f = fopen(path, "w");
	fprintf(f, "%064d\n", 0);
	fclose(f);
	assert_int_equal(yj_audit_keys_load(dir, &err), YJ_ERR);
	assert_non_null(strstr(err, "does not match"));
	free(err);
	err = NULL;
	/* A secret readable by others is refused. */
	snprintf(path, sizeof path, "%s/audit.key", dir);
	chmod(path, 0644);
	assert_int_equal(yj_audit_keys_load(dir, &err), YJ_ERR);
	assert_non_null(strstr(err, "chmod 600"));
	free(err);
	err = NULL;
	assert_int_equal(yj_audit_keys_load(keydir, &err), YJ_OK);
	assert_string_not_equal(yj_audit_public_key_hex(), pk);
}

/* ---- appends and verification ---- */

static void load_leaf_hashes(unsigned char (*h)[YJ_HASH_LEN], int n)
{
	store_stmt *st = store_prepare(store_conn_get(db), "SELECT idx, leaf_hash FROM audit_leaves ORDER BY idx");
	int i = 0;
	while (store_step(st) == ST_ROW) {
		assert_int_equal(store_col_int64(st, 0), i);
		assert_int_equal(yj_hex_decode(store_col_text(st, 1), h[i++], YJ_HASH_LEN), YJ_HASH_LEN);
	}
	store_finalize(st);
	assert_int_equal(i, n);
}

static void append_and_verify(void **state)
{
	reset_log();
	append_range(0, 20);
	char *p20 = sth_path("head20");
	save_sth(p20);
	append_range(20, 50);
	char *p50 = sth_path("head50");
	save_sth(p50);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), 50);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_sth"), 50);
	assert_int_equal(query_int("SELECT tree_size FROM audit_head WHERE id = 1"), 50);

	/* The served root is the RFC 6962 tree hash of the stored leaves (computed here without the frontier). */
	unsigned char leaves[50][YJ_HASH_LEN], root[YJ_HASH_LEN];
	char hex[65];
	load_leaf_hashes(leaves, 50);
	yj_merkle_root((const unsigned char (*)[YJ_HASH_LEN])leaves, 50, root);
	yj_hex_encode(root, YJ_HASH_LEN, hex);
	json_t *sth = json_load_file(p50, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(sth, "tree_size")), 50);
	assert_string_equal(json_string_value(json_object_get(sth, "root_hash")), hex);
	assert_string_equal(json_string_value(json_object_get(sth, "public_key")), yj_audit_public_key_hex());
	json_decref(sth);

	char *report = NULL;
	assert_int_equal(verify(p50, &report), 0);
	assert_true(strncmp(report, "ok", 2) == 0);
	free(report);
	/* An older published head still verifies: the log only grew. */
	assert_int_equal(verify(p20, &report), 0);
	free(report);
	/* Another key, or none, does not. */
	assert_int_equal(yj_audit_verify(db, p50, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", &report), 1);
	assert_non_null(strstr(report, "tree head file"));
	free(report);
	assert_int_equal(yj_audit_verify(db, p50, NULL, &report), -1);
	free(report);
	char *missing = sth_path("nonexistent");
	assert_int_equal(yj_audit_verify(db, missing, yj_audit_public_key_hex(), &report), -1);
	free(report);
	free(missing);
	free(p20);
	free(p50);
}

typedef struct worker {
	int from, to;
	int failures;
} worker;

static void *append_worker(void *arg)
{
	worker *w = arg;
	for (int i = w->from; i < w->to; i++)
		if (store_tx(db, append_tx, &i) < 0)
			w->failures++;
	return NULL;
}

/* Two threads appending at once still build one dense, verifiable log. */
static void concurrent_appends(void **state)
{
	reset_log();
	worker w[2] = {{0, 40, 0}, {40, 80, 0}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, append_worker, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(w[0].failures + w[1].failures, 0);
	assert_log_verifies("concurrent");
}

/* A group member's write: its leaf, then for every fifth member a refusal after the append (the
 * savepoint must take the leaf back with the member's writes). */
static int group_tx(store_conn *c, void *arg)
{
	int i = *(int *)arg;
	char id[16];
	snprintf(id, sizeof id, "id-%d", i);
	json_t *state = json_pack("{s:i}", "n", i);
	yj_audit_event ev = {"1000", "user.update", "user", id, "330302", state};
	int rc = yj_audit_append(c, &ev, NULL); /* deferred in a group: no index yet */
	json_decref(state);
	return rc >= 0 && i % 5 == 4 ? ST_CONFLICT : rc;
}

static void *group_worker(void *arg)
{
	worker *w = arg;
	for (int i = w->from; i < w->to; i++) {
		int rc = store_tx_group(db, group_tx, &i);
		if (i % 5 == 4 ? rc != ST_CONFLICT : rc < 0)
			w->failures++;
	}
	return NULL;
}

/* Eight threads writing through commit groups (store_tx_group): the leaves of the committed members
 * and none of the refused ones, one dense log that verifies, and groups did form. */
static void grouped_appends(void **state)
{
	reset_log();
	int64_t g0, m0, g1, m1;
	store_group_stats(&g0, &m0);
	worker w[8];
	pthread_t th[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (worker){i * 50, i * 50 + 50, 0};
		assert_int_equal(pthread_create(&th[i], NULL, group_worker, &w[i]), 0);
	}
	int failures = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		failures += w[i].failures;
	}
	assert_int_equal(failures, 0);
	store_group_stats(&g1, &m1);
	print_message("groups: %lld, members %lld\n", (long long)(g1 - g0), (long long)(m1 - m0));
	assert_true(g1 > g0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), 320);
	assert_int_equal(query_int("SELECT tree_size FROM audit_head WHERE id = 1"), 320);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves WHERE object_id IN ('id-4', 'id-9', 'id-399')"), 0);
	assert_log_verifies("grouped");
}

/* Odd threads disclose (yj_audit_disclose: a member without statements or savepoint), even ones
 * write through group_tx with its refusals, so groups mix both kinds: every disclosure's leaf and
 * every committed write's, none of the refused, one log that verifies. */
static void *mixed_worker(void *arg)
{
	worker *w = arg;
	for (int i = w->from; i < w->to; i++) {
		if ((i / 50) % 2) {
			char id[16];
			snprintf(id, sizeof id, "id-%d", i);
			json_t *st = json_pack("{s:i}", "n", i);
			yj_audit_event ev = {"1000", "credit.check", "institution", id, "330302", st};
			if (yj_audit_disclose(db, &ev, i % 3 == 0) < 0)
				w->failures++;
			json_decref(st);
		} else if (i % 5 == 4 ? store_tx_group(db, group_tx, &i) != ST_CONFLICT : store_tx_group(db, group_tx, &i) < 0) {
			w->failures++;
		}
	}
	return NULL;
}

static void disclosures_in_groups(void **state)
{
	reset_log();
	worker w[8];
	pthread_t th[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (worker){i * 50, i * 50 + 50, 0};
		assert_int_equal(pthread_create(&th[i], NULL, mixed_worker, &w[i]), 0);
	}
	int failures = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		failures += w[i].failures;
	}
	assert_int_equal(failures, 0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves WHERE action = 'credit.check'"), 200);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves WHERE action = 'user.update'"), 160);
	assert_int_equal(query_int("SELECT tree_size FROM audit_head WHERE id = 1"), 360);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves WHERE state_hash LIKE 'hmac:%'"), 67); /* i % 3 == 0 */
	assert_log_verifies("disclosed");
}

/* One disclosure from this thread; the statements it prepared on the thread's connection. */
static int64_t disclose_one(int i)
{
	store_conn *c = store_conn_get(db);
	int64_t before = store_conn_statements(c);
	char id[16];
	snprintf(id, sizeof id, "id-%d", i);
	json_t *st = json_pack("{s:i}", "n", i);
	yj_audit_event ev = {"1000", "credit.check", "institution", id, "330302", st};
	assert_int_equal(yj_audit_disclose(db, &ev, 0), ST_OK);
	json_decref(st);
	return store_conn_statements(c) - before;
}

/* While held (a request's principal not yet confirmed: auth.h, yj_auth_confirm) every append and
 * disclosure of this thread is refused and writes nothing; released, they write again. Another
 * thread is not held. */
static void *disclose_elsewhere(void *arg)
{
	(void)arg;
	disclose_one(7);
	return NULL;
}

static void held_leaves_refused(void **state)
{
	(void)state;
	reset_log();
	int i = 0;
	yj_audit_hold(1);
	yj_audit_event ev = {"1000", "credit.check", "institution", "id-0", "330302", NULL};
	assert_true(yj_audit_disclose(db, &ev, 0) < 0);
	assert_true(store_tx(db, append_tx, &i) < 0);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), 0);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, disclose_elsewhere, NULL), 0);
	pthread_join(th, NULL);
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_leaves"), 1);
	yj_audit_hold(0);
	assert_int_equal(yj_audit_disclose(db, &ev, 0), ST_OK);
	assert_int_equal(store_tx(db, append_tx, &i), 2);
	assert_int_equal(query_int("SELECT tree_size FROM audit_head WHERE id = 1"), 3);
}

/* Another process appends n leaves (i = 0 … n - 1) through a store of its own, after emptying the
 * log when reset: a writer whose moves of the head this process's guess does not see. */
static void other_process_appends(int reset, int n)
{
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char *err = NULL;
		store *other = store_open(t.url, &err);
		int ok = other && (!reset || store_tx(other, reset_tx, NULL) == ST_OK);
		for (int i = 0; ok && i < n; i++)
			ok = store_tx(other, append_tx, &i) >= 0;
		_exit(ok ? 0 : 1);
	}
	int status = 0;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Disclosures (ids from, from + 1, …) until eight in a row took one statement each: the guess's score
 * (audit.c, guess_take) is then at its top, 8, whatever earlier tests left it at — disclosures_in_groups'
 * concurrent writers miss under load and leave it low. Returns the next unused i. */
static int warm_guess(int from)
{
	int run = 0, i = from;
	while (run < 8 && i < from + 64)
		run = disclose_one(i++) == 1 ? run + 1 : 0;
	assert_int_equal(run, 8);
	return i;
}

/* The head a disclosure group committed is the next group's guess (audit.c, flush_alone): on
 * PostgreSQL one statement per lone disclosure instead of a read and a statement. A guess gone stale
 * — another process appended, or rebuilt the log to the same size with other leaves (so the frontier
 * is compared, not only the size) — writes nothing: the head is read and the leaf lands after the
 * other writer's, and the log verifies. (SQLite appends in a transaction and has no guess.) */
static void disclosure_head_guess(void **state)
{
	reset_log();
	disclose_one(1000);
	if (!strcmp(store_engine(db), "postgresql")) {
		warm_guess(1100); /* the first guess after the reset missed (the log changed under it) */
		int64_t size = query_int("SELECT tree_size FROM audit_head WHERE id = 1");
		other_process_appends(0, 1);
		assert_int_equal(disclose_one(1003), 3); /* missed, the head read, written */
		assert_int_equal(query_int("SELECT idx FROM audit_leaves WHERE object_id = 'id-1003'"), size + 1);
		assert_int_equal(disclose_one(1004), 1); /* one miss (-4) leaves the warm guess on */
		/* the log rebuilt to the same size with other leaves: the guess's size matches, its frontier not */
		other_process_appends(1, (int)size + 3);
		assert_int_equal(disclose_one(1005), 3);
		assert_int_equal(query_int("SELECT idx FROM audit_leaves WHERE object_id = 'id-1005'"), size + 3);
	}
	assert_log_verifies("guessed");
}

static void edited_leaf(void **state)
{
	char *p = fresh_log();
	exec_sql("UPDATE audit_leaves SET actor = 'mallory' WHERE idx = 17");
	assert_names(p, "leaf 17: content does not match its hash");
	free(p);
}

/* The leaf hash an attacker recomputes from docs/audit.md (written here independently of audit.c). */
static void attacker_hash(int64_t idx, char hex[65])
{
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT idx, at, actor, action, object_type, object_id, region_code, state_hash FROM audit_leaves WHERE idx = %lld",
		 (long long)idx);
	store_stmt *st = store_prepare(store_conn_get(db), sql);
	assert_int_equal(store_step(st), ST_ROW);
	json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "idx", (json_int_t)store_col_int64(st, 0), "at",
			      (json_int_t)store_col_int64(st, 1), "actor", store_col_text(st, 2), "action",
			      store_col_text(st, 3), "type", store_col_text(st, 4), "id", store_col_text(st, 5), "region",
			      store_col_text(st, 6), "state", store_col_text(st, 7));
	store_finalize(st);
	char *data = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	unsigned char h[YJ_HASH_LEN];
	yj_merkle_leaf_hash(data, strlen(data), h);
	yj_hex_encode(h, YJ_HASH_LEN, hex);
	free(data);
}

static void edited_leaf_and_hash(void **state)
{
	char *p = fresh_log(), hex[65], sql[200];
	/* The recomputation is right: it reproduces the stored hash before the edit. */
	attacker_hash(17, hex);
	store_stmt *st = store_prepare(store_conn_get(db), "SELECT leaf_hash FROM audit_leaves WHERE idx = 17");
	assert_int_equal(store_step(st), ST_ROW);
	assert_string_equal(store_col_text(st, 0), hex);
	store_finalize(st);

	exec_sql("UPDATE audit_leaves SET actor = 'mallory' WHERE idx = 17");
	attacker_hash(17, hex);
	snprintf(sql, sizeof sql, "UPDATE audit_leaves SET leaf_hash = '%s' WHERE idx = 17", hex);
	exec_sql(sql);
	assert_names(p, "leaf 17: the signed tree head at size 18 does not match");
	free(p);
}

static void deleted_leaf(void **state)
{
	char *p = fresh_log();
	exec_sql("DELETE FROM audit_leaves WHERE idx = 30");
	assert_names(p, "leaf 30: missing (deleted)");
	free(p);
}

static void deleted_last_leaves(void **state)
{
	char *p = fresh_log();
	exec_sql("DELETE FROM audit_leaves WHERE idx >= 47");
	exec_sql("DELETE FROM audit_sth WHERE tree_size >= 48");
	exec_sql("UPDATE audit_head SET tree_size = 47 WHERE id = 1");
	assert_names(p, "leaf 47: missing (deleted)");
	free(p);
}

static void swapped_leaves(void **state)
{
	char *p = fresh_log();
	exec_sql("UPDATE audit_leaves SET idx = -1 WHERE idx = 10");
	exec_sql("UPDATE audit_leaves SET idx = 10 WHERE idx = 11");
	exec_sql("UPDATE audit_leaves SET idx = 11 WHERE idx = -1");
	assert_names(p, "leaf 10: content does not match its hash");
	free(p);
}

static void forged_head(void **state)
{
	char *p = fresh_log();
	exec_sql("UPDATE audit_sth SET root_hash = (SELECT root_hash FROM audit_sth WHERE tree_size = 5) WHERE tree_size = 6");
	assert_names(p, "leaf 5: the tree head at size 6 has no valid signature");
	free(p);
}

static void edited_frontier(void **state)
{
	char *p = fresh_log();
	exec_sql("UPDATE audit_head SET frontier = (SELECT root_hash FROM audit_sth WHERE tree_size = 1) || ','"
		 " || (SELECT root_hash FROM audit_sth WHERE tree_size = 2) || ',' || (SELECT root_hash FROM audit_sth WHERE tree_size = 3)"
		 " WHERE id = 1");
	assert_names(p, "audit_head: the frontier at size 50 does not match");
	free(p);
}

/* ---- the API ---- */

static void root_at(int64_t size, unsigned char out[YJ_HASH_LEN])
{
	char sql[100];
	snprintf(sql, sizeof sql, "SELECT root_hash FROM audit_sth WHERE tree_size = %lld", (long long)size);
	store_stmt *st = store_prepare(store_conn_get(db), sql);
	assert_int_equal(store_step(st), ST_ROW);
	assert_int_equal(yj_hex_decode(store_col_text(st, 0), out, YJ_HASH_LEN), YJ_HASH_LEN);
	store_finalize(st);
}

/* Decodes a JSON array of hex hashes into a new array (caller frees). */
static unsigned char (*hashes_of(json_t *a, size_t *n))[YJ_HASH_LEN]
{
	*n = json_array_size(a);
	unsigned char (*h)[YJ_HASH_LEN] = yj_malloc((*n + 1) * YJ_HASH_LEN);
	for (size_t i = 0; i < *n; i++)
		assert_int_equal(yj_hex_decode(json_string_value(json_array_get(a, i)), h[i], YJ_HASH_LEN), YJ_HASH_LEN);
	return h;
}

static void inclusion_proofs(void **state)
{
	free(fresh_log());
	for (int64_t size = 1; size <= 50; size += 7)
		for (int64_t i = 0; i < size; i++) {
			unsigned char root[YJ_HASH_LEN], leaf[YJ_HASH_LEN];
			char url[120];
			json_t *b;
			snprintf(url, sizeof url, "/api/v1/audit/proof/inclusion?index=%lld&tree_size=%lld", (long long)i,
				 (long long)size);
			assert_int_equal(get(url, NULL, &b), 200);
			size_t n;
			unsigned char (*path)[YJ_HASH_LEN] = hashes_of(json_object_get(b, "audit_path"), &n);
			assert_int_equal(yj_hex_decode(json_string_value(json_object_get(b, "leaf_hash")), leaf, YJ_HASH_LEN),
					 YJ_HASH_LEN);
			root_at(size, root);
			assert_true(yj_merkle_verify_inclusion(leaf, (size_t)i, (size_t)size,
							       (const unsigned char (*)[YJ_HASH_LEN])path, n, root));
			free(path);
			json_decref(b);
		}
	json_t *b;
	assert_int_equal(get("/api/v1/audit/proof/inclusion?index=3", NULL, &b), 200);
	assert_int_equal(json_integer_value(json_object_get(b, "tree_size")), 50);
	json_decref(b);
	const char *bad[] = {"index=abc", "index=50", "index=-1", "", "index=1&tree_size=51", "index=1&tree_size=0",
			     "index=5&tree_size=5", "index=1&foo=2"};
	for (size_t i = 0; i < YJ_ARRAY_LEN(bad); i++) {
		char url[120];
		snprintf(url, sizeof url, "/api/v1/audit/proof/inclusion?%s", bad[i]);
		assert_int_equal(get(url, NULL, &b), 400);
		assert_non_null(json_object_get(b, "errors"));
		json_decref(b);
	}
}

static void consistency_proofs(void **state)
{
	free(fresh_log());
	for (int64_t second = 1; second <= 50; second += 3)
		for (int64_t first = 1; first <= second; first++) {
			unsigned char r1[YJ_HASH_LEN], r2[YJ_HASH_LEN];
			char url[120];
			json_t *b;
			snprintf(url, sizeof url, "/api/v1/audit/proof/consistency?first=%lld&second=%lld", (long long)first,
				 (long long)second);
			assert_int_equal(get(url, NULL, &b), 200);
			size_t n;
			unsigned char (*proof)[YJ_HASH_LEN] = hashes_of(json_object_get(b, "consistency"), &n);
			root_at(first, r1);
			root_at(second, r2);
			assert_true(yj_merkle_verify_consistency((size_t)first, (size_t)second, r1, r2,
								 (const unsigned char (*)[YJ_HASH_LEN])proof, n));
			free(proof);
			json_decref(b);
		}
	json_t *b;
	const char *bad[] = {"first=0", "", "first=51", "first=5&second=4", "first=x"};
	for (size_t i = 0; i < YJ_ARRAY_LEN(bad); i++) {
		char url[120];
		snprintf(url, sizeof url, "/api/v1/audit/proof/consistency?%s", bad[i]);
		assert_int_equal(get(url, NULL, &b), 400);
		json_decref(b);
	}
}

static void sth_and_key(void **state)
{
	json_t *b;
	reset_log();
	/* An empty log still has a signed head: the empty tree's. */
	assert_log_verifies("empty");
	assert_int_equal(get("/api/v1/audit/public-key", NULL, &b), 200);
	assert_string_equal(json_string_value(json_object_get(b, "public_key")), yj_audit_public_key_hex());
	assert_string_equal(json_string_value(json_object_get(b, "algorithm")), "ed25519");
	json_decref(b);
}

/* Signs in as role in region for the fake authentication hook below. */
static const char *const *as(const char *role, const char *region)
{
	static const char *h[5];
	h[0] = "X-Test-Role";
	h[1] = role;
	h[2] = "X-Test-Region";
	h[3] = region;
	h[4] = NULL;
	return h;
}

static int fake_auth(yj_req *r, yj_principal *p)
{
	const char *role = yj_header(r, "X-Test-Role"), *region = yj_header(r, "X-Test-Region");
	if (!role || !region)
		return 0;
	memset(p, 0, sizeof *p);
	p->user_id = 7;
	p->role_bit = strcmp(role, "leader") == 0 ? ROLE_LEADER : strcmp(role, "admin") == 0 ? ROLE_ADMIN : ROLE_INSPECTOR;
	snprintf(p->role, sizeof p->role, "%s", role);
	snprintf(p->region_code, sizeof p->region_code, "%s", region);
	yj_scope_init(&p->scope, region, "health", "*");
	return 1;
}

/* Pages through the leaves as role in region; returns how many, checking order and territory. */
static int list_all(const char *role, const char *region, const char *filter)
{
	int count = 0;
	json_int_t last = INT64_MAX;
	char pfx[16];
	yj_region_prefix(region, pfx);
	char *cursor = NULL;
	do {
		char url[300];
		json_t *b;
		snprintf(url, sizeof url, "/api/v1/audit/leaves?limit=7%s%s%s", filter, cursor ? "&cursor=" : "",
			 cursor ? cursor : "");
		free(cursor);
		cursor = NULL;
		assert_int_equal(get(url, as(role, region), &b), 200);
		json_t *items = json_object_get(b, "items"), *it;
		size_t i;
		json_array_foreach(items, i, it) {
			json_int_t idx = json_integer_value(json_object_get(it, "idx"));
			const char *rc = json_string_value(json_object_get(it, "region_code"));
			assert_true(idx < last);
			last = idx;
			assert_true(rc[0] == '\0' || strncmp(rc, pfx, strlen(pfx)) == 0);
			count++;
		}
		json_t *next = json_object_get(b, "next_cursor");
		if (json_is_string(next))
			cursor = yj_strdup(json_string_value(next));
		json_decref(b);
	} while (cursor);
	return count;
}

static void leaves_scoped(void **state)
{
	free(fresh_log());
	yj_auth_hooks hooks = {fake_auth, NULL};
	yj_server *plain = srv;
	static const yj_route *const tables[] = {yj_audit_routes};
	yj_http_config cfg = {0};
	srv = yj_server_new(&cfg, db, tables, 1, &hooks, keydir);
	json_t *b;
	assert_int_equal(get("/api/v1/audit/leaves", NULL, &b), 401);
	json_decref(b);
	assert_int_equal(get("/api/v1/audit/leaves", as("inspector", "330302"), &b), 403);
	json_decref(b);
	/* 330302 holds i % 3 == 0 (17 leaves); 16 leaves have no territory; 330303's are hidden. */
	assert_int_equal(list_all("leader", "330302", ""), 17 + 16);
	assert_int_equal(list_all("admin", "330300", ""), 50);
	assert_int_equal(list_all("leader", "330302", "&object_type=user&object_id=id-3"), 1);
	assert_int_equal(list_all("leader", "330302", "&object_id=id-4"), 0);
	assert_int_equal(list_all("leader", "330302", "&object_id=id-5"), 1);
	assert_int_equal(get("/api/v1/audit/leaves?cursor=!!", as("admin", "330300"), &b), 400);
	json_decref(b);
	assert_int_equal(get("/api/v1/audit/leaves?limit=0", as("admin", "330300"), &b), 400);
	json_decref(b);
	yj_server_free(srv);
	srv = plain;
}

/* ---- heads signed on an interval: sparse heads, the bound, and what verify says meanwhile ---- */

static void append_unsigned(int from, int to)
{
	for (int i = from; i < to; i++)
		assert_int_equal(store_tx(db, append_tx, &i), i);
}

static void sign_at(int64_t want)
{
	int64_t size = 0;
	assert_int_equal(yj_audit_sign_pending(db, &size), ST_OK);
	assert_int_equal(size, want);
}

/* A log signed only at sizes 10, 25 and 50, as a busy server's is: it verifies, proofs against each
 * head verify, and an edit with a recomputed hash is caught by the next head and named by range. */
static void sparse_heads(void **state)
{
	reset_log();
	append_unsigned(0, 10);
	sign_at(10);
	append_unsigned(10, 25);
	sign_at(25);
	sign_at(25); /* nothing pending: no second head */
	append_unsigned(25, 50);
	char *p = sth_path("sparse50");
	save_sth(p); /* the on-demand path signs 50 */
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_sth"), 3);
	char *report = NULL;
	assert_int_equal(verify(p, &report), 0);
	assert_non_null(strstr(report, "50 leaves and 3 signed tree heads"));
	free(report);
	/* Every leaf's inclusion in a signed head, and each head's consistency with the last. */
	static const int64_t sizes[] = {10, 25, 50};
	for (size_t k = 0; k < 3; k++) {
		unsigned char root[YJ_HASH_LEN], leaf[YJ_HASH_LEN], last[YJ_HASH_LEN];
		root_at(sizes[k], root);
		root_at(50, last);
		for (int64_t i = 0; i < sizes[k]; i++) {
			char url[120];
			json_t *b;
			size_t n;
			snprintf(url, sizeof url, "/api/v1/audit/proof/inclusion?index=%lld&tree_size=%lld", (long long)i,
				 (long long)sizes[k]);
			assert_int_equal(get(url, NULL, &b), 200);
			unsigned char (*path)[YJ_HASH_LEN] = hashes_of(json_object_get(b, "audit_path"), &n);
			yj_hex_decode(json_string_value(json_object_get(b, "leaf_hash")), leaf, YJ_HASH_LEN);
			assert_true(yj_merkle_verify_inclusion(leaf, (size_t)i, (size_t)sizes[k],
							       (const unsigned char (*)[YJ_HASH_LEN])path, n, root));
			free(path);
			json_decref(b);
		}
		char url[120];
		json_t *b;
		size_t n;
		snprintf(url, sizeof url, "/api/v1/audit/proof/consistency?first=%lld", (long long)sizes[k]);
		assert_int_equal(get(url, NULL, &b), 200);
		assert_int_equal(json_integer_value(json_object_get(b, "second")), 50);
		unsigned char (*proof)[YJ_HASH_LEN] = hashes_of(json_object_get(b, "consistency"), &n);
		assert_true(yj_merkle_verify_consistency((size_t)sizes[k], 50, root, last,
							 (const unsigned char (*)[YJ_HASH_LEN])proof, n));
		free(proof);
		json_decref(b);
	}
	/* Leaves not signed yet verify as far as they can, and are reported as such. */
	append_unsigned(50, 53);
	assert_int_equal(verify(p, &report), 0);
	assert_non_null(strstr(report, "3 leaves after the last signed head (size 50) are not signed yet"));
	free(report);
	/* An edit together with its hash is caught by the head that covers it, named by range. */
	char hex[65], sql[200];
	exec_sql("UPDATE audit_leaves SET actor = 'mallory' WHERE idx = 17");
	attacker_hash(17, hex);
	snprintf(sql, sizeof sql, "UPDATE audit_leaves SET leaf_hash = '%s' WHERE idx = 17", hex);
	exec_sql(sql);
	assert_names(p, "leaves 10…24: the signed tree head at size 25 does not match");
	free(p);
}

/* The signer of serve: a leaf committed while it runs is covered by a signed head within the bound
 * (with slack for a loaded machine), and stopping it signs what is left. */
static void signer_bound(void **state)
{
	reset_log();
	const int64_t bound = 400;
	char *err = NULL;
	yj_audit_signer *g = yj_audit_signer_start(db, bound, &err);
	assert_non_null(g);
	int64_t worst = 0;
	for (int round = 0; round < 3; round++) {
		int i = round;
		assert_int_equal(store_tx(db, append_tx, &i), i);
		int64_t t0 = yj_now_ms(), covered = 0;
		while (covered < i + 1 && yj_now_ms() - t0 < 10 * bound) {
			covered = query_int("SELECT COALESCE(MAX(tree_size), 0) FROM audit_sth");
			if (covered < i + 1)
				usleep(5000);
		}
		int64_t took = yj_now_ms() - t0;
		print_message("leaf %d covered after %lld ms (bound %lld)\n", i, (long long)took, (long long)bound);
		assert_int_equal(covered, i + 1);
		worst = took > worst ? took : worst;
	}
	assert_true(worst <= bound + 200);
	/* A leaf appended just before the stop is signed by the stop. */
	int i = 3;
	assert_int_equal(store_tx(db, append_tx, &i), 3);
	yj_audit_signer_stop(g);
	assert_int_equal(query_int("SELECT MAX(tree_size) FROM audit_sth"), 4);
	assert_null(yj_audit_signer_start(db, 0, &err));
	free(err);
}

/* Two handles on one database (two processes' worth: on PostgreSQL, two connections pools) signing
 * at once store one head per size, all over one tree. */
typedef struct racer {
	store *s;
	int signs;
} racer;
static _Atomic int racing_done;

static void *sign_racer(void *arg)
{
	racer *r = arg;
	while (!racing_done) {
		int64_t before = query_int("SELECT COALESCE(MAX(tree_size), 0) FROM audit_sth"), after = 0;
		assert_int_equal(yj_audit_sign_pending(r->s, &after), ST_OK);
		r->signs += after > before;
	}
	return NULL;
}

static void racing_signers(void **state)
{
	reset_log();
	char *err = NULL;
	store *other = store_open(t.url, &err);
	assert_non_null(other);
	racer r[2] = {{db, 0}, {other, 0}};
	worker w = {0, 60, 0};
	pthread_t th[3];
	racing_done = 0;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[1 + i], NULL, sign_racer, &r[i]), 0);
	assert_int_equal(pthread_create(&th[0], NULL, append_worker, &w), 0);
	pthread_join(th[0], NULL);
	racing_done = 1;
	for (int i = 1; i < 3; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(w.failures, 0);
	print_message("heads signed: %d and %d\n", r[0].signs, r[1].signs);
	store_close(other);
	char *p = sth_path("racing");
	save_sth(p);
	char *report = NULL;
	assert_int_equal(verify(p, &report), 0);
	free(report);
	/* One head per size, ascending roots all of one tree (verify checked each against the leaves). */
	assert_int_equal(query_int("SELECT COUNT(*) FROM audit_sth"), query_int("SELECT COUNT(DISTINCT tree_size) FROM audit_sth"));
	free(p);
}

/* ---- the writer's leaf hash against the format's definition ---- */

/* Texts that need every kind of escape jansson writes (docs/audit.md: the leaf is jansson's compact
 * sorted dump), texts it writes as they are, and one longer than the writer's buffer. */
static const char *const odd_texts[] = {
	"", "quote \" and backslash \\ and slash /", "\x01\x02\x07\x08\t\n\x0b\x0c\r\x1b\x1f end",
	"DEL \x7f, 张三, 𠀀 (four bytes), \xe2\x80\xa8 (U+2028)", "{\"json\":[1,\"x\"]}", NULL,
};

static int odd_tx(store_conn *c, void *arg)
{
	/* 0: one by one; 1: a deferred flush of a few (multi-row INSERT); 2: of 130 (PostgreSQL: COPY). */
	int mode = *(int *)arg, deferred = mode > 0, rc = ST_OK;
	char *big = yj_malloc(3001);
	memset(big, 'x', 3000);
	big[3000] = '\0';
	big[1500] = '"';
	if (deferred)
		yj_audit_defer_begin(c);
	size_t texts = YJ_ARRAY_LEN(odd_texts) - 1, rounds = mode == 2 ? 26 : 1;
	for (size_t j = 0; j < rounds * texts && rc >= 0; j++) {
		size_t i = j % texts;
		const char *o = odd_texts[i], *n = odd_texts[i + 1] ? odd_texts[i + 1] : big;
		json_t *state = json_pack("{s:s}", "v", o);
		yj_audit_event ev = {o, n, o, n, o, state};
		rc = yj_audit_append(c, &ev, NULL);
		json_decref(state);
	}
	if (rc >= 0 && deferred)
		rc = yj_audit_defer_flush(c);
	else if (deferred)
		yj_audit_defer_discard(c);
	free(big);
	return rc < 0 ? rc : ST_OK;
}

/* Every stored leaf hash is SHA-256(0x00 ‖ jansson's dump of the row's fields), recomputed here from
 * the row: appended one by one and in deferred flushes (an import's: by INSERT, and by COPY on
 * PostgreSQL), the log verifies. */
static void leaf_hash_escapes(void **state)
{
	reset_log();
	for (int mode = 0; mode < 3; mode++)
		assert_int_equal(store_tx(db, odd_tx, &mode), ST_OK);
	store_stmt *st = store_prepare(store_conn_get(db), "SELECT idx, at, actor, action, object_type, object_id,"
							   " state_hash, region_code, leaf_hash FROM audit_leaves ORDER BY idx");
	int n = 0;
	while (store_step(st) == ST_ROW) {
		json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "idx", (json_int_t)store_col_int64(st, 0),
				      "at", (json_int_t)store_col_int64(st, 1), "actor", store_col_text(st, 2), "action",
				      store_col_text(st, 3), "type", store_col_text(st, 4), "id", store_col_text(st, 5),
				      "state", store_col_text(st, 6), "region", store_col_text(st, 7));
		char *data = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		unsigned char h[YJ_HASH_LEN];
		char hex[65];
		yj_merkle_leaf_hash(data, strlen(data), h);
		yj_hex_encode(h, YJ_HASH_LEN, hex);
		assert_string_equal(store_col_text(st, 8), hex);
		free(data);
		json_decref(j);
		n++;
	}
	store_finalize(st);
	assert_int_equal(n, 140);
	int64_t size = 0;
	assert_int_equal(yj_audit_sign_pending(db, &size), ST_OK);
	assert_log_verifies("escapes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_files),
		cmocka_unit_test(append_and_verify),
		cmocka_unit_test(concurrent_appends),
		cmocka_unit_test(grouped_appends),
		cmocka_unit_test(disclosures_in_groups),
		cmocka_unit_test(disclosure_head_guess),
		cmocka_unit_test(held_leaves_refused),
		cmocka_unit_test(edited_leaf),
		cmocka_unit_test(edited_leaf_and_hash),
		cmocka_unit_test(deleted_leaf),
		cmocka_unit_test(deleted_last_leaves),
		cmocka_unit_test(swapped_leaves),
		cmocka_unit_test(forged_head),
		cmocka_unit_test(edited_frontier),
		cmocka_unit_test(sth_and_key),
		cmocka_unit_test(inclusion_proofs),
		cmocka_unit_test(consistency_proofs),
		cmocka_unit_test(leaves_scoped),
		cmocka_unit_test(sparse_heads),
		cmocka_unit_test(signer_bound),
		cmocka_unit_test(racing_signers),
		cmocka_unit_test(leaf_hash_escapes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
