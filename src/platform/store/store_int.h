/* store_int.h — what store.c shares with its engine drivers: the driver vtable and the common
 * parts of the store, connection and statement objects. Only store*.c include this. */
#ifndef YJ_STORE_INT_H
#define YJ_STORE_INT_H

#include "store.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct store_driver {
	const char *name;
	/* Opens the engine-level handle for s (s->url is set). 0 or ST_ERR with *err. */
	int (*open)(store *s, char **err);
	void (*close)(store *s);
	store_conn *(*conn_open)(store *s);
	void (*conn_close)(store_conn *c);
	int (*begin)(store_conn *c, int write);
	int (*commit)(store_conn *c);
	int (*rollback)(store_conn *c);
	int (*exec)(store_conn *c, const char *sql);
	store_stmt *(*prepare)(store_conn *c, const char *sql);
	int (*bind_int64)(store_stmt *st, int idx, int64_t v);
	int (*bind_text)(store_stmt *st, int idx, const char *v, int len);
	int (*bind_text_static)(store_stmt *st, int idx, const char *v, int len); /* NULL: bind_text */
	int (*bind_null)(store_stmt *st, int idx);
	int (*bind_blob)(store_stmt *st, int idx, const void *data, size_t len);
	int (*step)(store_stmt *st);
	void (*stream)(store_stmt *st); /* NULL: steps are row by row already */
	void (*plan_each)(store_stmt *st); /* NULL: plans are made with the values already */
	int (*column_count)(store_stmt *st);
	int (*col_is_null)(store_stmt *st, int col);
	int64_t (*col_int64)(store_stmt *st, int col);
	const char *(*col_text)(store_stmt *st, int col);
	const void *(*col_blob)(store_stmt *st, int col, size_t *len);
	int64_t (*changes)(store_stmt *st);
	void (*finalize)(store_stmt *st);
	const char *(*errmsg)(store_conn *c);
	int (*backup)(store *s, const char *dest, char **err);
	/* Bulk load (store.h: store_copy_begin); NULL where the engine has none. */
	store_stmt *(*copy_begin)(store_conn *c, const char *table, const char *columns, int ncols);
	int (*copy_row)(store_stmt *st);
	int (*copy_end)(store_stmt *st);
	int (*copy_end_async)(store_stmt *st); /* NULL: copy_end */
	int (*copy_wait)(store_conn *c);       /* NULL: nothing is ever pending */
	/* Ends a load the client gave up on (store_copy_rows) as refused: the server keeps none of its
	 * rows; frees st. NULL: copy_end. */
	int (*copy_abort)(store_stmt *st);
} store_driver;

struct store {
	const store_driver *drv;
	char *url;	     /* as given */
	char *target;	     /* sqlite: file path; postgresql: the conninfo URL */
	void *engine;	     /* driver's own state */
	pthread_key_t key;   /* thread -> store_conn */
	pthread_mutex_t lock; /* guards conns */
	store_conn **conns;  /* every connection opened, for close */
	size_t nconns;
	_Atomic int64_t n_tx, n_rollback, n_retry, writer_wait_ns;
};

/* Every driver's connection starts with this. */
struct store_conn {
	store *s;
	int in_tx;
	int tx_write;	    /* the open transaction is a write transaction */
	int64_t writes;	    /* write transactions committed, for store_conn_writes */
	int64_t statements; /* prepared on this connection, for store_conn_statements */
	int64_t tx_serial;  /* the current or last transaction's serial, for store_conn_tx_serial */
};

/* Every driver's statement starts with this. */
struct store_stmt {
	store_conn *c;
};

/* store_pg.c: whether c's server session is up (a failure on it was not a lost connection). */
int store_pg_conn_ok(store_conn *c);

extern const store_driver store_sqlite_driver;
extern const store_driver store_pg_driver;

#endif
