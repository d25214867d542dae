/* draw_store.c — the SQL of verifiable draws (draw_api.c and plan_api.c hold the handlers): a draw row
 * as JSON, the commitment and its sealed input, the tasks a draw creates, the drawn state, the
 * published bundle and the public list of draws. */
#define _POSIX_C_SOURCE 200809L
#include "insp_draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAW_COLS                                                                                                  \
	"id, plan_id, state, input_hash, secret_hash, commit_leaf, subject_count, draw_count, witness, server_secret," \
	" seed, result, draw_leaf, region_code, department, committed_at, drawn_at, actor"

static json_t *draw_json(store_stmt *st)
{
	json_t *res = store_col_is_null(st, 11) ? json_null() : json_loads(store_col_text(st, 11), 0, NULL);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o}", "id",
			 yj_json_id(store_col_int64(st, 0)), "plan_id", yj_json_id(store_col_int64(st, 1)), "state",
			 insp_text(st, 2), "input_hash", insp_text(st, 3), "secret_hash", insp_text(st, 4), "commit_leaf",
			 (json_int_t)store_col_int64(st, 5), "subject_count", (json_int_t)store_col_int64(st, 6), "draw_count",
			 (json_int_t)store_col_int64(st, 7), "witness", insp_text(st, 8), "server_secret", insp_text(st, 9),
			 "seed", insp_text(st, 10), "result", res ? res : json_null(), "draw_leaf", insp_int(st, 12),
			 "region_code", insp_text(st, 13), "department", insp_text(st, 14), "committed_at",
			 (json_int_t)store_col_int64(st, 15), "drawn_at", insp_int(st, 16), "actor", insp_text(st, 17));
}

int insp_draw_load(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	yj_qb *q = yj_q_select(&insp_draws_t, DRAW_COLS, sc);
	yj_q_where(q, "id = ?");
	yj_q_int(q, id);
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*out = draw_json(st);
		json_object_set_new(*out, "bundle_url", json_string_nocheck(""));
		char url[80];
		snprintf(url, sizeof url, "/api/v1/public/draws/%s/bundle", json_string_value(json_object_get(*out, "id")));
		json_object_set_new(*out, "bundle_url",
				    strcmp(json_string_value(json_object_get(*out, "state")), "drawn") ? json_null() : json_string(url));
		rc = ST_OK;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

int insp_draw_insert(store_conn *c, const insp_draw_new *d)
{
	store_stmt *st = store_prepare(c, "INSERT INTO inspection_draws (id, plan_id, state, input, input_hash, secret_cipher,"
					  " secret_hash, commit_leaf, subject_count, draw_count, region_code, department,"
					  " committed_at, actor) VALUES (?, ?, 'committed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, d->id);
	store_bind_int64(st, 2, d->plan_id);
	store_bind_text(st, 3, d->input, -1);
	store_bind_text(st, 4, d->input_hash, -1);
	store_bind_text(st, 5, d->secret_cipher, -1);
	store_bind_text(st, 6, d->secret_hash, -1);
	store_bind_int64(st, 7, d->commit_leaf);
	store_bind_int64(st, 8, d->subject_count);
	store_bind_int64(st, 9, d->draw_count);
	store_bind_text(st, 10, d->region, -1);
	store_bind_text(st, 11, d->department, -1);
	store_bind_int64(st, 12, d->committed_at);
	store_bind_text(st, 13, d->actor, -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int insp_draw_sealed(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	store_stmt *st;
	int rc = yj_q_one_by_id(c, &insp_draws_t,
				"state, input, secret_cipher, input_hash, secret_hash, commit_leaf, committed_at,"
				" plan_id, region_code, department",
				sc, id, &st);
	if (rc != ST_OK)
		return rc;
	*out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:o}", "state", insp_text(st, 0), "input",
			 insp_text(st, 1), "secret_cipher", insp_text(st, 2), "input_hash", insp_text(st, 3), "secret_hash",
			 insp_text(st, 4), "commit_leaf", (json_int_t)store_col_int64(st, 5), "committed_at",
			 (json_int_t)store_col_int64(st, 6), "plan_id", (json_int_t)store_col_int64(st, 7), "region_code",
			 insp_text(st, 8), "department", insp_text(st, 9));
	store_finalize(st);
	return ST_OK;
}

/* The bundle names inspectors by pseudonym (insp_pseudonym); the tasks need their user ids. Maps
 * every directory inspector's pseudonym to the id (*map, new reference) — inactive ones too, since
 * one may have left the directory between commitment and draw. */
int insp_pseudonym_map(store_conn *c, json_t **map)
{
	*map = json_object();
	store_stmt *st = store_prepare(c, "SELECT user_id FROM inspectors");
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		char p[18];
		insp_pseudonym(store_col_int64(st, 0), p);
		json_object_set_new(*map, p, yj_json_id(store_col_int64(st, 0)));
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int insp_draw_task_insert(store_conn *c, const insp_draw_task *t)
{
	store_stmt *st = store_prepare(c, "INSERT INTO inspection_tasks (id, kind, draw_id, plan_id, item_ids, subject_id,"
					  " subject_name, subject_code, region_code, department, phase, due_date, state,"
					  " created_by, created_at, updated_at, subject_kind) VALUES (?, 'random', ?, ?, ?, ?, ?, ?,"
					  " ?, ?, ?, ?, 'assigned', ?, ?, ?, ?)");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, t->id);
	store_bind_int64(st, 2, t->draw_id);
	store_bind_int64(st, 3, t->plan_id);
	store_bind_text(st, 4, t->item_ids, -1);
	store_bind_int64(st, 5, t->subject_id);
	store_bind_text(st, 6, t->subject_name, -1);
	store_bind_text(st, 7, t->subject_code, -1);
	store_bind_text(st, 8, t->region, -1);
	store_bind_text(st, 9, t->department, -1);
	store_bind_text(st, 10, t->phase, -1);
	store_bind_text(st, 11, t->due_date, -1);
	store_bind_text(st, 12, t->actor, -1);
	store_bind_int64(st, 13, t->at);
	store_bind_int64(st, 14, t->at);
	store_bind_text(st, 15, t->subject_kind ? t->subject_kind : "institution", -1);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int insp_draw_set_drawn(store_conn *c, const insp_draw_done *d)
{
	store_stmt *st = store_prepare(c, "UPDATE inspection_draws SET state = 'drawn', witness = ?, server_secret = ?, seed = ?,"
					  " result = ?, bundle = ?, draw_leaf = ?, drawn_at = ? WHERE id = ? AND state = 'committed'");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, d->witness, -1);
	store_bind_text(st, 2, d->secret, -1);
	store_bind_text(st, 3, d->seed, -1);
	store_bind_text(st, 4, d->result, -1);
	store_bind_text(st, 5, d->bundle, -1);
	store_bind_int64(st, 6, d->leaf);
	store_bind_int64(st, 7, d->at);
	store_bind_int64(st, 8, d->id);
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int insp_draw_tasks(store_conn *c, const yj_scope *sc, int64_t id, json_t **out)
{
	int rc = ST_OK;
	yj_qb *q = yj_q_select(&insp_tasks_t, "id, subject_id, subject_name, phase, state", sc);
	yj_q_where(q, "draw_id = ?");
	yj_q_int(q, id);
	yj_q_tail(q, "ORDER BY id");
	store_stmt *st = yj_q_prepare(q, c);
	json_t *tasks = json_array();
	while (st && (rc = store_step(st)) == ST_ROW)
		json_array_append_new(tasks, json_pack("{s:o, s:o, s:o, s:o, s:o}", "id", yj_json_id(store_col_int64(st, 0)),
						       "subject_id", yj_json_id(store_col_int64(st, 1)), "subject_name",
						       insp_text(st, 2), "phase", insp_text(st, 3), "state", insp_text(st, 4)));
	if (st)
		store_finalize(st);
	/* Their teams in one statement. */
	q = yj_q_select(&insp_members_t, "m.task_id, m.user_id, i.cert_no", sc);
	yj_q_where(q, "inspection_tasks.draw_id = ?");
	yj_q_int(q, id);
	yj_q_tail(q, "ORDER BY m.task_id, m.member_order");
	insp_teams_fill(c, yj_q_prepare(q, c), tasks);
	*out = tasks;
	return ST_OK;
}

int insp_draw_bundle(store_conn *c, int64_t id, json_t **out)
{
	store_stmt *st = store_prepare(c, "SELECT bundle FROM inspection_draws WHERE id = ? AND state = 'drawn'");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		*out = json_loads(store_col_text(st, 0), 0, NULL);
		rc = *out ? ST_OK : ST_ERR;
	} else if (rc == ST_DONE) {
		rc = ST_NOTFOUND;
	}
	store_finalize(st);
	return rc;
}

/* Sets "region_name" on each item from its "region_code", with the registry's names (one statement). */
static int region_names_fill(store_conn *c, json_t *items)
{
	size_t i, n = json_array_size(items);
	json_t *it, *names = json_object();
	const char **codes = yj_malloc((n ? n : 1) * sizeof *codes);
	json_array_foreach(items, i, it) codes[i] = json_string_value(json_object_get(it, "region_code"));
	int rc = yj_region_names(c, codes, n, names);
	json_array_foreach(items, i, it) {
		json_t *nm = json_object_get(names, codes[i] ? codes[i] : "");
		json_object_set(it, "region_name", nm ? nm : json_null());
	}
	free(codes);
	json_decref(names);
	return rc;
}

int insp_public_draws_page(store_conn *c, int64_t before, int limit, json_t **items, json_t **next)
{
	store_stmt *st = store_prepare(c, "SELECT d.id, p.name, d.region_code, NULL, d.subject_count, d.draw_count, d.input_hash,"
					  " d.commit_leaf, d.committed_at, d.witness, d.drawn_at FROM inspection_draws d JOIN"
					  " inspection_plans p ON p.id = d.plan_id WHERE"
					  " d.state = 'drawn' AND d.id < ? ORDER BY d.id DESC LIMIT ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, before);
	store_bind_int64(st, 2, limit + 1);
	json_t *a = json_array(), *nx = json_null();
	int rc, n = 0;
	while ((rc = store_step(st)) == ST_ROW) {
		if (++n > limit) {
			json_decref(nx);
			nx = yj_cursor_json(json_string_value(json_object_get(json_array_get(a, (size_t)limit - 1), "id")));
			break;
		}
		char url[80], sid[21];
		yj_id_format(store_col_int64(st, 0), sid);
		snprintf(url, sizeof url, "/api/v1/public/draws/%s/bundle", sid);
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:I, s:I, s:o, s:I, s:I, s:o, s:I, s:s}", "id", sid,
						   "plan_name", insp_text(st, 1), "region_code", insp_text(st, 2),
						   "region_name", insp_text(st, 3), "subject_count",
						   (json_int_t)store_col_int64(st, 4), "draw_count", (json_int_t)store_col_int64(st, 5),
						   "input_hash", insp_text(st, 6), "commit_leaf", (json_int_t)store_col_int64(st, 7),
						   "committed_at", (json_int_t)store_col_int64(st, 8), "witness", insp_text(st, 9),
						   "drawn_at", (json_int_t)store_col_int64(st, 10), "bundle_url", url));
	}
	store_finalize(st);
	if (rc >= 0)
		rc = region_names_fill(c, a);
	if (rc < 0) {
		json_decref(a);
		json_decref(nx);
		return rc;
	}
	*items = a;
	*next = nx;
	return ST_OK;
}
