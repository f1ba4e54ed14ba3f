/*
 * What the tap kernel tests (test_tap.c, test_tap_batch.c) share: a namespace of their own
 * with its own sysfs, what they read back from it, and shell commands for what netd does not
 * do itself. Include after cmocka.h.
 */
#ifndef NETD_TESTS_TAP_SYSFS_H
#define NETD_TESTS_TAP_SYSFS_H

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kernel_util.h"

/* First line of /sys/class/net/<dev>/<attr>, "" when missing. */
static inline char *sysfs(const char *dev, const char *attr)
{
	static char buf[256];
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, attr);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return buf;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return buf;
}

static inline unsigned long sysfs_num(const char *dev, const char *attr)
{
	return strtoul(sysfs(dev, attr), NULL, 0);
}

static inline bool exists(const char *dev)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/class/net/%s", dev);
	return access(path, F_OK) == 0;
}

static inline char *master_of(const char *dev)
{
	static char buf[256];
	char path[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/master", dev);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
}

/* This process in a network namespace of its own, with a sysfs of its own so /sys/class/net
 * is this namespace's. 0, or 1 with the reason on stderr (test names the test). */
static inline int own_namespace(const char *test)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		fprintf(stderr, "%s: unshare(CLONE_NEWNET|CLONE_NEWNS): %s (needs root)\n", test,
		        strerror(errno));
		return 1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) < 0) {
		fprintf(stderr, "%s: mounting a sysfs for the namespace: %s\n", test,
		        strerror(errno));
		return 1;
	}
	return 0;
}

#endif
