/* cli.h — the subcommands of the yijian binary and the option handling they share. Each
 * subcommand lives in its own file and returns the process exit status. */
#ifndef YJ_CLI_H
#define YJ_CLI_H

#include "../platform/store/store.h"

/* A long option of a subcommand: "--name VALUE" (has_arg) or "--flag". */
typedef struct cli_opt {
	const char *name;
	int has_arg;
	const char *help;
	const char *value; /* filled by cli_parse: the value, or "1" for a flag that was given */
} cli_opt;

/* Parses argv against opts (terminated by {NULL}); prints usage and returns -1 on --help or an
 * unknown option (*exit_code set to 0 or 2). Positional arguments are left in *rest / *nrest. */
int cli_parse(int argc, char **argv, const char *usage, cli_opt *opts, char ***rest, int *nrest, int *exit_code);
const char *cli_get(const cli_opt *opts, const char *name);

/* The database URL: --db, else $YIJIAN_DB, else sqlite:yijian.db. */
const char *cli_db_url(const cli_opt *opts);
/* Directory of the audit signing keys: --keys, else $YIJIAN_KEYS, else PATH.keys beside a SQLite
 * file, else ./yijian-keys. Caller frees. */
char *cli_keys_dir(const cli_opt *opts, const char *db_url);
/* Loads every key kept in DIR (audit signing, licence signing, personal-data encryption), creating missing ones.
 * YJ_OK, or YJ_ERR with *err (caller frees). */
/* Signs the tree head over what a one-shot command appended (no signer thread runs in it), so its
 * leaves do not wait for the next `serve`; a failure is only warned about. */
void cli_sign_heads(store *s);
int cli_load_keys(const char *dir, char **err);
/* Opens and migrates the store, printing the reason on failure. */
store *cli_open_store(const char *url, int migrate);
/* Reads one line from stdin (a password), without the newline. Caller frees; NULL on EOF. */
char *cli_read_line(void);

int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_screen(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_licence(int argc, char **argv);
int cmd_draw(int argc, char **argv);
int cmd_doc(int argc, char **argv);

#endif
