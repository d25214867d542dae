/* insp_todos.c — the work inspection puts into the to-do inbox (platform/todos): a task for its
 * team until it is completed; a rectification follow-up for the inspected task's team until the
 * order is verified (closed); a completed inspection's publication for the leaders of its territory
 * and department until it is published within the 20 working days. Each function runs inside the
 * transaction of the change that causes it, reading the row that change just wrote. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"
#include "../platform/todos/todos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TODO_TASK "inspection.task"
#define TODO_RECT "inspection.rectification"
#define TODO_PUB "inspection.publication"

/* A task's columns the to-dos need. */
typedef struct task_facts {
	char kind[24], region[16], dept[32], due[11], publish_due[11];
	char *subject; /* owned: free with task_facts_free */
} task_facts;

static void task_facts_free(task_facts *f)
{
	free(f->subject);
}

static void copy_col(store_stmt *st, int col, char *out, size_t cap)
{
	snprintf(out, cap, "%s", store_col_is_null(st, col) ? "" : store_col_text(st, col));
}

static int task_facts_load(store_conn *c, int64_t id, task_facts *f)
{
	store_stmt *st = store_prepare(c, "SELECT kind, subject_name, region_code, department, due_date, publish_due"
					  " FROM inspection_tasks WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, id);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		copy_col(st, 0, f->kind, sizeof f->kind);
		f->subject = yj_strdup(store_col_text(st, 1) ? store_col_text(st, 1) : "");
		copy_col(st, 2, f->region, sizeof f->region);
		copy_col(st, 3, f->dept, sizeof f->dept);
		copy_col(st, 4, f->due, sizeof f->due);
		copy_col(st, 5, f->publish_due, sizeof f->publish_due);
	}
	store_finalize(st);
	return rc == ST_ROW ? ST_OK : rc == ST_DONE ? ST_NOTFOUND : rc;
}

int insp_todo_task(store_conn *c, int64_t task_id)
{
	task_facts f = {0};
	int rc = task_facts_load(c, task_id, &f);
	if (rc < 0)
		return rc;
	char link[64];
	const char *label = insp_task_kind_label(f.kind);
	char *title = yj_asprintf("%s：%s", label ? label : "检查任务", f.subject);
	snprintf(link, sizeof link, "/inspection/tasks/%lld", (long long)task_id);
	int64_t *ids = NULL;
	size_t n = 0;
	if ((rc = insp_team_ids(c, task_id, &ids, &n)) < 0)
		n = 0;
	yj_todo t = {TODO_TASK, "检查任务", title, "inspection_task", task_id, link, f.due[0] ? f.due : NULL, f.region,
		     f.dept, ids, n, NULL};
	if (rc >= 0) /* a task always has a team; nobody to address is nothing to do */
		rc = n ? yj_todo_put(c, &t) : ST_OK;
	free(ids);
	free(title);
	task_facts_free(&f);
	return rc;
}

int insp_todo_task_completed(store_conn *c, int64_t task_id)
{
	task_facts f = {0};
	int rc = yj_todo_close(c, TODO_TASK, "inspection_task", task_id, YJ_TODO_DONE);
	if (rc < 0 || (rc = task_facts_load(c, task_id, &f)) < 0)
		return rc;
	char *title = yj_asprintf("检查结果公示：%s", f.subject);
	/* Leaders publish (POST …/publish is for planners); the publication page lists what is due. */
	yj_todo t = {TODO_PUB, "结果公示", title, "inspection_task", task_id, "/inspection/publications",
		     f.publish_due[0] ? f.publish_due : NULL, f.region, f.dept, NULL, 0, "leader"};
	rc = yj_todo_put(c, &t);
	free(title);
	task_facts_free(&f);
	return rc;
}

int insp_todo_published(store_conn *c, int64_t task_id)
{
	return yj_todo_close(c, TODO_PUB, "inspection_task", task_id, YJ_TODO_DONE);
}

int insp_todo_order(store_conn *c, int64_t order_id)
{
	int64_t task_id = 0;
	char deadline[11] = "";
	store_stmt *st = store_prepare(c, "SELECT task_id, deadline FROM rectification_orders WHERE id = ?");
	if (!st)
		return ST_ERR;
	store_bind_int64(st, 1, order_id);
	int rc = store_step(st);
	if (rc == ST_ROW) {
		task_id = store_col_int64(st, 0);
		copy_col(st, 1, deadline, sizeof deadline);
	}
	store_finalize(st);
	if (rc != ST_ROW)
		return rc == ST_DONE ? ST_NOTFOUND : rc;
	task_facts f = {0};
	if ((rc = task_facts_load(c, task_id, &f)) < 0)
		return rc;
	char link[64], *title = yj_asprintf("整改复查：%s（整改期限 %s）", f.subject, deadline);
	snprintf(link, sizeof link, "/inspection/tasks/%lld", (long long)task_id);
	int64_t *ids = NULL;
	size_t n = 0;
	if ((rc = insp_team_ids(c, task_id, &ids, &n)) < 0)
		n = 0;
	/* The team that found the problem verifies it was put right, from the deadline on. */
	yj_todo t = {TODO_RECT, "整改复查", title, "rectification_order", order_id, link, deadline, f.region, f.dept,
		     ids, n, NULL};
	if (rc >= 0)
		rc = n ? yj_todo_put(c, &t) : ST_OK;
	free(ids);
	free(title);
	task_facts_free(&f);
	return rc;
}

int insp_todo_order_closed(store_conn *c, int64_t order_id)
{
	return yj_todo_close(c, TODO_RECT, "rectification_order", order_id, YJ_TODO_DONE);
}
