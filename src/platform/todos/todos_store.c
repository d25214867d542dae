/* todos_store.c — the inbox's SQL: todos (one row per kind and object, scoped by the object's
 * territory and department) and todo_assignees (the users a to-do is addressed to, as rows). Every
 * read goes through the scoped query builder, so a to-do outside the caller's scope is never read,
 * whoever it is addressed to. */
#include "todos_int.h"
#include "../../base/base.h"
#include "../../base/id.h"

#include <string.h>

/* No subject condition: institution users and grid members are addressed no to-dos yet, so they see none. */
static const yj_table todos_t = {"todos", "region_code", "department", NULL};

#define TODO_COLS                                                                                          \
	"id, kind, kind_label, title, object_type, object_id, link, due_date, state, role, region_code,"   \
	" department, created_at, closed_at"
#define DUE_KEY "COALESCE(due_date, '" TODO_NO_DUE "')"

static int step_done(store_stmt *st)
{
	int rc = store_step(st);
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

/* Binds the fields every put writes, from index i on; returns the next index. */
static int bind_fields(store_stmt *st, int i, const yj_todo *t, int64_t now)
{
	store_bind_text(st, i++, t->kind_label, -1);
	store_bind_text(st, i++, t->title, -1);
	store_bind_text(st, i++, t->link, -1);
	store_bind_text(st, i++, t->due_date, -1);
	store_bind_text(st, i++, t->role, -1);
	store_bind_text(st, i++, t->region_code, -1);
	store_bind_text(st, i++, t->department, -1);
	store_bind_int64(st, i++, now);
	return i;
}

/* Inserts the row of (kind, object), or updates the one there (its state, id and created_at kept), in
 * one statement: *id receives the row's id, which is fresh_id when the row is new. */
static int upsert(store_conn *c, const yj_todo *t, int64_t now, int64_t fresh_id, int64_t *id)
{
	*id = 0;
	store_stmt *st = store_prepare(c, "INSERT INTO todos (kind_label, title, link, due_date, role, region_code, department,"
					  " updated_at, id, kind, object_type, object_id, state, created_at) VALUES (?, ?, ?, ?, ?,"
					  " ?, ?, ?, ?, ?, ?, ?, 'open', ?) ON CONFLICT (kind, object_type, object_id) DO UPDATE SET"
					  " kind_label = excluded.kind_label, title = excluded.title, link = excluded.link,"
					  " due_date = excluded.due_date, role = excluded.role, region_code = excluded.region_code,"
					  " department = excluded.department, updated_at = excluded.updated_at RETURNING id");
	if (!st)
		return ST_ERR;
	int i = bind_fields(st, 1, t, now);
	store_bind_int64(st, i++, fresh_id);
	store_bind_text(st, i++, t->kind, -1);
	store_bind_text(st, i++, t->object_type, -1);
	store_bind_int64(st, i++, t->object_id);
	store_bind_int64(st, i, now);
	int rc = store_step(st);
	if (rc == ST_ROW)
		*id = store_col_int64(st, 0);
	store_finalize(st);
	return rc < 0 ? rc : *id ? ST_OK : ST_ERR;
}

/* The addressees become exactly t->users (none for a role's to-do); a new row (fresh) has none yet. */
static int set_assignees(store_conn *c, int64_t id, int fresh, const yj_todo *t)
{
	store_stmt *st;
	int rc = ST_OK;
	if (!fresh) {
		if (!(st = store_prepare(c, "DELETE FROM todo_assignees WHERE todo_id = ?")))
			return ST_ERR;
		store_bind_int64(st, 1, id);
		rc = step_done(st);
	}
	for (size_t k = 0; rc == ST_OK && k < t->nusers; k++) {
		int dup = 0; /* a team may name a member twice; the key would refuse the second row */
		for (size_t j = 0; j < k; j++)
			dup |= t->users[j] == t->users[k];
		if (dup)
			continue;
		if (!(st = store_prepare(c, "INSERT INTO todo_assignees (todo_id, user_id) VALUES (?, ?)")))
			return ST_ERR;
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, t->users[k]);
		rc = step_done(st);
	}
	return rc;
}

int todo_store_put(store_conn *c, const yj_todo *t, int64_t now)
{
	int64_t fresh_id = yj_id_new(), id;
	int rc = upsert(c, t, now, fresh_id, &id);
	if (rc == ST_OK)
		rc = set_assignees(c, id, id == fresh_id, t);
	return rc;
}

int todo_store_close(store_conn *c, const char *kind, const char *object_type, int64_t object_id, const char *state,
		     int64_t now)
{
	store_stmt *st = store_prepare(c, "UPDATE todos SET state = ?, closed_at = ?, updated_at = ? WHERE kind = ?"
					  " AND object_type = ? AND object_id = ? AND state = 'open'");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, state, -1);
	store_bind_int64(st, 2, now);
	store_bind_int64(st, 3, now);
	store_bind_text(st, 4, kind, -1);
	store_bind_text(st, 5, object_type, -1);
	store_bind_int64(st, 6, object_id);
	return step_done(st);
}

/* The caller's to-dos in scope: addressed to them or to their role. */
static yj_qb *mine(const todo_query *q, const char *columns)
{
	yj_qb *b = yj_q_select(&todos_t, columns, q->scope);
	yj_q_where(b, "role = ? OR id IN (SELECT todo_id FROM todo_assignees WHERE user_id = ?)");
	yj_q_text(b, q->role);
	yj_q_int(b, q->user_id);
	return b;
}

store_stmt *todo_store_list(store_conn *c, const todo_query *q)
{
	yj_qb *b = mine(q, TODO_COLS);
	yj_q_where(b, "state = ?");
	yj_q_text(b, q->state);
	if (q->kind) {
		yj_q_where(b, "kind = ?");
		yj_q_text(b, q->kind);
	}
	if (q->overdue_only) {
		yj_q_where(b, "due_date < ?");
		yj_q_text(b, q->today);
	}
	if (q->after_due) {
		yj_q_where(b, DUE_KEY " > ? OR (" DUE_KEY " = ? AND id > ?)");
		yj_q_text(b, q->after_due);
		yj_q_text(b, q->after_due);
		yj_q_int(b, q->after_id);
	}
	if (q->limit > 0) {
		yj_q_tail(b, "ORDER BY " DUE_KEY ", id LIMIT ?");
		yj_q_int(b, q->limit + 1);
	} else {
		yj_q_tail(b, "ORDER BY " DUE_KEY ", id");
	}
	return yj_q_prepare(b, c);
}

static json_t *text_or_null(store_stmt *st, int col)
{
	return store_col_is_null(st, col) ? json_null() : json_string(store_col_text(st, col));
}

json_t *todo_store_row(store_stmt *st, const char *today, const char **due, int64_t *id)
{
	*id = store_col_int64(st, 0);
	*due = store_col_text(st, 7);
	int open = !strcmp(store_col_text(st, 8), YJ_TODO_OPEN);
	json_t *o = json_object();
	json_object_set_new(o, "id", yj_json_id(*id));
	json_object_set_new(o, "kind", json_string(store_col_text(st, 1)));
	json_object_set_new(o, "kind_label", json_string(store_col_text(st, 2)));
	json_object_set_new(o, "title", json_string(store_col_text(st, 3)));
	json_object_set_new(o, "object", json_pack("{s:s, s:o}", "type", store_col_text(st, 4), "id",
						   yj_json_id(store_col_int64(st, 5))));
	json_object_set_new(o, "link", json_string(store_col_text(st, 6)));
	json_object_set_new(o, "due_date", text_or_null(st, 7));
	json_object_set_new(o, "overdue", json_boolean(open && *due && strcmp(*due, today) < 0));
	json_object_set_new(o, "state", json_string(store_col_text(st, 8)));
	json_object_set_new(o, "role", text_or_null(st, 9));
	json_object_set_new(o, "region_code", json_string(store_col_text(st, 10)));
	json_object_set_new(o, "department", json_string(store_col_text(st, 11)));
	json_object_set_new(o, "created_at", json_integer(store_col_int64(st, 12)));
	json_object_set_new(o, "closed_at", store_col_is_null(st, 13) ? json_null() : json_integer(store_col_int64(st, 13)));
	return o;
}

/* Steps a grouped statement (kind, label, n): with list, appends an entry per kind (in the
 * statement's order) to list and indexes it in kinds; sets `field` of each kind's entry to n. */
static int add_counts(store_stmt *st, json_t *list, json_t *kinds, const char *field)
{
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		const char *kind = store_col_text(st, 0);
		json_t *k = json_object_get(kinds, kind);
		if (!k && list) {
			k = json_pack("{s:s, s:s, s:I, s:I}", "kind", kind, "label", store_col_text(st, 1), "count",
				      (json_int_t)0, "overdue", (json_int_t)0);
			json_array_append_new(list, k);
			json_object_set(kinds, kind, k);
		}
		if (k)
			json_object_set_new(k, field, json_integer(store_col_int64(st, 2)));
	}
	store_finalize(st);
	return rc < 0 ? rc : ST_OK;
}

int todo_store_counts(store_conn *c, const todo_query *q, json_t **out)
{
	json_t *list = json_array(), *kinds = json_object(), *k;
	/* Kinds in name order, so badges keep their places. */
	yj_qb *b = mine(q, "kind, MAX(kind_label), COUNT(*)");
	yj_q_where(b, "state = 'open'");
	yj_q_tail(b, "GROUP BY kind ORDER BY kind");
	int rc = add_counts(yj_q_prepare(b, c), list, kinds, "count");
	if (rc == ST_OK) {
		b = mine(q, "kind, MAX(kind_label), COUNT(*)");
		yj_q_where(b, "state = 'open' AND due_date < ?");
		yj_q_text(b, q->today);
		yj_q_tail(b, "GROUP BY kind");
		rc = add_counts(yj_q_prepare(b, c), NULL, kinds, "overdue");
	}
	json_decref(kinds);
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	json_int_t total = 0, overdue = 0;
	size_t i;
	json_array_foreach(list, i, k) {
		total += json_integer_value(json_object_get(k, "count"));
		overdue += json_integer_value(json_object_get(k, "overdue"));
	}
	*out = json_pack("{s:I, s:I, s:o, s:s}", "total", total, "overdue", overdue, "kinds", list, "today", q->today);
	return ST_OK;
}
