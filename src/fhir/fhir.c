/* fhir.c — registry records as FHIR R4 resources shaped by the IHE mCSD profiles: an institution
 * is a Facility (an Organization and a Location with the same id), a practitioner a Practitioner
 * with one PractitionerRole per place of practice. Also the Chinese name split. Instants and dates
 * are base/date.h. What is withheld, and why, is in docs/fhir.md. */
#define _POSIX_C_SOURCE 200809L
#include "fhir.h"
#include "../registry/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MCSD_PROFILE "https://profiles.ihe.net/ITI/mCSD/StructureDefinition/IHE.mCSD."
#define V2_0203 "http://terminology.hl7.org/CodeSystem/v2-0203"

/* ---- names ---- */

const char *const yj_fhir_compound_surnames[] = {
	"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
	"夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "呼延", "万俟", "闻人", "澹台", "公冶",
	"宗政", "濮阳", "太叔", "申屠", "钟离", "拓跋", "百里", "东郭", "第五", "左丘", "司空", "单于",
	NULL,
};

static size_t cp_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	if (!c)
		return 0;
	size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	for (size_t i = 1; i < n; i++)
		if (!s[i])
			return i;
	return n;
}

int yj_fhir_split_name(const char *name, char *family, size_t fsize, char *given, size_t gsize)
{
	family[0] = given[0] = '\0';
	if (!name || !*name || strstr(name, "\xC2\xB7") || strchr(name, ' '))
		return 0;
	size_t flen = cp_len(name);
	for (const char *const *c = yj_fhir_compound_surnames; *c; c++)
		if (strncmp(name, *c, strlen(*c)) == 0) {
			flen = strlen(*c);
			break;
		}
	if (flen >= fsize || strlen(name + flen) >= gsize)
		return 0;
	memcpy(family, name, flen);
	family[flen] = '\0';
	strcpy(given, name + flen);
	return 1;
}

/* ---- pieces ---- */

static const char *str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

static json_t *meta(const json_t *rec, const char *profile)
{
	char at[YJ_INSTANT_LEN], ver[24];
	yj_instant_format(json_integer_value(json_object_get(rec, "updated_at")), YJ_SHANGHAI_OFFSET_MIN, at);
	snprintf(ver, sizeof ver, "%lld", (long long)json_integer_value(json_object_get(rec, "version")));
	json_t *m = json_pack("{s:s, s:s}", "versionId", ver, "lastUpdated", at);
	if (profile)
		json_object_set_new(m, "profile", json_pack("[s+]", MCSD_PROFILE, profile));
	return m;
}

static json_t *coding(const char *system, const char *code, const char *display)
{
	json_t *c = json_pack("{s:s, s:s}", "system", system, "code", code);
	if (display)
		json_object_set_new(c, "display", json_string(display));
	return c;
}

static json_t *identifier(const char *system, const char *v2code, const char *label, const char *value)
{
	return json_pack("{s:s, s:{s:[o], s:s}, s:s, s:s}", "use", "official", "type", "coding",
			 coding(V2_0203, v2code, NULL), "text", label, "system", system, "value", value);
}

static json_t *reference(const char *type, const char *id, const char *display)
{
	char *ref = malloc(strlen(type) + strlen(id) + 2);
	sprintf(ref, "%s/%s", type, id);
	json_t *r = json_pack("{s:s}", "reference", ref);
	free(ref);
	if (display)
		json_object_set_new(r, "display", json_string(display));
	return r;
}

static json_t *facility_type(void)
{
	return json_pack("{s:[o]}", "coding", coding(YJ_FHIR_MCSD_TYPES, "facility", "Facility"));
}

static json_t *institution_type(const json_t *inst)
{
	const char *t = str(inst, "type");
	const char *label = yj_vocab_label(&yj_voc_institution_type, t);
	return json_pack("{s:[o], s:s}", "coding", coding(YJ_FHIR_CS_INST_TYPE, t, label), "text", label);
}

static json_t *institution_identifiers(const json_t *inst)
{
	json_t *ids = json_array();
	if (str(inst, "credit_code"))
		json_array_append_new(ids, identifier(YJ_FHIR_SID_USCC, "TAX", "统一社会信用代码", str(inst, "credit_code")));
	if (str(inst, "licence_no"))
		json_array_append_new(ids, identifier(YJ_FHIR_SID_LICENCE, "LN", "医疗机构执业许可证登记号", str(inst, "licence_no")));
	return ids;
}

static json_t *address(const json_t *inst, const char *district)
{
	const char *text = str(inst, "address");
	if (!text && !district)
		return NULL;
	json_t *a = json_pack("{s:s, s:s, s:s}", "use", "work", "type", "physical", "country", "CN");
	if (text) {
		json_object_set_new(a, "text", json_string(text));
		json_object_set_new(a, "line", json_pack("[s]", text));
	}
	if (district)
		json_object_set_new(a, "district", json_string(district));
	return a;
}

/* ---- resources ---- */

json_t *yj_fhir_organization(const json_t *inst, const char *district)
{
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:b, s:[o,o], s:s}", "resourceType", "Organization", "id",
			      str(inst, "id"), "meta", meta(inst, "FacilityOrganization"), "identifier",
			      institution_identifiers(inst), "active", strcmp(str(inst, "state"), "active") == 0, "type",
			      facility_type(), institution_type(inst), "name", str(inst, "name"));
	json_t *a = address(inst, district);
	if (a)
		json_object_set_new(o, "address", json_pack("[o]", a));
	return o;
}

json_t *yj_fhir_location(const json_t *inst, const char *district)
{
	const char *state = str(inst, "state");
	const char *status = !strcmp(state, "active") ? "active" : !strcmp(state, "suspended") ? "suspended" : "inactive";
	json_t *l = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:[o,o], s:o}", "resourceType", "Location", "id",
			      str(inst, "id"), "meta", meta(inst, "FacilityLocation"), "identifier",
			      institution_identifiers(inst), "status", status, "name", str(inst, "name"), "mode",
			      "instance", "type", facility_type(), institution_type(inst), "managingOrganization",
			      reference("Organization", str(inst, "id"), str(inst, "name")));
	json_t *a = address(inst, district);
	if (a)
		json_object_set_new(l, "address", a);
	json_t *lng = json_object_get(inst, "lng"), *lat = json_object_get(inst, "lat");
	if (json_is_number(lng) && json_is_number(lat))
		json_object_set_new(l, "position", json_pack("{s:f, s:f}", "longitude", json_number_value(lng), "latitude",
							      json_number_value(lat)));
	return l;
}

json_t *yj_fhir_practitioner(const json_t *prac)
{
	const char *name = str(prac, "name");
	char family[64], given[256];
	json_t *hn = json_pack("{s:s, s:s}", "use", "official", "text", name);
	if (yj_fhir_split_name(name, family, sizeof family, given, sizeof given)) {
		json_object_set_new(hn, "family", json_string(family));
		if (*given)
			json_object_set_new(hn, "given", json_pack("[s]", given));
	}
	const char *cat = str(prac, "category"), *pt = str(prac, "practice_type");
	const char *cat_label = yj_vocab_label(&yj_voc_category, cat);
	char qtext[160];
	snprintf(qtext, sizeof qtext, "%s执业证书（%s）", cat_label, yj_vocab_label(&yj_voc_practice_type, pt));
	json_t *qual = json_pack("{s:[o], s:{s:[o], s:s}}", "identifier",
				 identifier(YJ_FHIR_SID_CERT, "LN", "执业证书编码", str(prac, "certificate_no")), "code",
				 "coding", coding(YJ_FHIR_CS_CATEGORY, cat, cat_label), "text", qtext);
	const char *sex = str(prac, "sex");
	json_t *p = json_pack("{s:s, s:s, s:o, s:[o], s:b, s:[o], s:[o]}", "resourceType", "Practitioner", "id",
			      str(prac, "id"), "meta", meta(prac, "Practitioner"), "identifier",
			      identifier(YJ_FHIR_SID_CERT, "LN", "执业证书编码", str(prac, "certificate_no")), "active",
			      strcmp(str(prac, "state"), "active") == 0, "name", hn, "qualification", qual);
	/* Absent from prac when the caller's role does not see sex: then gender is left out, not "unknown". */
	if (sex)
		json_object_set_new(p, "gender", json_string(!strcmp(sex, "M") ? "male" : !strcmp(sex, "F") ? "female" : "unknown"));
	return p;
}

const char *yj_fhir_hl7_role(const char *category)
{
	if (!strcmp(category, "physician") || !strcmp(category, "assistant_physician"))
		return "doctor";
	if (!strcmp(category, "nurse"))
		return "nurse";
	if (!strcmp(category, "pharmacist"))
		return "pharmacist";
	return NULL;
}

/* code and specialty of a practitioner's roles, from category and practice type. */
static void role_codes(json_t *role, const json_t *prac)
{
	const char *cat = str(prac, "category"), *pt = str(prac, "practice_type");
	json_t *codings = json_pack("[o]", coding(YJ_FHIR_CS_CATEGORY, cat, yj_vocab_label(&yj_voc_category, cat)));
	const char *hl7 = yj_fhir_hl7_role(cat);
	if (hl7)
		json_array_append_new(codings, coding(YJ_FHIR_HL7_ROLE, hl7, NULL));
	json_object_set_new(role, "code", json_pack("[{s:o, s:s}]", "coding", codings, "text",
						    yj_vocab_label(&yj_voc_category, cat)));
	const char *pt_label = yj_vocab_label(&yj_voc_practice_type, pt);
	json_object_set_new(role, "specialty", json_pack("[{s:[o], s:s}]", "coding",
							 coding(YJ_FHIR_CS_PRACTICE_TYPE, pt, pt_label), "text", pt_label));
}

json_t *yj_fhir_role_primary(const json_t *prac)
{
	char id[48];
	snprintf(id, sizeof id, "%s-primary", str(prac, "id"));
	json_t *r = json_pack("{s:s, s:s, s:o, s:b, s:o}", "resourceType", "PractitionerRole", "id", id, "meta",
			      meta(prac, "PractitionerRole"), "active", strcmp(str(prac, "state"), "active") == 0,
			      "practitioner", reference("Practitioner", str(prac, "id"), str(prac, "name")));
	const char *inst = str(prac, "institution_id");
	if (inst) {
		json_object_set_new(r, "organization", reference("Organization", inst, NULL));
		json_object_set_new(r, "location", json_pack("[o]", reference("Location", inst, NULL)));
	}
	role_codes(r, prac);
	return r;
}

json_t *yj_fhir_role_filing(const json_t *filing, const json_t *prac, const char *today)
{
	char id[48], at[40];
	snprintf(id, sizeof id, "%s-filing", str(filing, "id"));
	yj_instant_format(json_integer_value(json_object_get(filing, "created_at")), YJ_SHANGHAI_OFFSET_MIN, at);
	const char *end = str(filing, "end_date");
	int active = strcmp(str(prac, "state"), "active") == 0 && (!end || strcmp(end, today) >= 0);
	json_t *period = json_pack("{s:s}", "start", str(filing, "start_date"));
	if (end)
		json_object_set_new(period, "end", json_string(end));
	const char *inst = str(filing, "institution_id");
	json_t *r = json_pack("{s:s, s:s, s:{s:s, s:s, s:[s+]}, s:b, s:o, s:o, s:o, s:[o]}", "resourceType",
			      "PractitionerRole", "id", id, "meta", "versionId", "1", "lastUpdated", at, "profile",
			      MCSD_PROFILE, "PractitionerRole", "active", active, "period", period, "practitioner",
			      reference("Practitioner", str(prac, "id"), str(prac, "name")), "organization",
			      reference("Organization", inst, NULL), "location", reference("Location", inst, NULL));
	role_codes(r, prac);
	return r;
}
