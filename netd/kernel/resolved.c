/*
 * systemd-resolved's link settings over the system bus (netd/kernel/dbus_conn.h): whether it
 * runs (NameHasOwner), SetLinkDNS with SetLinkDomains, RevertLink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "netd/dbus.h"
#include "netd/kernel/dbus_conn.h"
#include "netd/kernel/resolved.h"

/* 1: resolved holds its name on c's bus. */
static int has_resolved(struct netd_dbus_conn *c, struct netd_diag *diag)
{
	struct netd_dbus_buf body = {.ok = true};
	uint32_t owned = 0;
	int ret;

	netd_dbus_put_string(&body, NETD_RESOLVED_NAME);
	ret = netd_dbus_conn_call(c, NETD_DBUS_NAME, NETD_DBUS_PATH, NETD_DBUS_NAME, "NameHasOwner",
	                          "s", &body, &owned, diag);
	netd_dbus_buf_free(&body);
	return ret < 0 ? ret : owned != 0;
}

/* Whether the process pid lives in our network namespace. */
static bool same_netns(uint32_t pid)
{
	char path[64];
	struct stat ours, theirs;

	snprintf(path, sizeof(path), "/proc/%u/ns/net", (unsigned)pid);
	return stat("/proc/self/ns/net", &ours) == 0 && stat(path, &theirs) == 0 &&
	       ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

/* 1 when resolved runs in our network namespace: an ifindex names a link of one namespace,
 * and a netd in another namespace (a container, a test) must not set the host's links. */
static int resolved_here(struct netd_dbus_conn *c, struct netd_diag *diag)
{
	struct netd_dbus_buf body = {.ok = true};
	uint32_t pid = 0;
	int ret = has_resolved(c, diag);

	if (ret != 1)
		return ret;
	netd_dbus_put_string(&body, NETD_RESOLVED_NAME);
	ret = netd_dbus_conn_call(c, NETD_DBUS_NAME, NETD_DBUS_PATH, NETD_DBUS_NAME,
	                          "GetConnectionUnixProcessID", "s", &body, &pid, diag);
	netd_dbus_buf_free(&body);
	if (ret < 0)
		return ret;
	return pid > 0 && same_netns(pid);
}

/* Connected to a bus where resolved runs in our network namespace: 0; -ENOENT when it does
 * not (or no bus). */
static int open_resolved(struct netd_dbus_conn *c, struct netd_diag *diag)
{
	int ret = netd_dbus_conn_open(c, diag);

	if (ret < 0)
		return ret;
	ret = resolved_here(c, diag);
	if (ret == 1)
		return 0;
	netd_dbus_conn_close(c);
	return ret < 0 ? ret : -ENOENT;
}

int netd_resolved_running(void)
{
	struct netd_diag ignored;
	struct netd_dbus_conn *c = malloc(sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	ret = netd_dbus_conn_open(c, &ignored);
	if (ret == 0) {
		ret = resolved_here(c, &ignored);
		netd_dbus_conn_close(c);
	}
	free(c);
	return ret == -ENOENT ? 0 : ret;
}

int netd_resolved_set_link(int ifindex, struct in_addr server, const char *domain,
                           struct netd_diag *diag)
{
	struct netd_dbus_buf dns = {0}, dom = {0};
	struct netd_dbus_conn *c = malloc(sizeof(*c));
	int ret = c ? open_resolved(c, diag) : -ENOMEM;

	if (ret < 0)
		goto out;
	ret = netd_resolved_dns_body(&dns, ifindex, server.s_addr);
	if (ret == 0)
		ret = netd_resolved_domains_body(&dom, ifindex, domain);
	if (ret == 0)
		ret = netd_dbus_conn_call(c, NETD_RESOLVED_NAME, NETD_RESOLVED_PATH,
		                          NETD_RESOLVED_IFACE, "SetLinkDNS", "ia(iay)", &dns, NULL,
		                          diag);
	if (ret == 0)
		ret = netd_dbus_conn_call(c, NETD_RESOLVED_NAME, NETD_RESOLVED_PATH,
		                          NETD_RESOLVED_IFACE, "SetLinkDomains", "ia(sb)", &dom,
		                          NULL, diag);
	netd_dbus_conn_close(c);
out:
	netd_dbus_buf_free(&dns);
	netd_dbus_buf_free(&dom);
	free(c);
	return ret;
}

int netd_resolved_revert_link(int ifindex, struct netd_diag *diag)
{
	struct netd_dbus_buf body = {.ok = true};
	struct netd_dbus_conn *c = malloc(sizeof(*c));
	int ret = c ? open_resolved(c, diag) : -ENOMEM;

	if (ret == 0) {
		netd_dbus_put_u32(&body, (uint32_t)ifindex);
		ret =
		    netd_dbus_conn_call(c, NETD_RESOLVED_NAME, NETD_RESOLVED_PATH,
		                        NETD_RESOLVED_IFACE, "RevertLink", "i", &body, NULL, diag);
		netd_dbus_conn_close(c);
	}
	netd_dbus_buf_free(&body);
	free(c);
	return ret;
}
