/* main.c — the yijian command line: one binary, a subcommand per task. */
#include "cli.h"
#include "../base/base.h"
#include "../base/id.h"
#include "modules.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{"serve", cmd_serve, "run the HTTP server: console, API, public pages"},
	{"init", cmd_init, "create or migrate a database"},
	{"user", cmd_user, "add a user or set a password (user add | user passwd)"},
	{"token", cmd_token, "create a bearer token for a system (token create)"},
	{"audit", cmd_audit, "verify the full-process record against a signed tree head (audit verify)"},
	{"backup", cmd_backup, "copy a live SQLite database with the online backup API"},
	{"screen", cmd_screen, "screen insurance claims against the rule base (医保智能监控)"},
	{"gen", cmd_gen, "generate labelled synthetic data (gen claims)"},
	{"rules", cmd_rules, "import a catalogue into the claims rule base (rules import; 目录导入)"},
	{"demo", cmd_demo, "build the demo region 温州市 with demo accounts (--seed N)"},
	{"import", cmd_import, "import institutions or practitioners from CSV (导入)"},
	{"licence", cmd_licence, "check a downloaded electronic licence offline (licence verify)"},
	{"draw", cmd_draw, "verify a published random draw, or draw offline (draw verify | draw run)"},
	{"doc", cmd_doc, "render a document (文书) to PDF for a look at its layout (doc render)"},
};

static void usage(FILE *out)
{
	fprintf(out, "yijian %s — 医疗卫生行业综合监管平台 (comprehensive supervision of the health sector)\n\n"
		     "Usage: yijian COMMAND [OPTIONS]   (yijian COMMAND --help for its options)\n\nCommands:\n",
		YJ_VERSION);
	for (size_t i = 0; i < YJ_ARRAY_LEN(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "  %-8s %s\n", "version", "print the version");
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "yijian: libsodium failed to initialise\n");
		return 1;
	}
	yj_id_seed(randombytes_random());
	/* Institution users and grid members see the subjects the registry names (platform/auth/auth.h). */
	yj_modules_start(yj_modules, yj_modules_len);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("yijian %s\n", YJ_VERSION);
		return 0;
	}
	for (size_t i = 0; i < YJ_ARRAY_LEN(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "yijian: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
