/* demo_subjects.c — the demo region's other kinds of subject (registry/subject_kinds.c): in every county
 * of the plan, a few public places, water suppliers, schools, employers with occupational hazards, …
 * pharmaceutical companies, each with the licence its kind holds, written through the registry's record
 * engine and licence model as the API writes them. Running the demo again adds nothing (records are
 * keyed by their credit codes, which the county, kind and sequence fix). */
#define _POSIX_C_SOURCE 200809L
#include "demo_int.h"
#include "../base/codes.h"
#include "../base/id.h"
#include "../registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per kind: the names (a county's prefix goes before them), category codes in turn, the extra fields
 * as a JSON object, the licence kind it holds (or NULL) and the credit code's first two characters
 * (91 enterprises, 12 public institutions such as schools, 52 social organisations). */
typedef struct demo_subject_kind {
	const reg_kind *k;
	const char *names[3], *categories[3];
	const char *extra; /* JSON */
	const char *licence;
	const char *org;
} demo_subject_kind;

static const demo_subject_kind KINDS[] = {
	{&yj_public_place_kind, {"悦来宾馆", "清泉浴室", "名剪美发店"}, {"hotel", "bathhouse", "hairdresser"},
	 "{\"floor_area\": 1200, \"staff\": 18, \"certified_staff\": 16}", "public_place", "92"},
	{&yj_water_supply_kind, {"自来水有限公司", "城南二次供水站", "山区联村供水站"}, {"urban", "secondary", "rural"},
	 "{\"water_source\": \"水库\", \"daily_capacity\": 20000, \"population_served\": 80000}", "water_supply", "91"},
	{&yj_school_kind, {"实验小学", "第二中学", "阳光幼儿园"}, {"primary", "junior", "kindergarten"},
	 "{\"students\": 1200, \"boarding\": false, \"has_clinic\": true}", NULL, "12"},
	{&yj_employer_kind, {"鞋业有限公司", "石材加工厂", "电镀有限公司"}, {"manufacturing", "building_materials", "chemical"},
	 "{\"hazard_factors\": [\"dust\", \"physical\"], \"hazard_class\": \"serious\", \"exposed_workers\": 60, "
	 "\"declared\": true}",
	 "occ_hazard_declaration", "91"},
	{&yj_occ_health_service_kind, {"职业卫生技术服务有限公司", "环境检测评价中心", "放射卫生检测有限公司"},
	 {"detection", "detection", "radiation"}, "{\"qualification_level\": \"B\", \"technicians\": 25}",
	 "occ_health_service", "91"},
	{&yj_radiation_user_kind, {"口腔门诊部", "骨科诊所", "宠物医院"}, {"radiology", "radiology", "industrial"},
	 "{\"devices\": 2, \"radiation_workers\": 4}", "radiation_diagnosis", "91"},
	{&yj_pharmacy_kind, {"康民大药房", "百姓平价药店", "仁心药房"}, {"chain", "single", "chain"},
	 "{\"pharmacists\": 2, \"insurance_designated\": true}", NULL, "92"},
	{&yj_childcare_kind, {"小太阳托育园", "贝贝托育中心", "社区托育点"}, {"full_day", "hourly", "community"},
	 "{\"places\": 80, \"carers\": 12}", "childcare_filing", "52"},
	{&yj_disinfectant_maker_kind, {"消毒用品有限公司", "卫生用品厂", "消毒器械有限公司"},
	 {"disinfectant", "sanitary", "device"}, "{\"products\": \"含氯消毒剂、75%乙醇消毒液\"}", "disinfect_producer", "91"},
	{&yj_unit_clinic_kind, {"机械厂医务室", "职业技术学院卫生所", "电厂医务室"}, {"infirmary", "health_room", "infirmary"},
	 "{\"medical_staff\": 3}", "med_inst_practice", "12"},
	{&yj_pharma_company_kind, {"医药有限公司", "医疗器械有限公司", "药业股份有限公司"},
	 {"wholesaler", "device_dealer", "manufacturer"}, "{\"procurement_platform\": true}", NULL, "91"},
};
#define NKINDS (sizeof KINDS / sizeof KINDS[0])

struct subj_w {
	const demo_plan *p;
	const yj_demo_opts *o;
	char **err;
	int written;
};

static int one(store_conn *c, struct subj_w *w, const demo_county *co, size_t ki, int i)
{
	const demo_subject_kind *dk = &KINDS[ki];
	char prefix8[9], body8[9], code[19], hid[21];
	snprintf(prefix8, sizeof prefix8, "%s%.6s", dk->org, co->code);
	snprintf(body8, sizeof body8, "7%02u%03u%02u", (unsigned)ki % 100u, (unsigned)(co - w->p->counties) % 1000u,
		 (unsigned)i % 100u);
	if (yj_credit_code_make(prefix8, body8, code) < 0)
		return ST_ERR;
	int64_t id, version;
	char region[16];
	int rc = yj_reg_find_key(c, dk->k, code, &id, &version, region);
	if (rc != ST_NOTFOUND)
		return rc < 0 ? rc : ST_OK; /* written by an earlier run */
	yj_scope all;
	yj_scope_unrestricted(&all);
	json_t *in = json_loads(dk->extra, 0, NULL), *errors = json_array();
	char name[200];
	snprintf(name, sizeof name, "%s%s", co->prefix, dk->names[i]);
	json_object_set_new(in, "credit_code", json_string(code));
	json_object_set_new(in, "name", json_string(name));
	json_object_set_new(in, "category", json_string(dk->categories[i]));
	json_object_set_new(in, "region_code", json_string(co->code));
	json_t *rec = yj_reg_validate(c, dk->k, &all, in, 0, NULL, errors);
	if (!json_array_size(errors))
		rc = yj_reg_insert(c, dk->k, rec, w->o->actor, &id);
	json_decref(in);
	json_decref(rec);
	if (json_array_size(errors) || rc < 0) {
		char *e = json_dumps(errors, 0);
		*w->err = yj_asprintf("demo subjects: %s %s refused: %s", dk->k->type, name, e ? e : "");
		free(e);
		json_decref(errors);
		return rc < 0 ? rc : ST_ERR;
	}
	w->written++;
	if (dk->licence) {
		yj_id_format(id, hid);
		json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", dk->licence, "holder_type", dk->k->type, "holder_id",
					 hid, "valid_from", "2025-03-01", "reason", "示范区域初始发证（yijian demo）");
		int64_t lid;
		rc = yj_licence_issue(c, &all, co->code, body, w->o->actor, &lid, errors);
		json_decref(body);
		if (rc < 0 || json_array_size(errors)) {
			char *e = json_dumps(errors, 0);
			*w->err = yj_asprintf("demo subjects: licence %s of %s refused: %s", dk->licence, name, e ? e : "");
			free(e);
			rc = rc < 0 ? rc : ST_ERR;
		}
	}
	json_decref(errors);
	return rc < 0 ? rc : ST_OK;
}

static int county_tx(store_conn *c, void *arg)
{
	struct subj_w *w = arg;
	int rc = ST_OK;
	for (int ci = 0; rc >= 0 && ci < w->p->ncounties; ci++)
		for (size_t ki = 0; rc >= 0 && ki < NKINDS; ki++)
			for (int i = 0; rc >= 0 && i < 3; i++)
				rc = one(c, w, &w->p->counties[ci], ki, i);
	return rc;
}

int demo_subjects(store *s, const demo_plan *p, const yj_demo_opts *o, char **err)
{
	struct subj_w w = {p, o, err, 0};
	int rc = store_tx(s, county_tx, &w);
	if (rc >= 0 && o->progress)
		fprintf(stderr, "demo: %d subjects of the other kinds (public places, water suppliers, schools, …)\n", w.written);
	return rc;
}
