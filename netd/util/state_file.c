/* netd's state files on disk: envelope, atomic durable writes, the previous good copy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netd/util/file_cache.h"
#include "netd/state_envelope.h"
#include "netd/util/fsutil.h"
#include "netd/util/state_file.h"

int netd_state_path(char *buf, size_t len, const char *state_dir, const char *network,
                    const char *kind)
{
	if ((size_t)snprintf(buf, len, "%s/%s.%s", state_dir, network, kind) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int copy_path(char *buf, size_t len, const char *path, enum netd_state_copy which)
{
	const char *suffix = which == NETD_STATE_PREV ? NETD_STATE_PREV_SUFFIX : "";

	if ((size_t)snprintf(buf, len, "%s%s", path, suffix) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* What is under path, when it is not a regular file. */
static const char *not_regular(mode_t m)
{
	if (S_ISDIR(m))
		return "is a directory, not a regular file";
	if (S_ISLNK(m))
		return "is a symbolic link, not a regular file";
	if (S_ISFIFO(m))
		return "is a FIFO, not a regular file";
	return "is not a regular file";
}

/*
 * The raw bytes of path (NUL-terminated for convenience; *len excludes it). Opened without
 * following a symlink and without blocking on a FIFO: whatever lies there, netd neither hangs
 * nor reads another file. 0, -ENOENT, -EINVAL with why, -ENOMEM.
 */
static int read_raw(const char *path, char **text, size_t *len, char *why, size_t why_len)
{
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	*text = NULL;
	*len = 0;
	/* A regular file as it was when last read (file_cache.h): one lstat, no read. */
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (size_t)st.st_size <= NETD_STATE_FILE_MAX && netd_file_cache_get(path, &st, text, len))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		snprintf(why, why_len, "is missing");
		return -ENOENT;
	}
	if (fd < 0 && errno == ELOOP) {
		snprintf(why, why_len, "%s", not_regular(S_IFLNK));
		return -EINVAL;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, why_len, "cannot be read: %s", strerror(errno));
		ret = -EINVAL;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, why_len, "%s", not_regular(st.st_mode));
		ret = -EINVAL;
		goto out;
	}
	if ((size_t)st.st_size > NETD_STATE_FILE_MAX) {
		snprintf(why, why_len, "is larger than %u bytes", NETD_STATE_FILE_MAX);
		ret = -EINVAL;
		goto out;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		ret = -ENOMEM;
		goto out;
	}
	while (*len < (size_t)st.st_size) {
		n = read(fd, *text + *len, (size_t)st.st_size - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, why_len, "cannot be read: %s", strerror(errno));
			ret = -EINVAL;
			goto out;
		}
		if (n == 0)
			break; /* shrank under us: the envelope's length says so */
		*len += (size_t)n;
	}
	(*text)[*len] = '\0';
	if (*len == (size_t)st.st_size)
		netd_file_cache_put(path, &st, *text, *len);
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0) {
		free(*text);
		*text = NULL;
		netd_file_cache_forget(path);
	}
	return ret;
}

int netd_state_load(const char *path, const char *kind, enum netd_state_copy which, char **text,
                    struct netd_state_info *info)
{
	struct netd_state_info scratch;
	struct netd_state_body b;
	char *raw = NULL;
	size_t len;
	int ret;

	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	*text = NULL;
	ret = copy_path(info->path, sizeof(info->path), path, which);
	if (ret == 0)
		ret = read_raw(info->path, &raw, &len, info->reason, sizeof(info->reason));
	if (ret < 0)
		return ret;
	if (netd_state_unwrap(raw, len, kind, &b, info->reason, sizeof(info->reason)) !=
	    NETD_STATE_SOUND) {
		free(raw);
		return -EINVAL;
	}
	info->reason[0] = '\0';
	info->legacy = b.legacy;
	memmove(raw, raw + b.off, b.len);
	raw[b.len] = '\0';
	*text = raw;
	return 0;
}

int netd_state_refuse(struct netd_state_info *info, const char *kind, const char *detail)
{
	if (!info)
		return -EINVAL;
	if (info->legacy)
		snprintf(info->reason, sizeof(info->reason),
		         "is not a netd state file, nor a %s record of the format before it (%s)",
		         kind, detail);
	else
		snprintf(info->reason, sizeof(info->reason),
		         "holds a %s record that is not valid (%s)", kind, detail);
	return -EINVAL;
}

/* fsync the directory of path, so a rename in it survives a power loss. */
static int sync_dir(const char *path)
{
	char dir[NETD_PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, ret = 0;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) + (slash == path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Whether `which` copy of path is a sound envelope of kind (not the old format); its raw text
 * in *raw (caller frees) when it is. */
static bool sound(const char *path, const char *kind, enum netd_state_copy which, char **raw,
                  size_t *len)
{
	char p[NETD_PATH_MAX], why[256];
	struct netd_state_body b;

	*raw = NULL;
	if (copy_path(p, sizeof(p), path, which) < 0 || read_raw(p, raw, len, why, sizeof(why)) < 0)
		return false;
	if (netd_state_unwrap(*raw, *len, kind, &b, why, sizeof(why)) == NETD_STATE_SOUND &&
	    !b.legacy)
		return true;
	free(*raw);
	*raw = NULL;
	return false;
}

/* path's good content becomes path.prev: a hard link (atomic, no copy), else a copy. */
static int rotate(const char *path, const char *prev, const char *raw)
{
	char tmp[NETD_PATH_MAX + 8];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", prev) >= sizeof(tmp))
		return -ENAMETOOLONG;
	unlink(tmp);
	if (link(path, tmp) == 0) {
		if (rename(tmp, prev) == 0)
			return 0;
		unlink(tmp);
	}
	return netd_file_write_atomic(prev, raw, 0644, true);
}

int netd_state_write(const char *path, const char *kind, const char *json_text)
{
	char prev[NETD_PATH_MAX], *data = NULL, *raw = NULL;
	bool rotated = false;
	size_t len;
	int ret;

	ret = copy_path(prev, sizeof(prev), path, NETD_STATE_PREV);
	if (ret == 0)
		ret = netd_state_wrap(kind, json_text, &data);
	/* The content path has now, when it loads, becomes the previous copy. */
	if (ret == 0 && sound(path, kind, NETD_STATE_CURRENT, &raw, &len)) {
		ret = rotate(path, prev, raw);
		rotated = true;
	}
	if (ret == 0)
		ret = netd_file_write_atomic(path, data, 0644, true);
	/* Else the last good copy stays; and with none, the new content is the good copy. */
	free(raw);
	raw = NULL;
	if (ret == 0 && !rotated && !sound(path, kind, NETD_STATE_PREV, &raw, &len))
		ret = netd_file_write_atomic(prev, data, 0644, true);
	if (ret == 0)
		ret = sync_dir(path);
	free(raw);
	free(data);
	return ret;
}

int netd_state_remove(const char *path, struct netd_diag *diag)
{
	enum netd_state_copy which[] = {NETD_STATE_CURRENT, NETD_STATE_PREV};
	char p[NETD_PATH_MAX];
	struct stat st;
	int ret, first = 0;

	for (size_t i = 0; i < 2; i++) {
		ret = copy_path(p, sizeof(p), path, which[i]);
		if (ret == 0 && lstat(p, &st) < 0)
			ret = errno == ENOENT ? 0 : -errno;
		else if (ret == 0 && !S_ISREG(st.st_mode))
			ret = -EISDIR;
		else if (ret == 0 && unlink(p) < 0)
			ret = -errno;
		if (ret < 0 && !first) {
			first = ret;
			if (ret == -EISDIR)
				netd_diag_set(diag,
				              "%s %s: netd leaves it there; remove it yourself", p,
				              not_regular(st.st_mode));
			else
				netd_diag_set(diag, "removing %s: %s", p, strerror(-ret));
		}
	}
	return first;
}

int netd_state_record_save(const struct netd_state_record *t, const char *state_dir,
                           const char *network, const void *rec)
{
	char path[NETD_PATH_MAX], *text = NULL;
	int ret;

	ret = netd_state_path(path, sizeof(path), state_dir, network, t->kind);
	if (ret == 0)
		ret = t->to_json(rec, &text);
	if (ret == 0)
		ret = netd_state_write(path, t->kind, text);
	free(text);
	return ret;
}

int netd_state_record_load(const struct netd_state_record *t, const char *state_dir,
                           const char *network, enum netd_state_copy which, void *rec,
                           struct netd_state_info *info)
{
	char path[NETD_PATH_MAX], *text = NULL;
	int ret;

	ret = netd_state_path(path, sizeof(path), state_dir, network, t->kind);
	if (ret == 0)
		ret = netd_state_load(path, t->kind, which, &text, info);
	if (ret == 0 && t->from_json(text, rec) < 0)
		ret = netd_state_refuse(info, t->kind, t->malformed);
	free(text);
	return ret;
}

int netd_state_record_forget(const struct netd_state_record *t, const char *state_dir,
                             const char *network, struct netd_diag *diag)
{
	char path[NETD_PATH_MAX];
	int ret;

	ret = netd_state_path(path, sizeof(path), state_dir, network, t->kind);
	return ret < 0 ? ret : netd_state_remove(path, diag);
}
