/*
 * The small files netd looks at on every reconcile pass (state files, a dnsmasq's pid, conf,
 * hosts, options and records files) kept in memory by path, so that a pass over an unchanged
 * host costs one stat per file instead of reading each again. A file is read again when its
 * stat differs in any of device, inode, size, mtime or ctime (an edit in place moves the
 * times, a replace the inode), or when it changed too shortly before it was read for its
 * times to tell a later change apart (file times move in coarse ticks): such a file is not
 * kept until it has been still a while.
 *
 * One cache for the process, not thread-safe: netd's daemon is one thread.
 */
#ifndef NETD_UTIL_FILE_CACHE_H
#define NETD_UTIL_FILE_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* How long a file must have been still before it was read to be kept (ms). */
#define NETD_FILE_CACHE_STILL_MS 2000

/* 1 and a copy of path's content (*out NUL-terminated, the caller's; *len its length) when
 * what was kept of it is of the file st describes; 0 when nothing fits (a miss). */
int netd_file_cache_get(const char *path, const struct stat *st, char **out, size_t *len);
/* Keep text (len bytes) as path's content, read after st was taken of the open file. */
void netd_file_cache_put(const char *path, const struct stat *st, const char *text, size_t len);
/* Forget path (gone, or not a file to keep). */
void netd_file_cache_forget(const char *path);
/* Lookups answered from memory and lookups that missed, since the start (for tests). */
void netd_file_cache_counts(uint64_t *hits, uint64_t *misses);

#endif
