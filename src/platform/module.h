/* module.h — a capability as the binary sees it: its name, the modules it stands on, its schema
 * (migrations numbered per module, from <module>/migrations/NNNN_name.sql), its routes, jobs and
 * event subscriptions, the tables it owns and the path prefixes it serves with errors of its own.
 * The binary is built from one list of these in dependency order (src/cli/modules.c); platform is the first entry and names no capability. */
#ifndef YJ_MODULE_H
#define YJ_MODULE_H

#include "http/http.h"
#include "store/store.h"

typedef struct yj_migration {
	int64_t version; /* per module: NNNN of the file name */
	const char *name;
	const char *sql;
	/* The global version (0001…0012) this file was, or was part of, before migrations were kept per
	 * module ("-- global-version: N" in the file); 0 for later files. A database made before modules
	 * records those versions, and yj_modules_migrate carries them over (module.c). */
	int64_t global_version;
} yj_migration;

/* Defined by the job runner (jobs/jobs.h) and the event bus (events/events.h): a module lists what
 * it runs and what it listens to. */
typedef struct yj_job_def yj_job_def;
typedef struct yj_subscriber yj_subscriber;

typedef struct yj_module {
	const char *name;
	const char *const *requires; /* names of modules listed before this one; NULL-terminated, or NULL */
	const yj_migration *migrations; /* in version order, ended by version 0; or NULL */
	/* The module's C step for migration `version`, run in the migration's transaction after its SQL
	 * (data SQL cannot load portably, such as the region codes); ST_OK when the version has none.
	 * NULL when no migration of the module has one. */
	int (*after)(store_conn *c, int64_t version);
	const yj_route *const *routes; /* route tables, NULL-terminated, or NULL */
	const yj_job_def *jobs;			   /* periodic and deferred jobs, ended by a NULL name; or NULL */
	const yj_subscriber *const *subscriptions; /* event subscribers, NULL-terminated; or NULL */
	/* The tables this module alone writes and reads in SQL (docs/development.md lists them; the check
	 * scripts/check-ownership refuses any other module's SQL naming them). NULL-terminated. */
	const char *const *tables;
	/* Run once at start, before serving or any command (registers hooks with platform); or NULL. */
	void (*start)(void);
	/* The path prefixes the module serves outside the console and /api/ (the FHIR facade's, say), each
	 * with the writer of its own error format or NULL for problem+json (http.h, yj_path_prefix):
	 * the server answers problems under the longest matching prefix with its writer, and never
	 * serves a console page there. Ended by a NULL prefix; or NULL. */
	const yj_path_prefix *prefixes;
} yj_module;

/* The platform's own descriptor (platform_module.c). */
extern const yj_module yj_platform_module;

/* Checks a module list: names unique, every required module listed earlier, every table owned by
 * one module. 0, or -1 with *err set (caller frees). */
int yj_modules_check(const yj_module *const *mods, size_t n, char **err);

/* Applies, module by module in list order, every migration not yet applied, each in its own
 * transaction, safe against several processes starting at once. A schema_migrations table of a
 * database made before modules (one global version per row) is first rewritten into per-module
 * rows. *err is set on failure (caller frees). */
int yj_modules_migrate(store *s, const yj_module *const *mods, size_t n, char **err);

/* The module owning table, or NULL. */
const yj_module *yj_module_owner(const yj_module *const *mods, size_t n, const char *table);

/* Every route table of every module, in list order, into out (at most cap); returns the count, or
 * (size_t)-1 when cap is too small. */
size_t yj_modules_routes(const yj_module *const *mods, size_t n, const yj_route **out, size_t cap);

/* Gives srv every module's path prefixes (yj_server_set_prefixes); call before yj_server_start. */
void yj_modules_set_prefixes(yj_server *srv, const yj_module *const *mods, size_t n);

/* Runs each module's start hook in list order. */
void yj_modules_start(const yj_module *const *mods, size_t n);

/* Registers every module's jobs and event subscribers with the job runner and the event bus, then
 * one delivery job per subscriber (every_s seconds); call once before yj_jobs_start. */
void yj_modules_register_jobs(const yj_module *const *mods, size_t n, int64_t every_s);

#endif
