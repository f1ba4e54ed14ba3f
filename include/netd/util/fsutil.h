/* Small file helpers shared by every piece that keeps state on disk. */
#ifndef NETD_FSUTIL_H
#define NETD_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Replace path with text atomically: a temporary file in the same directory, renamed over
 * path, so a reader (dnsmasq, a netd that restarts) sees the old file or the new one, never
 * half of one. durable: fsync before the rename, for state that must survive a power loss.
 */
int netd_file_write_atomic(const char *path, const char *text, mode_t mode, bool durable);

/* The whole file as a NUL-terminated string (caller frees); -EFBIG past max bytes. */
int netd_file_read(const char *path, size_t max, char **out);
/* The same through the file cache (netd/util/file_cache.h): one stat, and the file read only
 * when it changed since it was last read. For the files every pass looks at. */
int netd_file_read_cached(const char *path, size_t max, char **out);

/* path made absolute against the current directory (as given when it is absolute already):
 * for the directories netd hands to dnsmasq, which runs from "/". -ENAMETOOLONG, -errno. */
int netd_path_absolute(const char *path, char *buf, size_t len);

/* mkdir -p; the directories it creates get mode. */
int netd_mkdir_p(const char *path, mode_t mode);

#endif
