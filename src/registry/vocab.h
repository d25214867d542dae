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

/* Every vocabulary, for GET /api/v1/vocab and the console's drop-downs. */
extern const yj_vocab *const yj_vocabs[];
extern const size_t yj_nvocabs;

/* The entry whose code or label equals s (imports accept either), or NULL. */
const yj_vocab_entry *yj_vocab_find(const yj_vocab *v, const char *s);
/* The label of code, or code itself when unknown. */
const char *yj_vocab_label(const yj_vocab *v, const char *code);

#endif
