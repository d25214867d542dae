/* record_audit.c — the registry's hook for `yijian audit verify --records`: the current state of
 * every record of each kind, in the form yj_reg_insert and yj_reg_update hashed into their leaves
 * (the public record, yj_reg_public with no caller), so platform/audit can compare rows with the
 * log without reading the registry's tables. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "registry.h"
#include "../platform/audit/audit.h"

#include <stdio.h>

static int each_record(store_conn *c, const void *ctx, yj_audit_visit_fn visit, void *arg)
{
	const reg_kind *k = ctx;
	yj_table t;
	yj_reg_table(k, &t);
	yj_scope all;
	yj_scope_unrestricted(&all);
	yj_qb *q = yj_q_select(&t, yj_reg_columns(k), &all);
	yj_q_tail(q, "ORDER BY id");
	store_stmt *st = yj_q_prepare(q, c);
	if (!st)
		return ST_ERR;
	int rc;
	while ((rc = store_step(st)) == ST_ROW) {
		json_t *rec = yj_reg_row(k, st), *pub = yj_reg_public(k, rec, NULL);
		int stop = visit(arg, json_string_value(json_object_get(pub, "id")), pub);
		json_decref(rec);
		json_decref(pub);
		if (stop) {
			rc = stop;
			break;
		}
	}
	store_finalize(st);
	return rc == ST_DONE ? ST_OK : rc;
}

/* "<type>.create" and "<type>.update" for each kind (the verbs record.c's audit() writes). */
static char actions[YJ_NKINDS][2][48];
static const char *action_lists[YJ_NKINDS][3];
static yj_audit_records hooks[YJ_NKINDS];

void yj_reg_audit_register(void)
{
	for (size_t i = 0; i < YJ_NKINDS; i++) {
		const reg_kind *k = yj_reg_kinds[i];
		snprintf(actions[i][0], sizeof actions[i][0], "%s.create", k->type);
		snprintf(actions[i][1], sizeof actions[i][1], "%s.update", k->type);
		action_lists[i][0] = actions[i][0];
		action_lists[i][1] = actions[i][1];
		action_lists[i][2] = NULL;
		hooks[i] = (yj_audit_records){k->type, action_lists[i], each_record, k};
		yj_audit_records_register(&hooks[i]);
	}
}
