/* keyfile.c — reading and atomically creating one-line key files (see keyfile.h). */
#define _POSIX_C_SOURCE 200809L
#include "keyfile.h"
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads a one-line key file into buf (trailing white space removed). Returns 1 when read, 0 when
 * the file does not exist, YJ_ERR with *err otherwise. A secret file others may read is refused:
 * whoever reads a signing or encryption key defeats it. Symbolic links are followed, as
 * secret stores (Kubernetes volumes) link their files; the mode checked is the target's. */
int yj_keyfile_read(const char *path, int secret, char *buf, size_t cap, char **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		*err = yj_asprintf("cannot open %s: %s", path, strerror(errno));
		return YJ_ERR;
	}
	int rc = YJ_ERR;
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		*err = yj_asprintf("%s is not a regular file", path);
		goto done;
	}
	if (secret && (sb.st_mode & 077)) {
		*err = yj_asprintf("%s may be read by other users; run chmod 600 %s", path, path);
		goto done;
	}
	ssize_t n = read(fd, buf, cap - 1);
	if (n < 0) {
		*err = yj_asprintf("cannot read %s: %s", path, strerror(errno));
		goto done;
	}
	while (n > 0 && strchr(" \t\r\n", buf[n - 1]))
		n--;
	buf[n] = '\0';
	rc = 1;
done:
	close(fd);
	return rc;
}

/* Writes text to path unless path already exists. The content goes to a temporary file first and
 * is linked into place, so a process starting at the same moment never reads half a key; when
 * two create at once, the first link wins and both then read the winner's file. */
int yj_keyfile_write(const char *path, const char *text, mode_t mode, char **err)
{
	char *tmp = yj_asprintf("%s.%ld.tmp", path, (long)getpid());
	int rc = YJ_ERR;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		*err = yj_asprintf("cannot create %s: %s", tmp, strerror(errno));
		goto done;
	}
	size_t len = strlen(text);
	int ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
	close(fd);
	if (!ok) {
		*err = yj_asprintf("cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	if (link(tmp, path) < 0 && errno != EEXIST) {
		*err = yj_asprintf("cannot create %s: %s", path, strerror(errno));
		goto done;
	}
	rc = YJ_OK;
done:
	unlink(tmp);
	free(tmp);
	return rc;
}

