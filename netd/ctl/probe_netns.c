/*
 * Into a network namespace by name (/run/netns/NAME, as `ip netns` makes them) and back: how
 * the probe makes and removes the veth of a VM on another host's bridge (--peer-host). The
 * probe is one thread, so setns() moves all of it, and a socket opened in between belongs to
 * that namespace for its whole life (if_nametoindex's, the rtnetlink requests'). Calls no
 * other probe file.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

bool netd_probe_netns_name_valid(const char *name)
{
	return *name && strlen(name) < NETD_PROBE_NETNS_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int netd_probe_netns_enter(const char *name, int *back, struct netd_diag *diag)
{
	char path[32 + NETD_PROBE_NETNS_MAX];
	int fd = -1, ret = 0;

	*back = -1;
	if (!netd_probe_netns_name_valid(name)) {
		netd_diag_set(diag, "invalid network namespace name '%s'", name);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	*back = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*back < 0) {
		ret = -errno;
		netd_diag_set(diag, "/proc/self/ns/net: %s", strerror(errno));
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		ret = -errno;
		netd_diag_set(diag, "cannot enter network namespace %s: %s", path, strerror(errno));
	}
out:
	if (fd >= 0)
		close(fd);
	if (ret && *back >= 0) {
		close(*back);
		*back = -1;
	}
	return ret;
}

void netd_probe_netns_leave(int back)
{
	if (setns(back, CLONE_NEWNET) < 0) {
		/* Whatever came next would touch the other host's links as if they were ours. */
		fprintf(stderr, "netd probe: cannot return to its own network namespace: %s\n",
		        strerror(errno));
		abort();
	}
	close(back);
}
