/* open311.h — Open311 GeoReport v2 inside the complaints module (docs/open311.md): the wire formats
 * (open311.c), the client keys and the queries (open311_store.c), the routes (open311_api.c).
 * Internal to the module. json_t * results are new references; arguments are borrowed unless a
 * function says it steals them. */
#ifndef YJ_CMP_OPEN311_H
#define YJ_CMP_OPEN311_H

#include "cmp_int.h"

enum { O311_JSON = 1, O311_XML = 2 };

/* The format of a path segment by its suffix (".json" → O311_JSON, ".xml" → O311_XML, else 0) and its
 * stem without the suffix into stem (cap bytes; may be NULL). */
int o311_format(const char *segment, char *stem, size_t cap);
/* Replies body (stolen; an array or an object) as JSON, or as XML under the element root. */
int o311_reply(yj_req *r, int fmt, int status, const char *root, json_t *body);
/* Replies the spec's error body [{code, description}] with status as both. */
int o311_error(yj_req *r, int fmt, int status, const char *description);
/* Writes a problem reply under /open311/ as the spec's error body, in XML when the path ends in .xml:
 * the module's error writer for its path prefix (http.h, yj_error_writer; errors stolen). */
int o311_problem(yj_req *r, int status, const char *title, const char *detail, json_t *errors);
/* An application/x-www-form-urlencoded body as {name: value, …, "attribute": {code: value or [values]}}
 * (new reference), or NULL when it is malformed or not UTF-8. */
json_t *o311_form_parse(const char *body, size_t len);

/* The client holding the api_key: ST_OK with *id and its territory, ST_NOTFOUND or a failure. */
int o311_key_find(store_conn *c, const char *api_key, int64_t *id, char region[16]);
/* A new client key: its id and the key in clear (out, 70 bytes: "o311_" + 64 hex) — shown once. */
int o311_key_create(store_conn *c, const char *name, const char *region, const char *actor, int64_t *id, char key[70]);
/* The keys in scope sc as [{id, name, region_code, created_at}]. */
int o311_keys_json(store_conn *c, const yj_scope *sc, json_t **out);
/* The client's matters: when codes (an array of tracking codes) is given, those of them it filed;
 * else those created in [from_ms, to_ms) with a category among services (NULL: any) and a status
 * among statuses ("open", "closed"; NULL: any), newest first, at most limit. Each as the spec's
 * request object. */
int o311_requests(store_conn *c, int64_t client, const json_t *codes, const json_t *services, const json_t *statuses,
		  int64_t from_ms, int64_t to_ms, int limit, json_t **out);
/* A matter as the spec's request object; with_content adds description, address and the position
 * (for the client that filed it), otherwise they are null. */
json_t *o311_request_json(store_conn *c, const json_t *m, int with_content);

#endif
