/* Sysctls as files under /proc/sys: they belong to the network namespace of the caller. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netd/kernel/netlink.h"

static int sysctl_path(const char *key, char *path, size_t len)
{
	/* A key is relative and stays under /proc/sys: interface names may hold dots, but
	 * never a "..", a "/" of their own, or a leading "/". */
	if (!key || !*key || key[0] == '/' || strstr(key, "..") ||
	    (size_t)snprintf(path, len, "/proc/sys/%s", key) >= len)
		return -EINVAL;
	return 0;
}

int netd_sysctl_read(const char *key, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd, ret;

	if (len == 0)
		return -EINVAL;
	ret = sysctl_path(key, path, sizeof(path));
	if (ret < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret < 0)
		return ret;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

int netd_sysctl_write(const char *key, const char *value)
{
	char path[256];
	size_t len = strlen(value);
	ssize_t n;
	int fd, ret;

	ret = sysctl_path(key, path, sizeof(path));
	if (ret < 0)
		return ret;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* procfs takes the whole value in one write or rejects it. */
	n = write(fd, value, len);
	ret = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}
