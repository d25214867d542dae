/* todos.c — the inbox's rules: what a to-do must carry, the cursor of a listing, today's date, and
 * the put/close entry points that capabilities call inside their transactions. No SQL (that is
 * todos_store.c) and no HTTP (todos_api.c). */
#define _POSIX_C_SOURCE 200809L
#include "todos_int.h"
#include "../../base/base.h"
#include "../../base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int name_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static int day_shaped(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

const char *todo_invalid(const yj_todo *t)
{
	if (!name_ok(t->kind, 64))
		return "kind";
	if (!t->kind_label || !*t->kind_label)
		return "kind_label";
	if (!t->title || !*t->title)
		return "title";
	if (!name_ok(t->object_type, 64))
		return "object_type";
	if (!t->link || t->link[0] != '/')
		return "link";
	/* The due date is made by the capability's calendar; only its shape is checked here, since
	 * ordering compares the text. */
	if (t->due_date && !day_shaped(t->due_date))
		return "due_date";
	if (!t->region_code || !*t->region_code)
		return "region_code";
	if (!t->department || !*t->department)
		return "department";
	if ((t->nusers > 0) == (t->role != NULL) || (t->nusers > 0 && !t->users) || (t->role && !name_ok(t->role, 31)))
		return "users/role";
	return NULL;
}

int todo_state_valid(const char *s)
{
	return s && (!strcmp(s, YJ_TODO_OPEN) || !strcmp(s, YJ_TODO_DONE) || !strcmp(s, YJ_TODO_CANCELLED));
}

void todo_today(char out[11])
{
	/* Asia/Shanghai is UTC+8 all year (no daylight saving): shift, then read the UTC calendar. */
	time_t t = (time_t)(yj_now_ms() / 1000 + 8 * 3600);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void todo_cursor_key(const char *due, int64_t id, char out[40])
{
	snprintf(out, 40, "%s|%lld", due ? due : TODO_NO_DUE, (long long)id);
}

int todo_cursor_parse(const char *key, char due[11], int64_t *id)
{
	if (!key || strlen(key) < 12 || key[10] != '|')
		return YJ_ERR;
	memcpy(due, key, 10);
	due[10] = '\0';
	char *end;
	long long v = strtoll(key + 11, &end, 10);
	if (!day_shaped(due) || *end || end == key + 11 || v <= 0)
		return YJ_ERR;
	*id = v;
	return YJ_OK;
}

int yj_todo_put(store_conn *c, const yj_todo *t)
{
	const char *bad = todo_invalid(t);
	if (bad) {
		yj_log(YJ_LOG_ERROR, "todo.invalid", "\"field\":\"%s\"", bad); /* a caller's bug: name the field */
		return ST_ERR;
	}
	return todo_store_put(c, t, yj_now_ms());
}

int yj_todo_close(store_conn *c, const char *kind, const char *object_type, int64_t object_id, const char *state)
{
	if (!state || !strcmp(state, YJ_TODO_OPEN) || !todo_state_valid(state))
		return ST_ERR;
	return todo_store_close(c, kind, object_type, object_id, state, yj_now_ms());
}
