/* Link and address notifications over a libmnl socket, parsed into netd_link_event facts. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/kernel/link_monitor.h"
#include "notify_priv.h"

struct netd_link_monitor {
	struct mnl_socket *sk;
	void (*cb)(const struct netd_link_event *ev, void *arg);
	void *arg;
};

struct attrs {
	const struct nlattr *tb[IFLA_MAX + 1];
	int max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, (uint16_t)at->max) >= 0)
		at->tb[type] = a;
	return MNL_CB_OK;
}

static int link_msg(struct netd_link_monitor *m, const struct nlmsghdr *nlh)
{
	struct attrs at = {.max = IFLA_MAX};
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct netd_link_event ev = {.kind = NETD_LINK_EV_LINK};

	/* The bridge's own view of its ports (AF_BRIDGE) repeats what the link's says. */
	if (ifi->ifi_family == AF_BRIDGE)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, &at);
	if (!at.tb[IFLA_IFNAME])
		return MNL_CB_OK;
	ev.deleted = nlh->nlmsg_type == RTM_DELLINK;
	ev.ifindex = ifi->ifi_index;
	ev.up = ifi->ifi_flags & IFF_UP;
	snprintf(ev.name, sizeof(ev.name), "%s", mnl_attr_get_str(at.tb[IFLA_IFNAME]));
	if (at.tb[IFLA_IFALIAS])
		snprintf(ev.alias, sizeof(ev.alias), "%.*s",
		         (int)mnl_attr_get_payload_len(at.tb[IFLA_IFALIAS]),
		         (const char *)mnl_attr_get_payload(at.tb[IFLA_IFALIAS]));
	ev.bond_failover =
	    at.tb[IFLA_EVENT] && mnl_attr_get_u32(at.tb[IFLA_EVENT]) == IFLA_EVENT_BONDING_FAILOVER;
	if (at.tb[IFLA_MASTER])
		ev.master = (int)mnl_attr_get_u32(at.tb[IFLA_MASTER]);
	m->cb(&ev, m->arg);
	return MNL_CB_OK;
}

static int addr_msg(struct netd_link_monitor *m, const struct nlmsghdr *nlh)
{
	struct attrs at = {.max = IFA_MAX};
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct netd_link_event ev = {.kind = NETD_LINK_EV_ADDR};

	if (ifa->ifa_family != AF_INET)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &at);
	ev.deleted = nlh->nlmsg_type == RTM_DELADDR;
	ev.ifindex = (int)ifa->ifa_index;
	if (at.tb[IFA_LABEL])
		snprintf(ev.name, sizeof(ev.name), "%s", mnl_attr_get_str(at.tb[IFA_LABEL]));
	m->cb(&ev, m->arg);
	return MNL_CB_OK;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return link_msg(data, nlh);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return addr_msg(data, nlh);
	}
	return MNL_CB_OK;
}

int netd_link_monitor_open(struct netd_link_monitor **out)
{
	static const unsigned groups[] = {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR};
	struct netd_link_monitor *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	ret = notify_open(NETLINK_ROUTE, groups, 2, &m->sk);
	if (ret < 0) {
		free(m);
		return ret;
	}
	*out = m;
	return 0;
}

void netd_link_monitor_close(struct netd_link_monitor *m)
{
	if (!m)
		return;
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
	m->cb = cb;
	m->arg = arg;
	return notify_read(m->sk, msg_cb, m);
}
