/* codes.c — GB 32100, GB 11714 and GB 11643 check characters (see codes.h). The weights are the
 * standards' tables; ../shared/domain/FACTS.md quotes them. */
#include "codes.h"
#include "date.h"

#include <string.h>

static const char credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY"; /* 31 symbols, no I O S V Z */
static const int credit_weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
static const int org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
static const int id_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char id_check[] = "10X98765432";

static int credit_value(char c)
{
	const char *p = c ? strchr(credit_alphabet, c) : NULL;
	return p ? (int)(p - credit_alphabet) : -1;
}

char yj_credit_code_check_char(const char *s17)
{
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		int v = credit_value(s17[i]);
		if (v < 0)
			return 0;
		sum += v * credit_weights[i];
	}
	int c = 31 - sum % 31;
	return credit_alphabet[c == 31 ? 0 : c];
}

/* GB 11714 over the 9 characters at p: 8 body characters (digits or capitals) and a check. The
 * body's letters count as 10 + their place in the Latin alphabet, as the standard defines. */
static int org_code_ok(const char *p)
{
	int sum = 0;
	for (int i = 0; i < 8; i++) {
		int v;
		if (p[i] >= '0' && p[i] <= '9')
			v = p[i] - '0';
		else if (p[i] >= 'A' && p[i] <= 'Z')
			v = p[i] - 'A' + 10;
		else
			return 0;
		sum += v * org_weights[i];
	}
	int c = 11 - sum % 11;
	char want = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
	return p[8] == want;
}

int yj_credit_code_make(const char *prefix8, const char *body8, char out[19])
{
	int sum = 0;
	for (int i = 0; i < 8; i++) {
		if (credit_value(prefix8[i]) < 0 || credit_value(body8[i]) < 0)
			return -1;
		out[i] = prefix8[i];
		out[8 + i] = body8[i];
		int v = body8[i] >= '0' && body8[i] <= '9' ? body8[i] - '0' : body8[i] - 'A' + 10;
		sum += v * org_weights[i];
	}
	int c = 11 - sum % 11;
	out[16] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
	out[17] = yj_credit_code_check_char(out);
	out[18] = '\0';
	return 0;
}

enum yj_code_err yj_credit_code_check(const char *s, size_t n)
{
	if (n != 18)
		return YJ_CODE_LENGTH;
	for (size_t i = 0; i < n; i++)
		if (credit_value(s[i]) < 0)
			return YJ_CODE_CHARSET;
	if (yj_credit_code_check_char(s) != s[17])
		return YJ_CODE_CHECK;
	if (!org_code_ok(s + 8))
		return YJ_CODE_CHECK;
	return YJ_CODE_OK;
}

char yj_resident_id_check_char(const char *s17)
{
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		if (s17[i] < '0' || s17[i] > '9')
			return 0;
		sum += (s17[i] - '0') * id_weights[i];
	}
	return id_check[sum % 11];
}

enum yj_code_err yj_resident_id_check(const char *s, size_t n)
{
	if (n != 18)
		return YJ_CODE_LENGTH;
	for (size_t i = 0; i < 17; i++)
		if (s[i] < '0' || s[i] > '9')
			return YJ_CODE_CHARSET;
	if (!((s[17] >= '0' && s[17] <= '9') || s[17] == 'X'))
		return YJ_CODE_CHARSET;
	if (yj_date_parse_compact(s + 6, 8, 1850, 2100, NULL) < 0) /* the birth date, YYYYMMDD */
		return YJ_CODE_DATE;
	if (yj_resident_id_check_char(s) != s[17])
		return YJ_CODE_CHECK;
	return YJ_CODE_OK;
}

char yj_resident_id_sex(const char *s)
{
	return (s[16] - '0') % 2 ? 'M' : 'F';
}

const char *yj_code_err_zh(enum yj_code_err err)
{
	switch (err) {
	case YJ_CODE_OK:
		return "正确";
	case YJ_CODE_LENGTH:
		return "位数不正确，应为 18 位";
	case YJ_CODE_CHARSET:
		return "含有不允许的字符，请核对（字母应为大写，不含 I、O、S、V、Z）";
	case YJ_CODE_CHECK:
		return "校验位不正确，请核对号码";
	case YJ_CODE_DATE:
		return "出生日期不是有效日期，请核对号码";
	}
	return "无效";
}
