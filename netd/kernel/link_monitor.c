/* Link notifications over a libmnl socket, parsed into netd_link_event facts. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/link_monitor.h"

struct netd_link_monitor {
	struct mnl_socket *sk;
	void (*cb)(const struct netd_link_event *ev, void *arg);
	void *arg;
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
	struct netd_link_monitor *m = data;
	const struct nlattr *tb[IFLA_MAX + 1] = {NULL};
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct netd_link_event ev = {.master = 0};

	if (nlh->nlmsg_type != RTM_NEWLINK || ifi->ifi_family == AF_BRIDGE)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb);
	if (!tb[IFLA_IFNAME])
		return MNL_CB_OK;
	snprintf(ev.name, sizeof(ev.name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	ev.bond_failover =
	    tb[IFLA_EVENT] && mnl_attr_get_u32(tb[IFLA_EVENT]) == IFLA_EVENT_BONDING_FAILOVER;
	if (tb[IFLA_MASTER])
		ev.master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (ev.bond_failover || ev.master)
		m->cb(&ev, m->arg);
	return MNL_CB_OK;
}

int netd_link_monitor_open(struct netd_link_monitor **out)
{
	struct netd_link_monitor *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	m->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!m->sk) {
		ret = -errno;
		goto fail;
	}
	if (mnl_socket_bind(m->sk, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto fail;
	}
	*out = m;
	return 0;
fail:
	netd_link_monitor_close(m);
	return ret;
}

void netd_link_monitor_close(struct netd_link_monitor *m)
{
	if (!m)
		return;
	if (m->sk)
		mnl_socket_close(m->sk);
	free(m);
}

int netd_link_monitor_fd(const struct netd_link_monitor *m)
{
	return mnl_socket_get_fd(m->sk);
}

int netd_link_monitor_read(struct netd_link_monitor *m,
                           void (*cb)(const struct netd_link_event *ev, void *arg), void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t len;

	m->cb = cb;
	m->arg = arg;
	while ((len = mnl_socket_recvfrom(m->sk, buf, sizeof(buf))) > 0)
		mnl_cb_run(buf, (size_t)len, 0, 0, link_cb, m);
	return len < 0 && errno == ENOBUFS ? -ENOBUFS : 0;
}
