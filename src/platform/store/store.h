/* store.h — the one storage interface of yijian, with two engines behind it: SQLite (store_sqlite.c)
 * and PostgreSQL through libpq (store_pg.c). Domain code writes SQL in the portable subset both
 * accept, with `?` placeholders, and never learns which engine runs.
 *
 * Threads: a store is shared; each thread gets its own connection from store_conn_get(), which
 * stays valid for that thread until store_close(). Statements belong to their connection. */
#ifndef YJ_STORE_H
#define YJ_STORE_H

#include <stddef.h>
#include <stdint.h>

/* Results. Failures are negative so `if (rc < 0)` catches them all. */
enum {
	ST_OK = 0,
	ST_ROW = 1,	    /* store_step: a row is ready */
	ST_DONE = 2,	    /* store_step: no more rows */
	ST_NOCOPY = 3,	    /* store_copy_rows: the engine has no COPY; nothing was sent */
	ST_ERR = -1,	    /* any other failure; see store_errmsg */
	ST_CONFLICT = -2,   /* unique or foreign-key constraint violated */
	ST_RETRY = -3,	    /* serialization failure or busy: run the transaction again */
	ST_NOTFOUND = -4,   /* used by callers: no such row (or not in the caller's scope) */
};

typedef struct store store;
typedef struct store_conn store_conn;
typedef struct store_stmt store_stmt;

/* Opens "sqlite:PATH" or "postgresql://…" (also "postgres://…"). Returns NULL and sets *err
 * (caller frees) on failure. Does not migrate. */
store *store_open(const char *url, char **err);
/* Closes every connection of every thread. No connection may be in use. */
void store_close(store *s);
/* "sqlite" or "postgresql". */
const char *store_engine(const store *s);
/* The engine of a connection's store, the same names: for a module's migration step (module.h, after)
 * that has PostgreSQL-only work, such as extended statistics. */
const char *store_conn_engine(const store_conn *c);

/* The calling thread's connection, opened on first use. Never NULL: returns a connection
 * whose operations fail with ST_ERR when the database cannot be reached. */
store_conn *store_conn_get(store *s);
/* Closes the calling thread's connection, if it has one: for a thread that ends before the store is
 * closed (an import's checking thread, import.c), so a server's connections do not pile up with the
 * threads it has run. No statement or transaction of that connection may be open. */
void store_conn_release(store *s);

/* Transactions. write=1 takes the single writer (SQLite: a process-wide mutex and BEGIN IMMEDIATE);
 * write=0 is a read snapshot. Every begin is ended by exactly one commit or rollback. */
int store_begin(store_conn *c, int write);
int store_commit(store_conn *c);
int store_rollback(store_conn *c);

/* Runs fn inside a write transaction, committing when fn returns >= 0 and rolling back otherwise;
 * when fn or the commit returns ST_RETRY the whole transaction runs again (bounded, with backoff).
 * Returns what fn returned, or the commit's failure. This is the one retry wrapper. */
typedef int (*store_tx_fn)(store_conn *c, void *arg);
int store_tx(store *s, store_tx_fn fn, void *arg);

/* Group commit (group.c): the same contract as store_tx for the caller — fn runs inside a write
 * transaction, and the call returns fn's result only once that transaction has committed (or fn was
 * refused and its writes undone) — but concurrent callers share one transaction and one commit: the
 * first caller in the queue runs every queued fn in turn, each in a savepoint of its own (a
 * failing fn undoes only its own writes), commits once and wakes the others. A fn that returns
 * ST_RETRY, or whose group's commit fails, is run again alone through store_tx. So fn may run on
 * ANOTHER thread, on that thread's connection: it must use only c and arg (no thread-locals of the
 * caller's), and must not start a transaction itself. For many small writes each waiting on one
 * synced commit or on one hot row (the audit head): docs/audit.md, "Group commit". */
int store_tx_group(store *s, store_tx_fn fn, void *arg);
/* The same for a fn that sends no statement through c: its only effect is what the group hooks
 * keep for the flush (the audit log's deferred leaves, yj_audit_disclose), undone by the hooks when
 * it fails. No savepoint is set around it, which saves the leader one round trip per member, and
 * it leads a group only when no other group of the process runs (group.c, leaders_for). */
int store_tx_group_deferred(store *s, store_tx_fn fn, void *arg);
/* What a layer above the store keeps per transaction and writes just before a group's commit (the
 * audit log defers its members' leaves: audit.h). All run on the leader's thread with its
 * connection: begin after BEGIN; mark before each member and undo(mark) when the member rolled back
 * to its savepoint; flush before COMMIT (a failure rolls the group back); discard on rollback. One
 * set per process (the last set wins); set once at start, before any group runs. flush_alone (may be
 * NULL; PostgreSQL only): for a group whose members send no statement, begin, the members, then
 * flush_alone with NO transaction open — it writes what they kept and commits it itself, and always
 * drops what was kept; ST_OK once committed, a failure (ST_RETRY: try the members alone) otherwise. */
typedef struct store_group_hooks {
	void (*begin)(store_conn *c);
	size_t (*mark)(store_conn *c);
	void (*undo)(store_conn *c, size_t mark);
	int (*flush)(store_conn *c);
	void (*discard)(store_conn *c);
	int (*flush_alone)(store_conn *c);
} store_group_hooks;
void store_group_hooks_set(const store_group_hooks *h);
/* Groups of two or more run so far in this process, and the members they held, for /metrics. */
void store_group_stats(int64_t *groups, int64_t *members);

/* Runs SQL without parameters (may hold several statements). */
int store_exec(store_conn *c, const char *sql);

/* Prepared statements. Placeholders are `?`, numbered from 1 in bind calls. Statements are cached
 * per connection by SQL text, so preparing the same SQL again is cheap. The caller finishes every
 * statement with store_finalize (which returns it to the cache). A SELECT may end in FOR UPDATE
 * [SKIP LOCKED]: PostgreSQL locks the rows; SQLite drops the clause (its one writer serialises). */
store_stmt *store_prepare(store_conn *c, const char *sql);
int store_bind_int64(store_stmt *st, int idx, int64_t v);
/* The text is copied; len < 0 means NUL-terminated. NULL binds SQL NULL. */
int store_bind_text(store_stmt *st, int idx, const char *v, int len);
/* As store_bind_text, but the engine may keep v itself instead of a copy (SQLite does; PostgreSQL
 * copies): v must stay valid and unchanged until the statement is finalized. For bulk inserts,
 * whose millions of bound texts outlive their statements: a copy and a free each cost more than
 * the row's insert into the page (docs/benchmarks.md, the import's eighth round). */
int store_bind_text_static(store_stmt *st, int idx, const char *v, int len);
int store_bind_null(store_stmt *st, int idx);
/* Bytes for a BYTEA column (SQLite stores them as a BLOB, PostgreSQL as bytea); copied. */
int store_bind_blob(store_stmt *st, int idx, const void *data, size_t len);
/* Returns ST_ROW, ST_DONE or a failure. */
int store_step(store_stmt *st);
/* Asks that st's executions hand their rows over one at a time rather than whole: for a read with
 * no bound on its rows (an export), so memory holds one row, not the result. Call after binding and
 * before the first store_step; it holds until store_finalize. SQLite already steps row by row (a
 * no-op); PostgreSQL uses libpq's single-row mode. Other statements may still run on the connection
 * while st is being stepped (a row callback that looks something up): the rest of st's rows are then
 * read into memory first, correct but no longer bounded. Finalizing st before its last row reads and
 * drops the rest, so the connection is clean for what comes next; a failure mid-way is a step's. */
void store_stream(store_stmt *st);
/* Asks that st be planned for the values bound at each execution rather than once for all: for a
 * read whose best plan depends on its values (a list's scope range, a name search's gram and LIKE
 * pattern, a filter's code). Why: PostgreSQL switches a prepared statement to a generic plan after
 * five executions when that plan's estimated cost is no worse than the custom plans' average, and the
 * estimate of a range or LIKE on unknown values is blind: the generic plan of an institution name
 * search walked every institution of the province (about 700 ms at 100,000 records, against 0.05 ms
 * for the plan made with the values; docs/benchmarks.md, "Lists at 100,000 records"). PostgreSQL runs
 * st as an unnamed statement (parsed and planned each time); SQLite plans at prepare, a no-op. Call
 * before the first store_step; it holds until store_finalize. */
void store_plan_each(store_stmt *st);
/* Column access for the current row, 0-based. Text stays valid until the next step or finalize. */
int store_column_count(store_stmt *st);
int store_col_is_null(store_stmt *st, int col);
int64_t store_col_int64(store_stmt *st, int col);
const char *store_col_text(store_stmt *st, int col); /* NULL for SQL NULL */
/* The bytes of a BYTEA column, their count in *len; NULL for SQL NULL. Valid until the next step,
 * store_col_blob or finalize of st. */
const void *store_col_blob(store_stmt *st, int col, size_t *len);
/* Rows changed by the last completed INSERT/UPDATE/DELETE of this statement. */
int64_t store_changes(store_stmt *st);
void store_finalize(store_stmt *st);
/* Statements prepared on this connection since it opened (cached ones included): what one request
 * costs the store, so a test can see that a page takes a constant number of statements. */
int64_t store_conn_statements(const store_conn *c);
/* The serial of the connection's current (or last) transaction, unique in the process (no two
 * transactions of any connections share one, even after a connection is closed): a key for what a
 * caller keeps for the length of one transaction (a value read once and reused by a commit group's
 * members). 0 before the first. */
int64_t store_conn_tx_serial(const store_conn *c);

/* Bulk load. store_copy_begin returns a statement with ncols parameters whose rows are bound as an
 * INSERT's (store_bind_*, from 1) and sent one at a time with store_copy_row; store_copy_end sends
 * the rest, reports the load's result (ST_CONFLICT when a row breaks a constraint; the whole load
 * is then refused, so the caller rolls back) and frees the statement (no store_finalize). On
 * PostgreSQL this is COPY table (columns) FROM STDIN, one round trip per ~64 KiB; on SQLite it
 * returns NULL (an INSERT is already an in-process call): the caller then INSERTs. Nothing else may
 * run on the connection between begin and end. */
store_stmt *store_copy_begin(store_conn *c, const char *table, const char *columns, int ncols);
int store_copy_row(store_stmt *st);
int store_copy_end(store_stmt *st);
/* store_copy_end without waiting for the server: the end is sent and the statement freed, and the
 * client may work on while the server still inserts the rows (PostgreSQL). The load's result is
 * read by store_copy_wait, which the caller must call before it relies on the rows or their
 * refusal (ST_CONFLICT); any other operation on c reads it first too, failing when the load did.
 * Returns ST_OK or a failure to send. */
int store_copy_end_async(store_stmt *st);
int store_copy_wait(store_conn *c);
/* Binds row `row` of a bulk load (store_copy_rows, store_insert_rows) to parameters idx, idx + 1, …
 * of st with store_bind_*; returns the next free index, or a failure (< 0) that stops the load. */
typedef int (*store_rows_bind_fn)(store_stmt *st, int idx, size_t row, void *arg);
/* Rows 0 … nrows - 1 of ncols values each, bound by bind (idx always 1), into table (columns) in one
 * COPY (store_copy_begin, _row, _end). Returns ST_OK once the server took them — with async, once they
 * were sent (store_copy_end_async: store_copy_wait reports the load); ST_NOCOPY when the engine has no
 * COPY (SQLite; the read view of store_route.c), nothing sent, so the caller INSERTs instead
 * (store_insert_rows); or a failure: the COPY's (ST_CONFLICT when a row breaks a constraint), or
 * bind's first one, after which the load is refused, not ended, so the server keeps none of its rows.
 * After a failure an open transaction is aborted on PostgreSQL (as by any failed statement): the
 * caller rolls back. The statement is begun and freed here on every path; the caller never holds it.
 * Whether a load is worth a COPY (a round trip more than one INSERT: not for a few rows) is the
 * caller's call: store_load_rows makes it. */
int store_copy_rows(store_conn *c, const char *table, const char *columns, int ncols, size_t nrows,
		    store_rows_bind_fn bind, void *arg, int async);
/* The same rows in multi-row INSERT INTO table (columns) VALUES (…), (…) statements of up to 512 rows
 * (fewer with many columns: every value is a parameter, under both engines' limits), cut in powers of
 * two so a table's loads use at most ten statement texts whatever their counts. ST_OK or the first
 * failure (ST_CONFLICT on a unique key, or bind's); the rows of the statements before it stay, as
 * any statement's, until the caller rolls back. The statements are prepared and finalized here. */
int store_insert_rows(store_conn *c, const char *table, const char *columns, int ncols, size_t nrows,
		      store_rows_bind_fn bind, void *arg);
/* Rows from which a load goes by COPY: below, the COPY's extra round trip costs more than the INSERTs'
 * parsing and planning save. */
#define STORE_COPY_FROM 128
/* A bulk load as the bulk writers want it: from STORE_COPY_FROM rows one store_copy_rows (async as
 * there), else — or where the engine has no COPY — store_insert_rows. Returns what the one it ran did. */
int store_load_rows(store_conn *c, const char *table, const char *columns, int ncols, size_t nrows,
		    store_rows_bind_fn bind, void *arg, int async);
/* Refreshes the planner's statistics of table after a bulk write (outside a transaction). Why:
 * PostgreSQL's statistics lag a large load until autovacuum's next pass (up to a minute, longer under
 * load), and a plan made from an empty table's statistics walks every row — an institution name search
 * took 54 ms instead of 0.3 ms right after a 30,000-row import (docs/benchmarks.md, "Statistics after
 * an import"). PostgreSQL runs ANALYZE; SQLite's planner runs on its heuristics without sqlite_stat1
 * throughout yijian, so it is a no-op there. */
int store_analyze(store_conn *c, const char *table);
/* store_analyze with PostgreSQL's statistics target set to target for this ANALYZE alone (SET LOCAL
 * in the same implicit transaction: the session's own is unchanged, also when it fails): a sample
 * of 300 × target rows instead of the default 30,000, for a table whose plans depend on its size,
 * not on the distribution of its values (record_history: docs/benchmarks.md, "Issue 15: the
 * import's audit flush and events on PostgreSQL"). target ≤ 0 is store_analyze. */
int store_analyze_target(store_conn *c, const char *table, int target);

/* SQLite's page cache of connection c set to size, as PRAGMA cache_size takes it (negative: KiB;
 * positive: pages); *was (may be NULL) gets the setting it replaces, to give back afterwards. Why:
 * one large write transaction (an import's publication) outgrows the default 2 MB, and SQLite then
 * spills its dirty pages into the WAL and reads them back; raising the cache for that transaction
 * alone and lowering it after keeps the other connections' memory as it was. PostgreSQL, whose
 * buffers are the server's, changes nothing (*was = 0). ST_OK or a failure. */
int store_page_cache(store_conn *c, int64_t size, int64_t *was);

/* A message for the last failure on this connection (owned by the connection). Never contains
 * bound values, so it may be logged. */
const char *store_errmsg(store_conn *c);

/* Convenience for one-value queries: runs sql with one optional text bind and returns the first
 * column of the first row as int64 in *out. Returns ST_OK, ST_NOTFOUND or a failure. */
int store_query_int64(store_conn *c, const char *sql, const char *bind1, int64_t *out);

/* For a migration's C step, inside its transaction: drops the foreign-key constraint of table.column
 * (an inline REFERENCES clause, the last part of the column's definition), keeping the column and its
 * data. PostgreSQL drops <table>_<column>_fkey; SQLite edits the table's definition in place, its
 * documented way of removing a constraint (schema.c). ST_OK also when there is none; a failure. table
 * and column are identifiers of the code, never input. */
int store_drop_foreign_key(store_conn *c, const char *table, const char *column);

/* For a migration's C step, inside its transaction: keeps table's rows in its primary key's B-tree
 * alone where the engine can — a table read and written only by its key then costs one B-tree, not
 * a row store and a key index. SQLite rebuilds it WITHOUT ROWID (rows carried over, its indexes
 * made again); PostgreSQL, which keeps every table in a heap, changes nothing. The table needs a
 * primary key and must not be referenced by foreign keys, triggers or views. ST_OK (also when it
 * is so already) or a failure. table is an identifier of the code, never input. */
int store_key_only_table(store_conn *c, const char *table);

/* The number of migrations applied, over every module (migrations are versioned per module and
 * applied by yj_modules_migrate, platform/module.h), or a failure. */
int store_schema_version(store *s, int64_t *version);

/* Pool figures for /metrics. */
typedef struct store_stats {
	int64_t connections;	/* open connections */
	int64_t transactions;	/* committed */
	int64_t rollbacks;
	int64_t retries;	/* transactions re-run by store_tx */
	int64_t writer_wait_ns; /* total time spent waiting for the SQLite writer */
} store_stats;
void store_get_stats(store *s, store_stats *out);

/* Write transactions committed on this connection since it opened: a caller compares the count
 * before and after a piece of work to learn whether the work wrote. */
int64_t store_conn_writes(const store_conn *c);

/* ---- a read replica (store_route.c; docs/operations.md, "Read replica") ----
 * A read view joins a PostgreSQL primary and a streaming replica of it (hot standby). Work on the
 * view's connection goes to the replica until the calling thread writes — a write transaction
 * (store_begin(c, 1), so every store_tx), a statement that is not a plain SELECT outside a
 * transaction, or store_exec — and from then on to the primary until store_view_reset, so what a
 * thread wrote it reads back. A replica that cannot be reached sends the work to the primary too.
 * A thread of the view checks every check_ms how far behind the replica is (LSN comparison with the
 * primary); store_view_status reads the result without waiting. */
typedef struct store_replica_status {
	int up;		       /* the last check reached the replica, and it is a standby */
	int64_t staleness_ms;  /* now minus the last moment the replica was seen to hold everything the
				* primary had written then; grows while checks fail */
	uint64_t replay_lsn;   /* WAL the replica has replayed, as of the last check */
} store_replica_status;
/* Opens the replica at replica_url and a view over it and primary (which must outlive the view) and
 * starts the checks. NULL with *err (caller frees) when primary is not PostgreSQL or the replica
 * cannot be reached or is not a standby. Closed with store_close (before the primary). */
store *store_view_open(store *primary, const char *replica_url, int64_t check_ms, char **err);
/* Whether s is a read view. */
int store_is_view(const store *s);
/* The calling thread's work on view goes to the replica again (the start of a request). */
void store_view_reset(store *view);
/* Whether the calling thread's work on view has gone to the primary since the last reset. */
int store_view_pinned(store *view);
/* The last check's result, staleness counted to now. */
void store_view_status(store *view, store_replica_status *out);
/* The primary's WAL position that covers every transaction this connection (of the primary) has
 * committed, in *lsn. ST_OK, or ST_ERR on SQLite or failure. */
int store_wal_lsn(store_conn *c, uint64_t *lsn);

/* Copies a live SQLite database to dest with SQLite's online backup API. ST_ERR for PostgreSQL
 * (use pg_dump). */
int store_backup(store *s, const char *dest, char **err);

#endif
