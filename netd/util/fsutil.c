/* Atomic writes, whole-file reads and mkdir -p, for netd's state and runtime files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netd/util/file_cache.h"
#include "netd/util/fsutil.h"
#include "netd/model.h"

int netd_file_write_atomic(const char *path, const char *text, mode_t mode, bool durable)
{
	char tmp[NETD_PATH_MAX + 8];
	size_t len = strlen(text), done = 0;
	int fd, ret = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	netd_file_cache_forget(path); /* what was kept of it is the old file's */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		done += (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || (durable && fsync(fd) < 0)) {
		ret = -errno;
		goto out;
	}
	ret = close(fd) < 0 ? -errno : 0;
	fd = -1;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		unlink(tmp);
	return ret;
}

/* The whole file (at most max bytes), with the stat of the open file taken before the read
 * (*st) and the length read (*len). */
static int read_stat(const char *path, size_t max, char **out, struct stat *st, size_t *len)
{
	char *buf = NULL;
	FILE *f;
	int ret = 0;

	*len = 0;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (fstat(fileno(f), st) < 0) {
		ret = -errno;
		goto out;
	}
	if ((size_t)st->st_size > max) {
		ret = -EFBIG;
		goto out;
	}
	buf = malloc((size_t)st->st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	*len = fread(buf, 1, (size_t)st->st_size, f);
	if (ferror(f)) {
		ret = -EIO;
		goto out;
	}
	buf[*len] = '\0';
	*out = buf;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return ret;
}

int netd_file_read(const char *path, size_t max, char **out)
{
	struct stat st;
	size_t len;

	return read_stat(path, max, out, &st, &len);
}

int netd_file_read_cached(const char *path, size_t max, char **out)
{
	struct stat st;
	size_t len;
	int ret;

	if (stat(path, &st) < 0) {
		ret = -errno;
		netd_file_cache_forget(path);
		return ret;
	}
	if ((size_t)st.st_size <= max && netd_file_cache_get(path, &st, out, &len) == 1)
		return 0;
	ret = read_stat(path, max, out, &st, &len);
	if (ret == 0 && len == (size_t)st.st_size)
		netd_file_cache_put(path, &st, *out, len);
	else
		netd_file_cache_forget(path);
	return ret;
}

int netd_path_absolute(const char *path, char *buf, size_t len)
{
	char cwd[NETD_PATH_MAX];

	if (path[0] == '/') {
		if ((size_t)snprintf(buf, len, "%s", path) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	while (path[0] == '.' && path[1] == '/') /* "./run" reads better as "/cwd/run" */
		path += 2;
	if ((size_t)snprintf(buf, len, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int netd_mkdir_p(const char *path, mode_t mode)
{
	char buf[NETD_PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
