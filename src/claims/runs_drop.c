/* runs_drop.c — the nightly screening of what arrived that day (`serve --claims-drop DIR`): a daily
 * job takes every *.csv file dropped into DIR, moves it into the spool directory and submits it as a
 * run — the same claim_run_jobs row and claims.screen_run job as an upload (partitioned when large).
 * A file a crashed process moved but never submitted goes back to DIR at the job's next run. */
#define _POSIX_C_SOURCE 200809L
#include "runs_int.h"
#include "../base/id.h"
#include "../base/log.h"
#include "../platform/audit/audit.h"
#include "../platform/jobs/jobs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *g_drop, *g_spool, *g_region;

/* A taken file's name in the spool: DROP_PREFIX, its run id, '-', its name in DIR. */
#define DROP_PREFIX "yijian-claims-drop-"

struct drop_arg {
	int64_t id, bytes;
	const char *name, *path;
};

static int drop_tx(store_conn *c, void *arg)
{
	struct drop_arg *a = arg;
	char sid[21];
	yj_id_format(a->id, sid);
	int rc = rj_insert(c, a->id, "system", a->name, a->path, a->bytes, g_region, yj_now_ms());
	if (rc < 0)
		return rc;
	json_t *state = json_pack("{s:s, s:I, s:s}", "input_name", a->name, "bytes", (json_int_t)a->bytes, "source", "drop");
	yj_audit_event ev = {"system", "claims.run.submit", "claim_run", sid, g_region, state};
	rc = yj_audit_append(c, &ev, NULL);
	json_decref(state);
	return rc;
}

/* A file is taken by moving it out of DIR first (rename: atomic, so two processes never both take it
 * and a second run of the job finds nothing); only then is its run written. A failed write moves it
 * back, to be taken by the next run. Writers drop files under another name (.part, a leading dot)
 * and rename them to *.csv when complete, so a half-written file is never taken. */
static int take_one(store *s, const char *name)
{
	size_t n = strlen(name);
	if (name[0] == '.' || n < 5 || strcmp(name + n - 4, ".csv") != 0 || n > 200)
		return YJ_OK;
	char *from = yj_asprintf("%s/%s", g_drop, name);
	struct stat st;
	if (stat(from, &st) != 0 || !S_ISREG(st.st_mode)) {
		free(from);
		return YJ_OK;
	}
	struct drop_arg a = {yj_id_new(), (int64_t)st.st_size, name, NULL};
	char *to = yj_asprintf("%s/" DROP_PREFIX "%lld-%s", g_spool, (long long)a.id, name);
	int rc = YJ_OK;
	if (rename(from, to) != 0) {
		/* ENOENT: another process took it first */
		if (errno != ENOENT) {
			yj_log(YJ_LOG_ERROR, "claims.drop.move_failed", "\"errno\":%d", errno);
			rc = YJ_ERR;
		}
		goto done;
	}
	a.path = to;
	if (st.st_size == 0 || store_tx(s, drop_tx, &a) < 0) {
		if (rename(to, from) != 0)
			yj_log(YJ_LOG_ERROR, "claims.drop.restore_failed", "\"errno\":%d", errno);
		rc = st.st_size == 0 ? YJ_OK : YJ_ERR; /* an empty file stays in DIR: it screens nothing */
		goto done;
	}
	yj_log(YJ_LOG_INFO, "claims.drop.submitted", "\"run\":\"%lld\",\"bytes\":%lld", (long long)a.id, (long long)a.bytes);
done:
	free(from);
	free(to);
	return rc;
}

/* A spool file of a take that never reached its commit (the process died between the move and the
 * run's transaction): moved back to DIR under its name, or beside it when DIR has a new file of that
 * name. Safe because the job runs in one process at a time (its lease), so no take is under way. */
static void recover_one(store *s, const char *spooled)
{
	char *end = NULL;
	long long id = strtoll(spooled + strlen(DROP_PREFIX), &end, 10);
	if (id <= 0 || *end != '-' || !end[1])
		return;
	rj_row row;
	if (rj_get(store_conn_get(s), id, &row) != ST_NOTFOUND)
		return; /* submitted (or the store cannot say): the run owns the file */
	const char *name = end + 1;
	char *from = yj_asprintf("%s/%s", g_spool, spooled), *to = yj_asprintf("%s/%s", g_drop, name);
	struct stat st;
	if (stat(to, &st) == 0) {
		free(to);
		to = yj_asprintf("%s/%.*s.recovered-%lld.csv", g_drop, (int)(strlen(name) - 4), name, id);
	}
	if (rename(from, to) == 0)
		yj_log(YJ_LOG_WARN, "claims.drop.recovered", "\"run\":\"%lld\"", id);
	else
		yj_log(YJ_LOG_ERROR, "claims.drop.recover_failed", "\"errno\":%d", errno);
	free(from);
	free(to);
}

/* Names of dir's entries (NULL-terminated; caller frees each and the array), NULL when unreadable. */
static char **dir_names(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	/* names first: taking a file changes the directory being read */
	char **names = NULL;
	size_t nn = 0, cap = 0;
	for (struct dirent *e;;) {
		e = readdir(d);
		if (nn + 1 >= cap)
			names = yj_realloc(names, sizeof *names * (cap = cap ? cap * 2 : 16));
		if (!e)
			break;
		names[nn++] = yj_strdup(e->d_name);
	}
	names[nn] = NULL;
	closedir(d);
	return names;
}

static void free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

static int drop_run(yj_job_ctx *ctx)
{
	char **spooled = dir_names(g_spool);
	for (size_t i = 0; spooled && spooled[i]; i++)
		if (strncmp(spooled[i], DROP_PREFIX, strlen(DROP_PREFIX)) == 0)
			recover_one(yj_job_store(ctx), spooled[i]);
	free_names(spooled);
	char **names = dir_names(g_drop);
	if (!names) {
		yj_log(YJ_LOG_ERROR, "claims.drop.unreadable", "\"errno\":%d", errno);
		return YJ_ERR;
	}
	int rc = YJ_OK;
	for (size_t i = 0; names[i]; i++)
		if (rc == YJ_OK && !yj_job_stopping(ctx) && take_one(yj_job_store(ctx), names[i]) < 0)
			rc = YJ_ERR; /* retried with back-off; the files already taken are runs */
	free_names(names);
	return rc;
}

static yj_job_def g_def = {RJ_DROP_HANDLER, YJ_JOB_DAILY, 23 * 60 + 30, drop_run, NULL};

int yj_claims_drop_configure(const char *drop_dir, const char *spool_dir, const char *region, char **err)
{
	*err = NULL;
	struct stat st;
	if (stat(drop_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		*err = yj_asprintf("--claims-drop %s: not a directory", drop_dir);
		return YJ_ERR;
	}
	if (!region || !*region) {
		*err = yj_strdup("--claims-drop needs --claims-drop-region (the territory its runs belong to)");
		return YJ_ERR;
	}
	g_drop = yj_strdup(drop_dir);
	g_spool = yj_strdup(spool_dir && *spool_dir ? spool_dir : getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	g_region = yj_strdup(region);
	/* YIJIAN_CLAIMS_DROP_AT: minutes after local midnight (default 23:30, the day's files); tests set
	 * YIJIAN_CLAIMS_DROP_EVERY_S to run it every few seconds instead. */
	const char *at = getenv("YIJIAN_CLAIMS_DROP_AT"), *every = getenv("YIJIAN_CLAIMS_DROP_EVERY_S");
	if (every && atoll(every) > 0) {
		g_def.kind = YJ_JOB_EVERY;
		g_def.schedule = atoll(every);
	} else if (at && atoll(at) >= 0 && atoll(at) < 1440) {
		g_def.schedule = atoll(at);
	}
	yj_jobs_register(&g_def);
	return YJ_OK;
}
