/* subject_kinds.c — the kinds of subject besides medical institutions and practitioners that a health
 * supervision institute licenses, inspects and penalises (public places, water suppliers, schools, …):
 * each a field table over the generic record (record.c), one table per kind (docs/registry.md says why).
 * They share a head of fields (credit code, name, category, territory, address, state); the rest is theirs. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/codes.h"

#include <stdlib.h>
#include <string.h>

static const char *check_credit_shape(const char *v)
{
	enum yj_code_err e = yj_credit_code_check(v, strlen(v));
	return e == YJ_CODE_OK ? NULL : yj_code_err_zh(e);
}

static const char *check_lng(const char *v)
{
	double d = atof(v);
	return d < 73.0 || d > 136.0 ? "经度应在我国境内（73–136）" : NULL;
}

static const char *check_lat(const char *v)
{
	double d = atof(v);
	return d < 3.0 || d > 54.0 ? "纬度应在我国境内（3–54）" : NULL;
}

/* The fields every one of these kinds has; cat is the kind's category vocabulary. Unlike an
 * institution's, the credit code has no administrator's override: these are registered enterprises
 * and units whose codes all carry a valid check character. */
#define HEAD(cat, catlabel)                                                                                        \
	{"credit_code", NULL, RT_TEXT, 1, 18, NULL, "统一社会信用代码", check_credit_shape,                      \
	 "Unified social credit code (GB 32100-2015, checked)", 0, 1},                                              \
		{"name", NULL, RT_TEXT, 1, 100, NULL, "名称", NULL, "Registered name", 0, 0},                       \
		{"category", NULL, RT_CODE, 1, 0, cat, catlabel, NULL, "Category code (the kind's vocabulary)", 0, 0}, \
		{"legal_rep", NULL, RT_TEXT, 0, 50, NULL, "法定代表人（负责人）", NULL, "Legal representative or person in charge", 0, 0}, \
		{"region_code", NULL, RT_REGION, 1, 0, NULL, "行政区划", NULL, "GB/T 2260 code of the county or town", 0, 0}, \
		{"address", NULL, RT_TEXT, 0, 200, NULL, "地址", NULL, "Address", 0, 0},                               \
		{"lng", "lng_e6", RT_COORD, 0, 180, NULL, "经度", check_lng, "Longitude, degrees", 0, 0},            \
		{"lat", "lat_e6", RT_COORD, 0, 90, NULL, "纬度", check_lat, "Latitude, degrees", 0, 0},              \
		{"state", NULL, RT_CODE, 0, 0, &yj_voc_subject_state, "经营状态", NULL,                            \
		 "active, suspended, revoked or closed (default active)", 0, 0}
#define END {NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0}
#define INT(name, max, label, desc) {name, NULL, RT_INT, 0, max, NULL, label, NULL, desc, 0, 0}
#define TEXT(name, max, label, desc) {name, NULL, RT_TEXT, 0, max, NULL, label, NULL, desc, 0, 0}
#define BOOL(name, label, desc) {name, NULL, RT_BOOL, 0, 0, NULL, label, NULL, desc, 0, 0}

static const reg_field public_place[] = {
	HEAD(&yj_voc_public_place_cat, "场所类别"),
	INT("floor_area", 10000000, "营业面积（平方米）", "Floor area, m²"),
	INT("staff", 100000, "从业人员数", "Number of staff (who need health certificates)"),
	INT("certified_staff", 100000, "持健康合格证明人数", "Staff holding a health certificate"),
	END,
};

static const reg_field water_supply[] = {
	HEAD(&yj_voc_water_supply_cat, "供水类型"),
	TEXT("water_source", 100, "水源", "Water source (river, reservoir, groundwater, municipal network)"),
	INT("daily_capacity", 100000000, "日供水能力（立方米）", "Daily supply capacity, m³"),
	INT("population_served", 100000000, "供水人口", "Population served"),
	END,
};

static const reg_field school[] = {
	HEAD(&yj_voc_school_cat, "学校类别"),
	INT("students", 200000, "在校学生数", "Enrolled pupils or students"),
	BOOL("boarding", "寄宿制", "Has boarders"),
	BOOL("has_clinic", "设卫生室（保健室）", "Has its own clinic or health room"),
	END,
};

static const reg_field employer[] = {
	HEAD(&yj_voc_employer_cat, "所属行业"),
	{"hazard_factors", NULL, RT_CODES, 1, 0, &yj_voc_hazard_factor, "职业病危害因素", NULL,
	 "Occupational hazard factors present (GBZ/T 2.1 groups)", 0, 0},
	{"hazard_class", NULL, RT_CODE, 0, 0, &yj_voc_hazard_class, "职业病危害风险分类", NULL,
	 "Risk class of the occupational hazard (一般/较重/严重)", 0, 0},
	INT("exposed_workers", 1000000, "接触职业病危害人数", "Workers exposed to a hazard"),
	BOOL("declared", "已申报职业病危害项目", "Has declared its hazards (职业病危害项目申报)"),
	END,
};

static const reg_field occ_health_service[] = {
	HEAD(&yj_voc_occ_service_cat, "服务类别"),
	{"qualification_level", NULL, RT_CODE, 0, 0, &yj_voc_qualification_level, "资质等级", NULL,
	 "Qualification level (甲/乙/丙级)", 0, 0},
	TEXT("service_scope", 200, "业务范围", "Business scope of the qualification"),
	INT("technicians", 100000, "专业技术人员数", "Technical staff"),
	END,
};

static const reg_field radiation_user[] = {
	HEAD(&yj_voc_radiation_cat, "放射诊疗类别"),
	{"institution_id", NULL, RT_REF, 0, 0, NULL, "所属医疗机构", NULL,
	 "The medical institution it is, when it is one: id, or its unified social credit code", YJ_KIND_INSTITUTION, 0},
	INT("devices", 10000, "放射源和射线装置数", "Radiation sources and X-ray devices"),
	INT("radiation_workers", 100000, "放射工作人员数", "Radiation workers"),
	END,
};

static const reg_field pharmacy[] = {
	HEAD(&yj_voc_pharmacy_cat, "药店类别"),
	TEXT("drug_licence_no", 40, "药品经营许可证编号", "Drug-trading licence number (issued by the drug administration)"),
	INT("pharmacists", 1000, "执业药师数", "Licensed pharmacists"),
	BOOL("insurance_designated", "医保定点", "Designated by medical insurance"),
	END,
};

static const reg_field childcare[] = {
	HEAD(&yj_voc_childcare_cat, "托育类型"),
	TEXT("filing_no", 40, "托育机构备案号", "Filing number with the health commission"),
	INT("places", 10000, "托位数", "Childcare places"),
	INT("carers", 10000, "保育人员数", "Carers"),
	END,
};

static const reg_field disinfectant_maker[] = {
	HEAD(&yj_voc_disinfectant_cat, "产品类别"),
	TEXT("production_address", 200, "生产地址", "Production site when it differs from the address"),
	TEXT("products", 200, "主要产品", "Main products"),
	END,
};

static const reg_field unit_clinic[] = {
	HEAD(&yj_voc_unit_clinic_cat, "医疗机构类别"),
	TEXT("parent_unit", 100, "所属单位", "The school, enterprise or agency that runs it"),
	TEXT("licence_no", 22, "执业许可证（备案）号", "Practice licence or filing number"),
	INT("medical_staff", 1000, "医务人员数", "Medical staff"),
	END,
};

static const reg_field pharma_company[] = {
	HEAD(&yj_voc_pharma_cat, "企业类别"),
	TEXT("drug_licence_no", 40, "药品（器械）生产经营许可证编号", "Production or trading licence number"),
	BOOL("procurement_platform", "医药集中采购平台挂网企业", "Listed on the centralised procurement platform"),
	END,
};

/* What every one of these kinds derives: the default state. The check character is tested by the field check. */
static int derive(store_conn *c, const yj_scope *sc, json_t *rec, json_t *errors)
{
	(void)c, (void)sc, (void)errors;
	if (json_is_null(json_object_get(rec, "state")))
		json_object_set_new(rec, "state", json_string("active"));
	return ST_OK;
}

static int derive_employer(store_conn *c, const yj_scope *sc, json_t *rec, json_t *errors)
{
	if (json_is_null(json_object_get(rec, "hazard_class")))
		json_object_set_new(rec, "hazard_class", json_string("general"));
	return derive(c, sc, rec, errors);
}

#define KIND(var, type, table, label, fields, hook)                                                                \
	const reg_kind var = {type, table, label, fields, NULL, "credit_code", "name", "region_code", hook, NULL, NULL}

KIND(yj_public_place_kind, "public_place", "public_places", "公共场所", public_place, derive);
KIND(yj_water_supply_kind, "water_supply", "water_suppliers", "供水单位", water_supply, derive);
KIND(yj_school_kind, "school", "schools", "学校", school, derive);
KIND(yj_employer_kind, "employer", "hazard_employers", "存在职业病危害的用人单位", employer, derive_employer);
KIND(yj_occ_health_service_kind, "occ_service", "occ_health_services", "职业卫生技术服务机构",
     occ_health_service, derive);
KIND(yj_radiation_user_kind, "radiation_user", "radiation_users", "放射诊疗（放射工作）单位", radiation_user, derive);
KIND(yj_pharmacy_kind, "pharmacy", "pharmacies", "药店", pharmacy, derive);
KIND(yj_childcare_kind, "childcare", "childcare_providers", "托育机构", childcare, derive);
KIND(yj_disinfectant_maker_kind, "disinfect_maker", "disinfectant_makers", "消毒产品生产企业", disinfectant_maker,
     derive);
KIND(yj_unit_clinic_kind, "unit_clinic", "unit_clinics", "单位内设医疗机构", unit_clinic, derive);
KIND(yj_pharma_company_kind, "pharma_company", "pharma_companies", "医药企业", pharma_company, derive);
