/* attach.h — the one content-addressed store of attachments and evidence, inside the database: each
 * content once, by its SHA-256, in chunks of YJ_BLOB_CHUNK bytes (tables blobs and blob_chunks, BYTEA),
 * so every `yijian serve` sharing a PostgreSQL sees every file and a backup of the database holds them.
 * Reading never holds a whole file in memory: chunks go one by one to a file descriptor. Which
 * object a content belongs to, who may read it and quotas are the capability's business. */
#ifndef YJ_ATTACH_H
#define YJ_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "../store/store.h"

#define YJ_BLOB_CHUNK (256u << 10)

/* Stores data[0..n) unless its content is stored already; hex receives its SHA-256 (64 lowercase hex
 * digits). Inside the caller's write transaction. Returns ST_OK or a store failure. */
int yj_blob_put(store_conn *c, const void *data, size_t n, char hex[65]);
/* Stores the content of the file fd (read from its start, twice: its hash, then its chunks; one chunk in
 * memory at a time, so a file of any size) unless stored already; hex receives its SHA-256 and *size its
 * length. The caller keeps and closes fd. Inside the caller's write transaction. ST_OK, ST_ERR when the file
 * cannot be read, or a store failure. */
int yj_blob_put_fd(store_conn *c, int fd, char hex[65], int64_t *size);
/* The size of the stored content hex: ST_OK, ST_NOTFOUND or a failure. */
int yj_blob_size(store_conn *c, const char *hex, int64_t *size);
/* Writes the content hex to fd from its current offset, one chunk in memory at a time. ST_OK,
 * ST_NOTFOUND, ST_ERR when a chunk is missing or a write fails, or a store failure. */
int yj_blob_write(store_conn *c, const char *hex, int fd);

/* The chunks of data[0..n) as the content hex, whose blobs row a migration has inserted already (a
 * capability moving its own older storage into this store: inspection's migration 0006). Inside the
 * caller's write transaction. Returns ST_OK or a store failure. */
int yj_blob_put_chunks(store_conn *c, const char *hex, const void *data, size_t n);

#endif
