/* import_int.h — inside the import: the batch probes of import_store.c that import.c checks rows with. */
#ifndef YJ_IMPORT_INT_H
#define YJ_IMPORT_INT_H

#include "import.h"

/* Rows checked per probe: one query per batch for each kind of probe (IN lists of this many
 * parameters stay well under SQLite's 32,766 and PostgreSQL's 65,535). */
#define YJ_IMPORT_BATCH 1000

/* Looks up the n natural keys of kind k (the key field's text) in one query and sets, for each
 * one that exists, found[key] = [id, version, region_code] (found is the caller's object). Keys
 * absent from found do not exist in the snapshot. Returns ST_OK or a store failure. */
int yj_import_probe_keys(store_conn *c, const reg_kind *k, const char *const *keys, size_t n, json_t *found);

#endif
