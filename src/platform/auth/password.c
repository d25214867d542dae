/* password.c — the rules a new password must meet (yj_password_weak): a length in code points, then
 * libpwquality with cracklib's dictionary (Debian: libpwquality1, cracklib-runtime) for common words,
 * runs, palindromes, too few different characters, the user name and the old password, and a short
 * list of common Chinese passwords that dictionary misses. Each refusal has a Chinese and an English text. */
#define _POSIX_C_SOURCE 200809L
#include "auth_int.h"
#include "../../base/log.h"

#include <pthread.h>
#include <pwquality.h>
#include <string.h>
#include <strings.h>

#define PW_MIN 8   /* NIST SP 800-63B §5.1.1.2: at least 8, with a blocklist (below) */
#define PW_MAX 128 /* ASVS V2.1.2 asks for at least 64 to be allowed */

/* Passwords frequent in published analyses of Chinese leaks (the CSDN 2011 top list; Li, Han and Xu,
 * "A Large-Scale Empirical Analysis of Chinese Web Passwords", USENIX Security 2014) and vendor
 * defaults common on Chinese networks, that cracklib's English dictionary lets through (each was
 * checked against it). Compared case-insensitively. Keep it short: the dictionary does the bulk. */
static const char *const common_zh[] = {
	"woaini1314", "woaini520", "woaini123", "iloveyou1314", "5201314520", "13145200", "1qaz2wsx3edc",
	"123qwe!@#", "qwer1234", "admin@123", "admin@1234", "admin@123456", "p@ssw0rd", "p@ssword",
	"huawei@123", "root@123", "dearbook", "xiazhili",
};

enum reason {
	R_SHORT, R_LONG, R_USER, R_SAME, R_SIMILAR, R_COMMON, R_SIMPLE, R_FEW, R_PALINDROME, R_SYSTEM_NAME,
	R_WEAK, R_NODICT,
};

static const yj_pw_refusal reasons[] = {
	[R_SHORT] = {"密码至少 8 位", "at least 8 characters"},
	[R_LONG] = {"密码不能超过 128 位", "at most 128 characters"},
	[R_USER] = {"密码不能包含用户名，请换一个", "it contains the user name"},
	[R_SAME] = {"新密码不能与当前密码相同，请换一个", "the new password is the current one"},
	[R_SIMILAR] = {"新密码与当前密码过于相似，请换一个", "too similar to the current password"},
	[R_COMMON] = {"这是常见单词或常用密码，很容易被猜中，请换一个", "a common word or a common password"},
	[R_SIMPLE] = {"密码过于简单或有规律（如连续的数字或字母、键盘顺序），请换一个",
		      "too simple or systematic (a run of digits or letters, a keyboard pattern)"},
	[R_FEW] = {"密码中不同的字符太少，请换一个", "too few different characters"},
	[R_PALINDROME] = {"密码不能是回文（正读反读相同），请换一个", "a palindrome"},
	[R_SYSTEM_NAME] = {"密码不能包含系统名称，请换一个", "it contains the system's name"},
	[R_WEAK] = {"密码太容易被猜中，请换一个更长、更不规则的密码", "too easy to guess"},
	[R_NODICT] = {"服务器缺少弱密码字典，暂时无法设置密码，请联系管理员安装 cracklib-runtime",
		      "cracklib's dictionary is missing: install cracklib-runtime"},
};

static pthread_mutex_t pwq_lock = PTHREAD_MUTEX_INITIALIZER; /* cracklib keeps static state */
static pwquality_settings_t *pwq;

static size_t code_points(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* The reason for a cracklib refusal, told by its (English, untranslated) message. */
static enum reason cracklib_reason(const char *msg)
{
	if (!msg)
		return R_WEAK;
	if (strstr(msg, "error loading dictionary"))
		return R_NODICT;
	if (strstr(msg, "dictionary word"))
		return R_COMMON;
	if (strstr(msg, "simplistic") || strstr(msg, "systematic"))
		return R_SIMPLE;
	if (strstr(msg, "DIFFERENT"))
		return R_FEW;
	if (strstr(msg, "short"))
		return R_SHORT;
	return R_WEAK;
}

static enum reason pwq_reason(int rc, void *aux)
{
	switch (rc) {
	case PWQ_ERROR_MIN_LENGTH:
		return R_SHORT;
	case PWQ_ERROR_SAME_PASSWORD:
		return R_SAME;
	case PWQ_ERROR_CASE_CHANGES_ONLY:
	case PWQ_ERROR_TOO_SIMILAR:
	case PWQ_ERROR_ROTATED:
		return R_SIMILAR;
	case PWQ_ERROR_PALINDROME:
		return R_PALINDROME;
	case PWQ_ERROR_USER_CHECK:
		return R_USER;
	case PWQ_ERROR_BAD_WORDS:
		return R_SYSTEM_NAME;
	case PWQ_ERROR_CRACKLIB_CHECK:
		return cracklib_reason(aux);
	default:
		return R_WEAK;
	}
}

/* libpwquality's defaults, not /etc/security/pwquality.conf: the rules are yijian's, the same on
 * every machine. Returns NULL when out of memory. */
static pwquality_settings_t *settings(void)
{
	if (pwq)
		return pwq;
	pwquality_settings_t *s = pwquality_default_settings();
	if (!s)
		return NULL;
	if (pwquality_set_int_value(s, PWQ_SETTING_MIN_LENGTH, PW_MIN) != 0 ||
	    pwquality_set_int_value(s, PWQ_SETTING_DICT_CHECK, 1) != 0 ||
	    pwquality_set_int_value(s, PWQ_SETTING_USER_CHECK, 1) != 0 ||
	    pwquality_set_str_value(s, PWQ_SETTING_BAD_WORDS, "yijian") != 0) {
		pwquality_free_settings(s);
		return NULL;
	}
	return pwq = s;
}

const yj_pw_refusal *yj_password_weak(const char *password, const char *username, const char *old_password)
{
	size_t n = code_points(password);
	if (n < PW_MIN)
		return &reasons[R_SHORT];
	if (n > PW_MAX)
		return &reasons[R_LONG];
	if (username && *username && strcasecmp(password, username) == 0)
		return &reasons[R_USER];
	if (old_password && strcmp(password, old_password) == 0)
		return &reasons[R_SAME];
	for (size_t i = 0; i < YJ_ARRAY_LEN(common_zh); i++)
		if (strcasecmp(password, common_zh[i]) == 0)
			return &reasons[R_COMMON];
	void *aux = NULL;
	int rc;
	pthread_mutex_lock(&pwq_lock);
	pwquality_settings_t *s = settings();
	rc = s ? pwquality_check(s, password, old_password, username, &aux) : PWQ_ERROR_MEM_ALLOC;
	pthread_mutex_unlock(&pwq_lock);
	if (rc >= 0)
		return NULL;
	enum reason why = pwq_reason(rc, aux);
	char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	pwquality_strerror(buf, sizeof buf, rc, aux); /* releases aux where the library allocated it */
	if (why == R_NODICT)
		yj_log(YJ_LOG_ERROR, "auth.no_cracklib_dict", "\"detail\":\"install cracklib-runtime\"");
	return &reasons[why];
}
