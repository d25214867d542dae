/* vocab.h — the registry's controlled vocabularies: institution types, levels and grades,
 * ownership, profit class, clinical departments (诊疗科目, national catalogue codes), large
 * equipment, practitioner categories and grades, record states. Codes are what the store and the
 * API carry; labels are what users read. */
#ifndef YJ_VOCAB_H
#define YJ_VOCAB_H

#include <stddef.h>

typedef struct yj_vocab_entry {
	const char *code;
	const char *label; /* Simplified Chinese */
} yj_vocab_entry;

typedef struct yj_vocab {
	const char *name; /* "institution_type" */
	const yj_vocab_entry *v;
	size_t n;
} yj_vocab;

extern const yj_vocab yj_voc_institution_type, yj_voc_level, yj_voc_grade, yj_voc_ownership, yj_voc_profit,
	yj_voc_clinical_dept, yj_voc_equipment, yj_voc_institution_state, yj_voc_category, yj_voc_practice_type,
	yj_voc_antibiotic_grade, yj_voc_practitioner_state, yj_voc_assessment;
/* The other kinds of subject (subject_kinds.c). */
extern const yj_vocab yj_voc_subject_state, yj_voc_public_place_cat, yj_voc_water_supply_cat, yj_voc_school_cat,
	yj_voc_employer_cat, yj_voc_hazard_factor, yj_voc_hazard_class, yj_voc_occ_service_cat,
	yj_voc_qualification_level, yj_voc_radiation_cat, yj_voc_pharmacy_cat, yj_voc_childcare_cat,
	yj_voc_disinfectant_cat, yj_voc_unit_clinic_cat, yj_voc_pharma_cat;

/* Every vocabulary, for GET /api/v1/vocab and the console's drop-downs. */
extern const yj_vocab *const yj_vocabs[];
extern const size_t yj_nvocabs;

/* The entry whose code or label equals s (imports accept either), or NULL. */
const yj_vocab_entry *yj_vocab_find(const yj_vocab *v, const char *s);
/* The label of code, or code itself when unknown. */
const char *yj_vocab_label(const yj_vocab *v, const char *code);

#endif
