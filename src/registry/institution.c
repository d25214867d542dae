/* institution.c — the institution kind (医疗机构, R1.1): its fields, their checks, and what is
 * derived on write (the grid's id from its code, the default state). Storage and history are the
 * generic record's (record.c). */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/codes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *check_credit_shape(const char *v)
{
	/* The check character itself is tested in derive, where an administrator's override is visible. */
	enum yj_code_err e = yj_credit_code_check(v, strlen(v));
	return e == YJ_CODE_LENGTH || e == YJ_CODE_CHARSET ? yj_code_err_zh(e) : NULL;
}

static const char *check_licence_no(const char *v)
{
	/* 22 characters: organisation code 9, region 6, economic type 2, category 4, class 1 (WS 218-2002). */
	if (strlen(v) != 22 || strspn(v, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 22)
		return "应为 22 位数字或大写字母（医疗机构登记号）";
	return NULL;
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

static const reg_field fields[] = {
	{"credit_code", NULL, RT_TEXT, 1, 18, NULL, "统一社会信用代码", check_credit_shape,
	 "Unified social credit code (GB 32100-2015, checked)", 0, 1},
	{"credit_code_override", NULL, RT_TEXT, 0, 200, NULL, "校验例外理由", NULL,
	 "Administrator's reason to accept a code that fails its check (early pilot codes)", 0, 0},
	{"licence_no", NULL, RT_TEXT, 0, 22, NULL, "执业许可证登记号", check_licence_no,
	 "Practice-licence registration number (22 characters)", 0, 1},
	{"name", NULL, RT_TEXT, 1, 100, NULL, "机构名称", NULL, "Registered name", 0, 0},
	{"type", NULL, RT_CODE, 1, 0, &yj_voc_institution_type, "机构类别", NULL, "Institution type code", 0, 0},
	{"level", NULL, RT_CODE, 1, 0, &yj_voc_level, "级别", NULL, "Level: 1, 2, 3 or none", 0, 0},
	{"grade", NULL, RT_CODE, 0, 0, &yj_voc_grade, "等次", NULL, "Grade: A, B, C or none", 0, 0},
	{"ownership", NULL, RT_CODE, 1, 0, &yj_voc_ownership, "举办主体", NULL, "public or private", 0, 0},
	{"profit", NULL, RT_CODE, 1, 0, &yj_voc_profit, "经营性质", NULL, "nonprofit or forprofit", 0, 0},
	{"clinical_depts", NULL, RT_CODES, 0, 0, &yj_voc_clinical_dept, "诊疗科目", NULL,
	 "Registered clinical departments (national catalogue codes)", 0, 0},
	{"beds", NULL, RT_INT, 0, 20000, NULL, "核定床位", NULL, "Approved beds", 0, 0},
	{"equipment", NULL, RT_CODES, 0, 0, &yj_voc_equipment, "大型医用设备", NULL, "Large equipment codes", 0, 0},
	{"region_code", NULL, RT_REGION, 1, 0, NULL, "行政区划", NULL, "GB/T 2260 code of the county or town", 0, 0},
	{"grid_code", "", RT_TEXT, 0, 20, NULL, "网格编码", NULL, "Code of the grid (网格) the institution is in", 0, 0},
	{"address", NULL, RT_TEXT, 0, 200, NULL, "地址", NULL, "Address", 0, 0},
	{"lng", "lng_e6", RT_COORD, 0, 180, NULL, "经度", check_lng, "Longitude, degrees", 0, 0},
	{"lat", "lat_e6", RT_COORD, 0, 90, NULL, "纬度", check_lat, "Latitude, degrees", 0, 0},
	{"licence_valid_from", NULL, RT_DATE, 0, 0, NULL, "许可证有效期起", NULL, "Licence valid from", 0, 0},
	{"licence_valid_to", NULL, RT_DATE, 0, 0, NULL, "许可证有效期至", NULL, "Licence valid to", 0, 0},
	{"verified_on", NULL, RT_DATE, 0, 0, NULL, "最近校验日期", NULL, "Last periodic verification (校验)", 0, 0},
	{"verify_due", NULL, RT_DATE, 0, 0, NULL, "下次校验日期", NULL, "Next verification due", 0, 0},
	{"insurance_designated", NULL, RT_BOOL, 0, 0, NULL, "医保定点", NULL, "Designated by medical insurance", 0, 0},
	{"state", NULL, RT_CODE, 0, 0, &yj_voc_institution_state, "执业状态", NULL,
	 "active, suspended, revoked or closed (default active)", 0, 0},
	{NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0},
};

static const reg_derived derived[] = {
	{"grid_id", RT_REF, 0, "网格", NULL},
	{NULL, 0, 0, NULL, NULL},
};

static int derive(store_conn *c, const yj_scope *sc, json_t *rec, json_t *errors)
{
	const char *code = json_string_value(json_object_get(rec, "credit_code"));
	const char *override = json_string_value(json_object_get(rec, "credit_code_override"));
	if (code && yj_credit_code_check(code, strlen(code)) != YJ_CODE_OK && !override)
		yj_field_error(errors, "credit_code", "校验位不正确，请核对代码；早期试点代码确属有效的，由管理员填写校验例外理由");
	if (json_is_null(json_object_get(rec, "grade")))
		json_object_set_new(rec, "grade", json_string("none"));
	if (json_is_null(json_object_get(rec, "state")))
		json_object_set_new(rec, "state", json_string("active"));
	const char *grid = json_string_value(json_object_get(rec, "grid_code"));
	if (!grid)
		return ST_OK; /* a change that does not name a grid keeps the stored one */
	int64_t gid;
	char at[16];
	int rc = reg_grid_by_code(c, grid, &gid, at);
	if (rc < 0 && rc != ST_NOTFOUND)
		return rc;
	const char *region = json_string_value(json_object_get(rec, "region_code"));
	if (rc == ST_OK && yj_scope_allows(sc, at, NULL) && region &&
	    strncmp(at, region, strlen(region) < 6 ? strlen(region) : 6) == 0) {
		char ids[21];
		snprintf(ids, sizeof ids, "%lld", (long long)gid);
		json_object_set_new(rec, "grid_id", json_string(ids));
	} else {
		yj_field_error(errors, "grid_code", "网格不存在，或不在机构所在县（市、区）");
	}
	return ST_OK;
}

const reg_kind yj_institution_kind = {
	"institution", "institutions", "医疗机构", fields, derived, "credit_code", "name", "region_code", derive, NULL, NULL,
};
