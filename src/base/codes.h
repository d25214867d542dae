/* codes.h — check characters of the national identifier standards the registry validates:
 * the unified social credit code (统一社会信用代码, GB 32100-2015) with its embedded organisation
 * code (GB 11714-1997), and the resident identity number (居民身份证号码, GB 11643-1999).
 * Pure functions over bytes; nothing here allocates. */
#ifndef YJ_CODES_H
#define YJ_CODES_H

#include <stddef.h>

/* Why a code was refused: the first problem found, so the message can name it. */
enum yj_code_err {
	YJ_CODE_OK = 0,
	YJ_CODE_LENGTH,	    /* wrong number of characters */
	YJ_CODE_CHARSET,    /* a character outside the standard's alphabet */
	YJ_CODE_CHECK,	    /* the check character does not match */
	YJ_CODE_DATE,	    /* GB 11643: the birth date is not a real date */
};

/* GB 32100-2015: 18 characters over 0-9 A-Y without I O S V Z; weights 3^i mod 31; the check is
 * 31 - (sum mod 31), 31 meaning 0. Characters 9–17 are a GB 11714 organisation code whose own
 * check (weights 3,7,9,10,5,8,4,2 mod 11; 10 → X, 11 → 0) is tested too. */
enum yj_code_err yj_credit_code_check(const char *s, size_t n);
/* The correct check character for the first 17 characters, or 0 when they are not valid. */
char yj_credit_code_check_char(const char *s17);

/* Makes a valid unified social credit code (for synthetic data) from its first 8 characters
 * (registration authority, category, 6-digit region) and an 8-character organisation-code body:
 * appends the GB 11714 check and then the GB 32100 check. Writes 18 characters and a NUL to out.
 * Returns 0, or -1 when a character is outside the code's alphabet. */
int yj_credit_code_make(const char *prefix8, const char *body8, char out[19]);

/* GB 11643-1999: 17 digits (6 region, 8 birth date YYYYMMDD, 3 sequence) and a check character
 * from "10X98765432" indexed by the weighted sum mod 11. A lower-case x is refused: the standard
 * writes X. */
enum yj_code_err yj_resident_id_check(const char *s, size_t n);
char yj_resident_id_check_char(const char *s17);
/* 'M' or 'F' from the sequence digit of a valid number. */
char yj_resident_id_sex(const char *s);

/* A Chinese explanation of err for a field, shown to users ("校验位不正确，请核对号码"). */
const char *yj_code_err_zh(enum yj_code_err err);

#endif
