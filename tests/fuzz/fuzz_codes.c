/* fuzz_codes.c — the GB 32100 and GB 11643 check-character validators on arbitrary bytes. Beyond
 * not crashing: a code accepted is exactly its first 17 characters plus the computed check
 * character, and for any 17-character body no other character of the alphabet in its place is
 * accepted. The fuzz environment is linked
 * but not used. */
#include "base/codes.h"

#include <stdlib.h>
#include <string.h>

static const char credit_alpha[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const char id_alpha[] = "0123456789X";

static void check_kind(const char *s, size_t n, enum yj_code_err (*check)(const char *, size_t),
		       char (*check_char)(const char *), const char *alpha)
{
	if (check(s, n) == YJ_CODE_OK) {
		char body[18];
		if (n != 18)
			abort();
		memcpy(body, s, 17);
		body[17] = '\0';
		if (check_char(body) != s[17])
			abort();
	}
	if (n < 17)
		return;
	char code[19];
	memcpy(code, s, 17);
	code[17] = '\0';
	if (memchr(code, '\0', 17))
		return;
	char c = check_char(code);
	if (!c)
		return;
	/* Only the computed character can complete the body (the body itself may still fail, for an
	 * organisation code or a birth date of its own, and then every completion fails). */
	code[18] = '\0';
	for (const char *a = alpha; *a; a++) {
		code[17] = *a;
		if (check(code, 18) == YJ_CODE_OK && *a != c)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *s = (const char *)data;
	check_kind(s, size, yj_credit_code_check, yj_credit_code_check_char, credit_alpha);
	check_kind(s, size, yj_resident_id_check, yj_resident_id_check_char, id_alpha);
	if (size >= 18 && yj_resident_id_check(s, 18) == YJ_CODE_OK) {
		char sex = yj_resident_id_sex(s);
		if (sex != 'M' && sex != 'F')
			abort();
	}
	return 0;
}
