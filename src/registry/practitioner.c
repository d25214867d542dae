/* practitioner.c — the practitioner kind (医师、护士、药师、医技人员, R1.2): fields and checks, and
 * what is derived on write: the resident ID number becomes ciphertext, a keyed hash, a masked
 * form, sex and birth date (the clear number is never stored), and the territory comes from the
 * primary institution. */
#define _POSIX_C_SOURCE 200809L
#include "reg_int.h"
#include "../base/codes.h"
#include "../platform/pii/pii.h"

#include <stdlib.h>
#include <string.h>

static const char *check_resident_id(const char *v)
{
	enum yj_code_err e = yj_resident_id_check(v, strlen(v));
	return e == YJ_CODE_OK ? NULL : yj_code_err_zh(e);
}

static const char *check_certificate(const char *v)
{
	/* The national layout is unpublished; commonly 15 digits. Length and alphabet only. */
	size_t n = strlen(v);
	if (n < 8 || n > 30 || strspn(v, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != n)
		return "应为 8–30 位数字或大写字母";
	return NULL;
}

static const reg_field fields[] = {
	{"name", NULL, RT_TEXT, 1, 50, NULL, "姓名", NULL, "Name", 0, 0},
	{"id_number", "", RT_TEXT, 0, 18, NULL, "身份证号", check_resident_id,
	 "Resident ID number (GB 11643-1999, checked); stored encrypted, returned masked", 0, 0},
	{"certificate_no", NULL, RT_TEXT, 1, 30, NULL, "执业证书编码", check_certificate, "Practice certificate number", 0, 1},
	{"category", NULL, RT_CODE, 1, 0, &yj_voc_category, "人员类别", NULL,
	 "physician, assistant_physician, nurse, pharmacist or technician", 0, 0},
	{"practice_type", NULL, RT_CODE, 1, 0, &yj_voc_practice_type, "执业类别", NULL, "Practice category", 0, 0},
	{"practice_scope", NULL, RT_TEXT, 0, 100, NULL, "执业范围", NULL, "Practice scope (执业范围)", 0, 0},
	{"institution_id", NULL, RT_REF, 1, 0, NULL, "主要执业机构", NULL,
	 "Primary institution: id, or its unified social credit code", YJ_KIND_INSTITUTION, 0},
	{"prescription_right", NULL, RT_BOOL, 0, 0, NULL, "处方权", NULL, "Has prescription right", 0, 0},
	{"antibiotic_grade", NULL, RT_CODE, 0, 0, &yj_voc_antibiotic_grade, "抗菌药物处方权限", NULL,
	 "Antibiotic prescribing grade (default none)", 0, 0},
	{"surgical_grade", NULL, RT_INT, 0, 4, NULL, "手术分级权限", NULL, "Highest surgical grade 0–4", 0, 0},
	{"insurance_physician", NULL, RT_BOOL, 0, 0, NULL, "医保医师", NULL, "Registered insurance physician", 0, 0},
	{"assessment_result", NULL, RT_CODE, 0, 0, &yj_voc_assessment, "定期考核结果", NULL,
	 "Periodic assessment (定期考核) result", 0, 0},
	{"assessment_date", NULL, RT_DATE, 0, 0, NULL, "定期考核日期", NULL, "Periodic assessment date", 0, 0},
	{"state", NULL, RT_CODE, 0, 0, &yj_voc_practitioner_state, "执业状态", NULL,
	 "active, suspended, revoked or retired (default active)", 0, 0},
	{NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0},
};

static const reg_derived derived[] = {
	{"sex", RT_TEXT, 0, "性别", NULL},
	{"birth_date", RT_DATE, 0, "出生日期", NULL},
	{"id_masked", RT_TEXT, 0, "身份证号", NULL},
	{"id_cipher", RT_TEXT, 1, NULL, NULL},
	{"id_hash", RT_TEXT, 1, NULL, "id_number"},
	{"region_code", RT_TEXT, 0, "行政区划", NULL},
	{NULL, 0, 0, NULL, NULL},
};

static int derive(store_conn *c, const yj_scope *sc, json_t *rec, json_t *errors)
{
	(void)sc;
	const char *idn = json_string_value(json_object_get(rec, "id_number"));
	if (idn) {
		if (!yj_pii_ready())
			return ST_ERR; /* the server starts only with its key; reaching here is a bug */
		char hash[65], masked[19], birth[11];
		yj_pii_hash(idn, hash);
		const char *had = json_string_value(json_object_get(rec, "id_hash"));
		/* The same number again keeps its ciphertext: a fresh nonce would read as a change. */
		char *sealed = had && !strcmp(had, hash) ? yj_strdup(json_string_value(json_object_get(rec, "id_cipher")))
							 : yj_pii_encrypt(idn);
		snprintf(birth, sizeof birth, "%.4s-%.2s-%.2s", idn + 6, idn + 10, idn + 12);
		json_object_set_new(rec, "id_cipher", json_string(sealed));
		json_object_set_new(rec, "id_hash", json_string(hash));
		/* Stored in the form every role sees: the last digits would narrow the number, with the
		 * birth date beside them, to a few candidates (docs/security.md). */
		json_object_set_new(rec, "id_masked", json_string(yj_pii_mask_id_head(idn, masked)));
		json_object_set_new(rec, "sex", json_string(yj_resident_id_sex(idn) == 'M' ? "M" : "F"));
		json_object_set_new(rec, "birth_date", json_string(birth));
		free(sealed);
		/* The clear number goes no further than this record: not stored, not in history. */
		json_object_del(rec, "id_number");
	} else if (!json_is_string(json_object_get(rec, "id_cipher"))) {
		yj_field_error(errors, "id_number", "必填");
	}
	if (json_is_null(json_object_get(rec, "antibiotic_grade")))
		json_object_set_new(rec, "antibiotic_grade", json_string("none"));
	if (json_is_null(json_object_get(rec, "state")))
		json_object_set_new(rec, "state", json_string("active"));
	const char *inst = json_string_value(json_object_get(rec, "institution_id"));
	if (!inst)
		return ST_OK;
	char region[16];
	int rc = reg_institution_region(c, strtoll(inst, NULL, 10), region);
	if (rc == ST_OK)
		json_object_set_new(rec, "region_code", json_string(region));
	else if (rc == ST_NOTFOUND)
		yj_field_error(errors, "institution_id", "找不到该医疗机构");
	return rc < 0 && rc != ST_NOTFOUND ? rc : ST_OK;
}

/* What the caller's role sees of the person (one table for every route: yj_pii_present). */
static void present(json_t *rec, const yj_principal *who)
{
	if (who)
		yj_pii_present(rec, who->role_bit);
}

/* The keys yj_pii_present reads or rewrites (it adds birth_year). */
static const char *const presented[] = {"sex", "birth_date", "id_masked", NULL};

const reg_kind yj_practitioner_kind = {
	"practitioner", "practitioners", "医务人员", fields, derived, "certificate_no", "name", "region_code", derive, present,
	presented,
};
