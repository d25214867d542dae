/* fhir.h — FHIR R4 for interchange, following IHE mCSD: the registry's institutions and
 * practitioners as Organization, Location, Practitioner and PractitionerRole resources, read and
 * searched (ITI-90) and synchronised by _history (ITI-91) under /fhir/r4/. This capability only
 * reads: the registry owns the data, its scope and its history, and is read through the searches
 * of registry/registry.h (fhir_search.c maps the search parameters onto them).
 *
 * Ownership: every function returning json_t * gives the caller a new reference; json_t *
 * arguments are borrowed. */
#ifndef YJ_FHIR_H
#define YJ_FHIR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/date.h"
#include "../platform/http/http.h"

/* Our namespace for identifier systems and code systems. No official OID or URI for the unified
 * social credit code or the practice certificate number was found (see docs/fhir.md); these URIs
 * name systems, they need not resolve. */
#define YJ_FHIR_NS "https://yijian.example/fhir"
#define YJ_FHIR_SID_USCC YJ_FHIR_NS "/sid/uscc"
#define YJ_FHIR_SID_LICENCE YJ_FHIR_NS "/sid/medical-institution-licence"
#define YJ_FHIR_SID_CERT YJ_FHIR_NS "/sid/practice-certificate"
#define YJ_FHIR_CS_INST_TYPE YJ_FHIR_NS "/CodeSystem/institution-type"
#define YJ_FHIR_CS_CATEGORY YJ_FHIR_NS "/CodeSystem/practitioner-category"
#define YJ_FHIR_CS_PRACTICE_TYPE YJ_FHIR_NS "/CodeSystem/practice-type"
#define YJ_FHIR_MCSD_TYPES "https://profiles.ihe.net/ITI/mCSD/CodeSystem/IHE.mCSD.Organization.Location.Types"
#define YJ_FHIR_HL7_ROLE "http://terminology.hl7.org/CodeSystem/practitioner-role"

/* ---- resources from registry records (records as registry.h's searches return them, with id,
 * version and updated_at). district is the county's name for the address, or NULL. ---- */
json_t *yj_fhir_organization(const json_t *inst, const char *district);
json_t *yj_fhir_location(const json_t *inst, const char *district);
/* Never carries the resident ID number, masked or not, nor the birth date (see docs/fhir.md); gender
 * only when prac has sex (the caller's role sees it: yj_pii_present). */
json_t *yj_fhir_practitioner(const json_t *prac);
/* The role at the primary institution: id "<practitioner id>-primary". */
json_t *yj_fhir_role_primary(const json_t *prac);
/* The role of a multi-institution filing (多机构执业备案): id "<filing id>-filing". filing has
 * id, institution_id, start_date, end_date (string or null), created_at; prac the practitioner.
 * today is YYYY-MM-DD in Asia/Shanghai. */
json_t *yj_fhir_role_filing(const json_t *filing, const json_t *prac, const char *today);

/* The HL7 practitioner-role code of a category (doctor, nurse, pharmacist), or NULL. */
const char *yj_fhir_hl7_role(const char *category);

/* Splits a Chinese name into family and given names: the first character is the family name,
 * or the first two for the compound surnames of yj_fhir_compound_surnames. Names holding a
 * separator ("·" of minority and foreign names, a space) are not split: both outputs are empty.
 * Returns 1 when split. */
int yj_fhir_split_name(const char *name, char *family, size_t fsize, char *given, size_t gsize);
extern const char *const yj_fhir_compound_surnames[]; /* NULL-terminated */

/* Instants are written in Asia/Shanghai's +08:00 (yj_instant_format with YJ_SHANGHAI_OFFSET_MIN);
 * FHIR dateTime search values are read by yj_instant_parse_range; both are base/date.h. */

/* Routes: GET /fhir/r4/metadata and read, search and _history of the four resource types. */
extern const yj_route yj_fhir_routes[];

/* The module descriptor (fhir_module.c; platform/module.h). */
extern const struct yj_module yj_fhir_module;

#endif
