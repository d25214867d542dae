/* powercut.c — an LD_PRELOAD shim that lets the API suite cut the power under a SQLite database.
 * Every write to the database file or its WAL (YJ_POWERCUT_DB names the database file) first
 * appends the bytes it overwrites to an undo file; a successful fsync/fdatasync of that file
 * empties its undo file. After kill -9, powercut.mjs applies the undo files backwards, leaving the
 * files as a disk holds them after power loss: nothing that was not synced (the page cache is
 * gone). Built without sanitizers so it can be preloaded into the ASan build too.
 *
 * Undo file <db>.undo-0 (database) / <db>.undo-1 (WAL): an 8-byte little-endian size the file had
 * at its last sync, then records {u64 offset, u64 length, length old bytes} in write order. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef struct tracked {
	char path[4096];
	dev_t dev;
	ino_t ino;
	int known; /* dev/ino hold the file's identity */
	int undo;  /* undo file descriptor, -1 until the first write */
} tracked;

static tracked files[2];
static int active;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_ftruncate64)(int, off_t);

__attribute__((constructor)) static void init(void)
{
	/* The POSIX idiom for dlsym into a function pointer (a direct cast is not ISO C). */
	*(void **)&real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
	*(void **)&real_write = dlsym(RTLD_NEXT, "write");
	*(void **)&real_fsync = dlsym(RTLD_NEXT, "fsync");
	*(void **)&real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
	*(void **)&real_ftruncate64 = dlsym(RTLD_NEXT, "ftruncate64");
	const char *db = getenv("YJ_POWERCUT_DB");
	if (!db || !*db || !real_pwrite64 || !real_write || !real_fsync || !real_fdatasync || !real_ftruncate64)
		return;
	snprintf(files[0].path, sizeof files[0].path, "%s", db);
	snprintf(files[1].path, sizeof files[1].path, "%s-wal", db);
	files[0].undo = files[1].undo = -1;
	active = 1;
}

/* Which tracked file fd is (0 database, 1 WAL), or -1. Called with mu held. */
static int which(int fd)
{
	struct stat st;
	if (!active || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 2; i++)
			if (files[i].known && files[i].dev == st.st_dev && files[i].ino == st.st_ino)
				return i;
		/* The WAL is created after start (and may be recreated): look the paths up again. */
		for (int i = 0; i < 2; i++) {
			struct stat p;
			files[i].known = stat(files[i].path, &p) == 0;
			files[i].dev = p.st_dev;
			files[i].ino = p.st_ino;
		}
	}
	return -1;
}

static void must_write(int fd, const void *p, size_t n)
{
	if (real_write(fd, p, n) != (ssize_t)n)
		abort(); /* a lost undo record would make the test meaningless */
}

/* Starts a fresh undo file for file i whose current size (all of it synced) is size. */
static void reset_undo(int i, uint64_t size)
{
	if (files[i].undo < 0) {
		char name[4200];
		snprintf(name, sizeof name, "%s.undo-%d", files[0].path, i);
		files[i].undo = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (files[i].undo < 0)
			abort();
	}
	if (real_ftruncate64(files[i].undo, 0) < 0 || lseek(files[i].undo, 0, SEEK_SET) < 0)
		abort();
	must_write(files[i].undo, &size, sizeof size);
}

/* Saves the old bytes of [off, off+n) of file i (read through fd) before they are overwritten. */
static void save_old(int i, int fd, off_t off, size_t n)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		abort();
	if (files[i].undo < 0)
		reset_undo(i, (uint64_t)st.st_size); /* first write since start: what is there was synced */
	uint64_t rec[2] = {(uint64_t)off, 0};
	if (off < st.st_size)
		rec[1] = (uint64_t)st.st_size - (uint64_t)off < n ? (uint64_t)st.st_size - (uint64_t)off : n;
	char *old = malloc(rec[1] ? rec[1] : 1);
	if (!old || pread(fd, old, rec[1], off) != (ssize_t)rec[1])
		abort();
	must_write(files[i].undo, rec, sizeof rec);
	must_write(files[i].undo, old, rec[1]);
	free(old);
}

/* Only regular files can be tracked; sockets and pipes skip the lock. */
static int regular(int fd)
{
	struct stat st;
	return active && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	if (!regular(fd))
		return real_pwrite64(fd, buf, n, off);
	pthread_mutex_lock(&mu);
	int i = which(fd);
	if (i >= 0)
		save_old(i, fd, off, n);
	ssize_t r = real_pwrite64(fd, buf, n, off);
	pthread_mutex_unlock(&mu);
	return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite64(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (!regular(fd))
		return real_write(fd, buf, n);
	pthread_mutex_lock(&mu);
	int i = which(fd);
	if (i >= 0)
		save_old(i, fd, lseek(fd, 0, SEEK_CUR), n);
	ssize_t r = real_write(fd, buf, n);
	pthread_mutex_unlock(&mu);
	return r;
}

int ftruncate64(int fd, off_t len)
{
	pthread_mutex_lock(&mu);
	int i = which(fd);
	struct stat st;
	if (i >= 0 && fstat(fd, &st) == 0 && st.st_size > len)
		save_old(i, fd, len, (size_t)(st.st_size - len));
	int r = real_ftruncate64(fd, len);
	pthread_mutex_unlock(&mu);
	return r;
}

int ftruncate(int fd, off_t len)
{
	return ftruncate64(fd, len);
}

/* A successful sync makes everything written so far durable: the undo file starts over. */
static int synced(int fd, int (*real)(int))
{
	pthread_mutex_lock(&mu);
	int r = real(fd), i = r == 0 ? which(fd) : -1;
	struct stat st;
	if (i >= 0 && fstat(fd, &st) == 0)
		reset_undo(i, (uint64_t)st.st_size);
	pthread_mutex_unlock(&mu);
	return r;
}

int fsync(int fd)
{
	return synced(fd, real_fsync);
}

int fdatasync(int fd)
{
	return synced(fd, real_fdatasync);
}
