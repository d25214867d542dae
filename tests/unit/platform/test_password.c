/* test_password.c — the rules for new passwords (libpwquality + cracklib + the short Chinese list)
 * and the address key sign-in throttling counts by (IPv6 by /64). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "platform/auth/auth_int.h"

static void refuses(const char *pw, const char *user, const char *old, const char *zh_part)
{
	const yj_pw_refusal *r = yj_password_weak(pw, user, old);
	if (!r)
		fail_msg("'%s' was accepted", pw);
	if (!strstr(r->zh, zh_part))
		fail_msg("'%s': '%s' does not say '%s'", pw, r->zh, zh_part);
	assert_non_null(r->en);
}

static void weak_passwords_refused_with_reasons(void **state)
{
	(void)state;
	refuses("1234567", "li", NULL, "至少 8 位");
	refuses("密码密码密码", "li", NULL, "至少 8 位"); /* 6 code points, 18 bytes */
	refuses("12345678", "li", NULL, "有规律");
	refuses("password", "li", NULL, "常见");
	refuses("aaaaaaaa", "li", NULL, "回文");
	refuses("aaaaaaab", "li", NULL, "不同的字符");
	refuses("woaini1314", "li", NULL, "常见"); /* from the Chinese list: cracklib lets it through */
	refuses("WOAINI1314", "li", NULL, "常见");
	refuses("zhang.admin", "zhang.admin", NULL, "用户名");
	refuses("Xzhang.admin9", "zhang.admin", NULL, "用户名");
	refuses("Ceshi-mima-2026", "li", "Ceshi-mima-2026", "当前密码");
	refuses("Yijian-2026!", "li", NULL, "系统名称");
}

static void good_passwords_accepted(void **state)
{
	(void)state;
	assert_null(yj_password_weak("Ceshi-mima-2026", "li.inspector", NULL));
	assert_null(yj_password_weak("Lanse-haibian-7", "li.inspector", "Ceshi-mima-2026"));
	assert_null(yj_password_weak("监督检查很重要啊", "li", NULL)); /* 8 code points of Chinese */
	assert_null(yj_password_weak("correct horse battery staple", "li", NULL));
}

static void throttle_keys(void **state)
{
	(void)state;
	char k[64];
	auth_throttle_key("192.0.2.7", k, sizeof k);
	assert_string_equal(k, "192.0.2.7");
	auth_throttle_key("::ffff:192.0.2.7", k, sizeof k);
	assert_string_equal(k, "192.0.2.7");
	auth_throttle_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", k, sizeof k);
	assert_string_equal(k, "2001:db8:1:2::/64");
	char k2[64];
	auth_throttle_key("2001:db8:1:2::1", k2, sizeof k2);
	assert_string_equal(k, k2);
	auth_throttle_key("2001:db8:1:3::1", k2, sizeof k2);
	assert_string_not_equal(k, k2);
	auth_throttle_key("", k, sizeof k);
	assert_string_equal(k, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(weak_passwords_refused_with_reasons),
		cmocka_unit_test(good_passwords_accepted),
		cmocka_unit_test(throttle_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
