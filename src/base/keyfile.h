/* keyfile.h — one-line key files kept outside the database (signing and encryption keys): read
 * with a permission check on secrets, created atomically so concurrent starters agree. */
#ifndef YJ_KEYFILE_H
#define YJ_KEYFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Reads a one-line key file into buf (trailing white space removed). Returns 1 when read, 0 when
 * the file does not exist, YJ_ERR with *err (caller frees) otherwise. With secret, a file that
 * group or others may read is refused. */
int yj_keyfile_read(const char *path, int secret, char *buf, size_t cap, char **err);
/* Writes text to path with mode unless path already exists (then YJ_OK, and the caller reads the
 * existing file). YJ_ERR with *err otherwise. */
int yj_keyfile_write(const char *path, const char *text, mode_t mode, char **err);

#endif
