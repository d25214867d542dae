/* calendar_api.c — the working-day calendar over HTTP: a year's holidays and make-up working days,
 * the date N working days after a day, and an administrator's changes (each an audit leaf). */
#define _POSIX_C_SOURCE 200809L
#include "calendar.h"
#include "../audit/audit.h"
#include "../../base/id.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Only white space (ASCII or U+3000), or NULL. */
static int blank(const char *s)
{
	if (!s)
		return 1;
	while (*s) {
		if (strchr(" \t\r\n", *s))
			s++;
		else if (!strncmp(s, "\xe3\x80\x80", 3))
			s += 3;
		else
			return 0;
	}
	return 1;
}

static json_t *text(store_stmt *st, int col)
{
	const char *v = store_col_text(st, col);
	return v ? json_string(v) : json_null();
}

/* No control characters. */
static int clean(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int calendar_list(yj_req *r)
{
	const char *y = yj_query(r, "year");
	char from[16], to[16];
	if (!y || strlen(y) != 4 || strspn(y, "0123456789") != 4)
		return yj_reply_problem(r, 400, "validation", "参数错误", "请用 year 参数指定年份，例如 ?year=2026。");
	snprintf(from, sizeof from, "%s-01-01", y);
	snprintf(to, sizeof to, "%s-12-31", y);
	store_stmt *st = store_prepare(store_conn_get(yj_store(r)),
				       "SELECT day, kind, name FROM work_calendar WHERE day >= ? AND day <= ? ORDER BY day");
	if (!st)
		return yj_reply_store_error(r, ST_ERR);
	store_bind_text(st, 1, from, -1);
	store_bind_text(st, 2, to, -1);
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == ST_ROW)
		json_array_append_new(items, json_pack("{s:o, s:o, s:o}", "day", text(st, 0), "kind", text(st, 1), "name",
						       text(st, 2)));
	store_finalize(st);
	if (rc < 0) {
		json_decref(items);
		return yj_reply_store_error(r, rc);
	}
	return yj_reply_json(r, 200, json_pack("{s:s, s:o}", "year", y, "items", items));
}

struct day_arg {
	yj_req *r;
	const char *day;
	int remove;
};

static int day_tx(store_conn *c, void *arg)
{
	struct day_arg *a = arg;
	store_stmt *st = store_prepare(c, "DELETE FROM work_calendar WHERE day = ?");
	if (!st)
		return ST_ERR;
	store_bind_text(st, 1, a->day, -1);
	int rc = store_step(st);
	int64_t gone = store_changes(st);
	store_finalize(st);
	if (rc < 0)
		return rc;
	if (a->remove && !gone)
		return ST_NOTFOUND;
	const json_t *b = yj_body(a->r);
	if (!a->remove) {
		st = store_prepare(c, "INSERT INTO work_calendar (day, kind, name, updated_at) VALUES (?, ?, ?, ?)");
		if (!st)
			return ST_ERR;
		store_bind_text(st, 1, a->day, -1);
		store_bind_text(st, 2, json_string_value(json_object_get(b, "kind")), -1);
		store_bind_text(st, 3, json_string_value(json_object_get(b, "name")), -1);
		store_bind_int64(st, 4, yj_now_ms());
		rc = store_step(st);
		store_finalize(st);
		if (rc < 0)
			return rc;
	}
	char actor[21];
	yj_id_format(yj_who(a->r)->user_id, actor);
	json_t *state = a->remove ? json_pack("{s:s, s:b}", "day", a->day, "removed", 1)
				  : json_pack("{s:s, s:O, s:O}", "day", a->day, "kind", json_object_get(b, "kind"), "name",
					      json_object_get(b, "name"));
	yj_audit_event ev = {actor, a->remove ? "calendar.day.remove" : "calendar.day.save", "calendar_day", a->day, "", state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

static int day_write(yj_req *r, int remove)
{
	const char *day = yj_param(r, "day");
	int64_t d;
	if (yj_day_parse(day, &d) < 0)
		return yj_reply_problem(r, 404, "not-found", "日期无效", "路径中的日期应为 YYYY-MM-DD 格式的真实日期。");
	if (!remove) {
		const json_t *b = yj_body(r);
		const char *kind = json_string_value(json_object_get(b, "kind")), *name = json_string_value(json_object_get(b, "name"));
		json_t *errors = json_array();
		if (!kind || (strcmp(kind, "holiday") && strcmp(kind, "workday")))
			yj_field_error(errors, "kind", "应为 holiday（放假）或 workday（调休上班）");
		if (blank(name) || !clean(name))
			yj_field_error(errors, "name", "请填写名称，如“国庆节”或“国庆节调休上班”");
		if (json_array_size(errors))
			return yj_reply_problem_errors(r, 422, "validation", "提交的数据有误", "请按字段提示修改后重新提交。", errors);
		json_decref(errors);
	}
	struct day_arg a = {r, day, remove};
	int rc = store_tx(yj_store(r), day_tx, &a);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	if (remove)
		return yj_reply_empty(r, 204);
	return yj_reply_json(r, 200, json_pack("{s:s, s:O, s:O}", "day", day, "kind", json_object_get(yj_body(r), "kind"),
					       "name", json_object_get(yj_body(r), "name")));
}

static int day_put(yj_req *r)
{
	return day_write(r, 0);
}

static int day_delete(yj_req *r)
{
	return day_write(r, 1);
}

static int working_days(yj_req *r)
{
	const char *from = yj_query(r, "from"), *days = yj_query(r, "days");
	int64_t d;
	char *end = NULL;
	long n = days ? strtol(days, &end, 10) : -1;
	if (!from || yj_day_parse(from, &d) < 0 || !days || !*days || *end || n < 0 || n > 1000)
		return yj_reply_problem(r, 400, "validation", "参数错误",
					"请用 from=YYYY-MM-DD 和 days=0 到 1000 指定起算日和工作日数。");
	char out[11];
	int rc = yj_workdays_add(store_conn_get(yj_store(r)), from, (int)n, out);
	if (rc < 0)
		return yj_reply_store_error(r, rc);
	return yj_reply_json(r, 200, json_pack("{s:s, s:i, s:s}", "from", from, "days", (int)n, "date", out));
}

/* ---- routes ---- */

static const yj_field day_body[] = {
	{"kind", F_STRING, 1, 16, "holiday (public holiday) or workday (make-up working day)"},
	{"name", F_STRING, 1, 50, "e.g. 国庆节 or 国庆节调休上班"},
	{NULL, 0, 0, 0, NULL},
};
static const yj_qparam year_q[] = {{"year", "Four-digit year"}, {NULL, NULL}};
static const yj_qparam wd_q[] = {{"from", "Start day YYYY-MM-DD (not counted)"}, {"days", "Working days to add, 0–1000"}, {NULL, NULL}};

const yj_route yj_calendar_routes[] = {
	{"GET", "/api/v1/calendar", calendar_list, ROLE_ANY, NULL, year_q, "calendar", "Holidays and make-up working days of a year", "{year, items}", 0},
	{"GET", "/api/v1/calendar/working-days", working_days, ROLE_ANY, NULL, wd_q, "calendar", "The date N working days after a day", "{from, days, date}", 0},
	{"PUT", "/api/v1/calendar/{day}", day_put, ROLE_ADMIN, day_body, NULL, "calendar", "Mark a day as holiday or make-up working day", "day", 0},
	{"DELETE", "/api/v1/calendar/{day}", day_delete, ROLE_ADMIN, NULL, NULL, "calendar", "Remove a calendar exception", "", 204},
	{NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0},
};
