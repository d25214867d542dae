/* insp_common.c — what the inspection handlers share: the scoped table declarations (territory and
 * department columns for the query builder), reading helpers, audit, the subject lookup in the
 * registry, checklists of items, and the check of an inspection team against the directory. */
#define _POSIX_C_SOURCE 200809L
#include "insp_int.h"
#include "../registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const yj_table insp_items_t = {"inspection_items", NULL, "department", "1=1"}; /* reference data */
const yj_table insp_inspectors_t = {"inspectors", "region_code", "department", NULL};
const yj_table insp_conflicts_t = {"inspector_conflicts", "region_code", "department", NULL};
const yj_table insp_signals_t = {"subject_signals", "region_code", NULL, NULL};
const yj_table insp_plans_t = {"inspection_plans", "region_code", "department", NULL};
const yj_table insp_draws_t = {"inspection_draws", "region_code", "department", NULL};
const yj_table insp_tasks_t = {"inspection_tasks", "region_code", "department", "subject_id IN ({S})"};
const yj_table insp_results_t = {"inspection_results", "region_code", "department",
				    "task_id IN (SELECT id FROM inspection_tasks WHERE subject_id IN ({S}))"};
const yj_table insp_findings_t = {"inspection_findings", "region_code", "department", "subject_id IN ({S})"};
const yj_table insp_attach_t = {"inspection_attachments", "region_code", "department",
				   "task_id IN (SELECT id FROM inspection_tasks WHERE subject_id IN ({S}))"};
const yj_table insp_orders_t = {"rectification_orders", "region_code", "department", "subject_id IN ({S})"};
const yj_table insp_records_t = {"subject_records", "region_code", NULL, "subject_id IN ({S})"};

void insp_actor(yj_req *r, char out[21])
{
	yj_id_format(yj_who(r)->user_id, out);
}

json_t *insp_text(store_stmt *st, int col)
{
	const char *v = store_col_text(st, col);
	return v ? json_string(v) : json_null();
}

json_t *insp_int(store_stmt *st, int col)
{
	return store_col_is_null(st, col) ? json_null() : json_integer(store_col_int64(st, col));
}






int insp_audit(store_conn *c, yj_req *r, const char *action, const char *type, int64_t id, const char *region,
	       const json_t *state, int64_t *idx)
{
	char actor[21], sid[21];
	insp_actor(r, actor);
	yj_id_format(id, sid);
	yj_audit_event ev = {actor, action, type, sid, region ? region : "", state};
	return yj_audit_append(c, &ev, idx);
}

int insp_event(store_conn *c, yj_req *r, const char *type, const char *subject_type, int64_t id, const char *region,
	       json_t *payload)
{
	char actor[21] = "system", sid[21];
	if (r)
		insp_actor(r, actor);
	yj_id_format(id, sid);
	int rc = yj_event_emit(c, &(yj_event){type, subject_type, sid, region ? region : "", actor, payload}, NULL);
	json_decref(payload);
	return rc;
}

int insp_region_exists(store_conn *c, const char *code)
{
	return yj_region_exists(c, code) > 0;
}

int insp_subject(store_conn *c, const yj_scope *sc, const char *kind, int64_t id, char **name, char **code,
		 char region[16])
{
	yj_subject_summary sum;
	int rc = yj_subject_get(c, sc, kind, id, &sum);
	if (rc < 0)
		return rc;
	*name = yj_strdup(sum.name);
	*code = yj_strdup(sum.credit_code);
	snprintf(region, 16, "%s", sum.region_code);
	return ST_OK;
}

int insp_checklist(store_conn *c, const char *item_ids, json_t **out)
{
	json_t *ids = insp_csv_array(item_ids), *v, *list = json_array();
	size_t i;
	int rc = ST_OK;
	json_array_foreach(ids, i, v) {
		int64_t id;
		if (yj_id_parse(json_string_value(v), &id) < 0)
			continue;
		store_stmt *st = store_prepare(c, "SELECT name, checklist FROM inspection_items WHERE id = ?");
		if (!st) {
			rc = ST_ERR;
			break;
		}
		store_bind_int64(st, 1, id);
		if ((rc = store_step(st)) == ST_ROW) {
			json_t *cl = json_loads(store_col_text(st, 1), 0, NULL), *p;
			size_t k;
			json_array_foreach(cl, k, p) {
				json_t *o = json_deep_copy(p);
				json_object_set_new(o, "item_id", json_string(json_string_value(v)));
				json_object_set_new(o, "item_name", json_string(store_col_text(st, 0)));
				json_array_append_new(list, o);
			}
			json_decref(cl);
			rc = ST_OK;
		} else if (rc == ST_DONE) {
			rc = ST_OK;
		}
		store_finalize(st);
		if (rc < 0)
			break;
	}
	json_decref(ids);
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return ST_OK;
}


int insp_team_check(store_conn *c, const json_t *team, int64_t subject_id, const char *subject_region,
		    yj_refusal *f, char **csv)
{
	*csv = NULL;
	if (!json_is_array(team) || json_array_size(team) < 2 || json_array_size(team) > 8) {
		yj_refusal_field(f, "team", "检查组应由 2 到 8 名执法人员组成（双人以上执法）");
		return yj_refuse_invalid(f, NULL);
	}
	yj_buf b = YJ_BUF_INIT;
	size_t i;
	json_t *v;
	int refused = 0;
	json_array_foreach(team, i, v) {
		int64_t id;
		char msg[300];
		if (yj_id_parse(json_string_value(v), &id) < 0) {
			yj_refusal_field(f, "team", "应为执法人员的用户编号（字符串）");
			refused = 1;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_array_get(team, j), v)) {
				yj_refusal_field(f, "team", "同一执法人员不能重复列入检查组");
				refused = 1;
			}
		/* The directory entry, and (from auth) whether the user may still act, and their name. */
		store_stmt *st = store_prepare(c, "SELECT region_code, active FROM inspectors WHERE user_id = ?");
		if (!st) {
			yj_buf_free(&b);
			return ST_ERR;
		}
		store_bind_int64(st, 1, id);
		int rc = store_step(st);
		int listed = rc == ST_ROW && store_col_int64(st, 1) && insp_region_covers(store_col_text(st, 0), subject_region);
		store_finalize(st);
		json_t *names = json_object();
		if (rc >= 0 && (rc = yj_user_names(c, &id, 1, 1, names)) >= 0 && !(listed && json_object_size(names))) {
			snprintf(msg, sizeof msg, "用户 %s 不是执法检查人员名录库中负责该检查对象所在区域的在岗执法人员，请更换",
				 json_string_value(v));
			yj_refusal_field(f, "team", msg);
			refused = 1;
		}
		char name[100];
		json_t *nm = json_object_iter_value(json_object_iter(names));
		snprintf(name, sizeof name, "%s", nm ? json_string_value(nm) : "");
		json_decref(names);
		if (rc < 0) {
			yj_buf_free(&b);
			return rc;
		}
		int64_t n = 0;
		st = store_prepare(c, "SELECT COUNT(*) FROM inspector_conflicts WHERE user_id = ? AND institution_id = ?");
		if (!st) {
			yj_buf_free(&b);
			return ST_ERR;
		}
		store_bind_int64(st, 1, id);
		store_bind_int64(st, 2, subject_id);
		if ((rc = store_step(st)) == ST_ROW)
			n = store_col_int64(st, 0);
		store_finalize(st);
		if (rc < 0) {
			yj_buf_free(&b);
			return rc;
		}
		if (n > 0) {
			snprintf(msg, sizeof msg, "执法人员 %s 已申报与该检查对象存在利益冲突，应当回避，请更换", name);
			yj_refusal_field(f, "team", msg);
			refused = 1;
		}
		yj_buf_printf(&b, "%s%s", i ? "," : "", json_string_value(v));
	}
	if (refused) {
		yj_buf_free(&b);
		return yj_refuse_invalid(f, NULL);
	}
	*csv = yj_buf_detach(&b);
	return ST_OK;
}
