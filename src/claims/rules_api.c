/* rules_api.c — GET /api/v1/claims/rules and its export: the rule base `serve --rules` loaded, rule by
 * rule (code, name, type, result type, scene, parameters, enabled, item list with its size and the
 * catalogue version that filled it, legal basis), for the console's 规则库 tab (docs/claims.md). */
#include "check_int.h"

#include <string.h>

#define READERS (ROLE_INSURANCE_ANALYST | ROLE_ADMIN | ROLE_LEADER | ROLE_LIAISON)

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* One rule as the list and the export show it. */
static json_t *rule_json(const yj_rule *r)
{
	const yj_list *l = r->list;
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "rule_id", r->id, "name",
			 or_empty(r->name), "type", yj_rule_type_name(r->type), "result_type",
			 r->definite ? "definite" : "suspicious", "enabled", r->enabled != 0, "scene", or_empty(r->scene),
			 "window", or_empty(r->window), "params", or_empty(r->params), "list", l ? l->id : "", "list_items",
			 l ? l->n : 0, "list_version", l && l->version ? l->version : "", "basis", or_empty(r->basis));
}

static json_t *all_rules(const yj_rules *rs)
{
	json_t *items = json_array();
	for (int i = 0; i < rs->n; i++)
		json_array_append_new(items, rule_json(&rs->r[i]));
	return items;
}

static int rules_list(yj_req *r)
{
	const yj_rules *rs = ck_rules_all();
	/* Without a rule base there are no rules: an answer the console can show, not a server error. */
	if (!rs)
		return yj_reply_json(r, 200, json_pack("{s:n, s:[], s:s}", "rule_set", "items", "note",
							"服务启动时未加载规则库（yijian serve --rules 目录），暂无规则。"));
	int enabled = 0;
	for (int i = 0; i < rs->n; i++)
		enabled += rs->r[i].enabled != 0;
	json_t *ruleset = json_pack("{s:s, s:i, s:i, s:i}", "sha256", ck_rules_sha(), "rules", rs->n, "enabled", enabled,
				    "lists", rs->nlists);
	return yj_reply_json(r, 200, json_pack("{s:o, s:o}", "rule_set", ruleset, "items", all_rules(rs)));
}

static const yj_column rule_cols[] = {
	{"rule_id", "规则编号"}, {"name", "规则名称"},  {"type", "规则类型"},	  {"result_type", "结果类型"},
	{"enabled", "启用"},	 {"scene", "适用场景"}, {"window", "时间窗口"},	  {"params", "参数"},
	{"list", "项目清单"},	 {"list_items", "清单条目"}, {"list_version", "目录版本"}, {"basis", "依据"},
	{NULL, NULL},
};

static int rules_export(yj_req *r)
{
	const yj_rules *rs = ck_rules_all();
	json_t *rows = rs ? all_rules(rs) : json_array();
	/* the export's cells: 是/否 and 明确/可疑 as the console shows them */
	size_t i;
	json_t *o;
	json_array_foreach(rows, i, o)
	{
		json_object_set_new(o, "enabled", json_string(json_is_true(json_object_get(o, "enabled")) ? "是" : "否"));
		json_object_set_new(o, "result_type",
				    json_string(strcmp(json_string_value(json_object_get(o, "result_type")), "definite") == 0
							? "明确"
							: "可疑"));
	}
	return yj_reply_export(r, "claims-rules", rule_cols, rows);
}

static const yj_qparam export_params[] = {
	{"format", "xlsx (default), csv or count"},
	{NULL, NULL},
};

const yj_route yj_claims_rule_routes[] = {
	{"GET", "/api/v1/claims/rules", rules_list, READERS, NULL, NULL, "claims",
	 "The rule base serve screens with, rule by rule (code, name, type, result type, scene, parameters, enabled, "
	 "item list, its size and catalogue version, legal basis), and the rule-set version",
	 "{rule_set: {sha256, rules, enabled, lists}, items: [{rule_id, name, type, …}]} (rule_set null and a note "
	 "when serve runs without --rules)",
	 200},
	{"GET", "/api/v1/claims/rules/export", rules_export, READERS, NULL, export_params, "claims",
	 "The rule base's rules as Excel or CSV (?format=count: their number)", "file", 200},
	{0},
};
