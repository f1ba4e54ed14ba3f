/*
 * A network's VM <-> VM policy holds for every port of its bridge, whoever attached it
 * (netdctl, qemu's bridge helper, libvirt, a plain `ip link set ... master`). The daemon
 * listens to link notifications and isolates a new port of a VMToVM=deny network the moment
 * the kernel announces it, instead of waiting for the next reconcile.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "netd/engine_internal.h"

struct port_event {
	int ifindex;
	int master;
	char name[IFNAMSIZ];
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, IFLA_MAX) >= 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct netd_engine *e = data;
	const struct nlattr *tb[IFLA_MAX + 1] = {NULL};
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct port_event ev = {.ifindex = ifi->ifi_index};

	if (nlh->nlmsg_type != RTM_NEWLINK || ifi->ifi_family == AF_BRIDGE)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb);
	if (!tb[IFLA_IFNAME])
		return MNL_CB_OK;
	/* A bond changed its active slave: the kernel tells with this event. */
	if (tb[IFLA_EVENT] && mnl_attr_get_u32(tb[IFLA_EVENT]) == IFLA_EVENT_BONDING_FAILOVER)
		netd_engine_bond_failover(e, mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (!tb[IFLA_MASTER])
		return MNL_CB_OK;
	ev.master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	snprintf(ev.name, sizeof(ev.name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	netd_engine_port_added(e, ev.master, ev.name);
	return MNL_CB_OK;
}

int netd_engine_monitor_open(struct netd_engine *e)
{
	if (e->monitor)
		return mnl_socket_get_fd(e->monitor);
	e->monitor = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!e->monitor)
		return -errno;
	if (mnl_socket_bind(e->monitor, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		int ret = -errno;

		mnl_socket_close(e->monitor);
		e->monitor = NULL;
		return ret;
	}
	return mnl_socket_get_fd(e->monitor);
}

int netd_engine_monitor_handle(struct netd_engine *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t len;

	if (!e->monitor)
		return -EBADF;
	while ((len = mnl_socket_recvfrom(e->monitor, buf, sizeof(buf))) > 0)
		mnl_cb_run(buf, (size_t)len, 0, 0, link_cb, e);
	/* ENOBUFS: notifications were lost; the periodic reconcile catches up on them. */
	if (len < 0 && errno == ENOBUFS)
		netd_engine_reconcile(e);
	return 0;
}

void netd_engine_monitor_close(struct netd_engine *e)
{
	if (e->monitor)
		mnl_socket_close(e->monitor);
	e->monitor = NULL;
}
