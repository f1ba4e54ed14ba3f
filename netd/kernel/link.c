/*
 * Links over rtnetlink: lookups, bridges, up/down, master, MAC, bridge port isolation.
 * Links are rtnl_link objects of libnl-route-3, read with a fresh kernel query every time
 * (no cache to go stale between a change and the check that follows it); changes address a
 * link by name, which the kernel resolves itself, so they cost no lookup first.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/object.h>
#include <netlink/route/link/bridge.h>

#include "netd/kernel/netlink.h"
#include "nl_priv.h"

static void link_info(struct rtnl_link *link, struct netd_link_info *li)
{
	struct nl_addr *mac = rtnl_link_get_addr(link);
	const char *s;

	memset(li, 0, sizeof(*li));
	li->ifindex = rtnl_link_get_ifindex(link);
	li->up = rtnl_link_get_flags(link) & IFF_UP;
	li->master = rtnl_link_get_master(link);
	li->mtu = rtnl_link_get_mtu(link);
	if ((s = rtnl_link_get_name(link)))
		snprintf(li->name, sizeof(li->name), "%s", s);
	if ((s = rtnl_link_get_ifalias(link)))
		snprintf(li->alias, sizeof(li->alias), "%s", s);
	if ((s = rtnl_link_get_type(link)))
		snprintf(li->kind, sizeof(li->kind), "%s", s);
	if (mac && nl_addr_get_len(mac) == sizeof(li->mac))
		memcpy(li->mac, nl_addr_get_binary_addr(mac), sizeof(li->mac));
}

static int get_one(struct nl_object *obj, void *arg)
{
	if (nl_object_get_msgtype(obj) == RTM_NEWLINK)
		link_info((struct rtnl_link *)obj, arg);
	return 0;
}

/*
 * The request rtnl_link_get_kernel() sends, read through netd_nl_query() rather than by
 * rtnl_link_get_kernel() itself: that one swaps the socket's error callback for its own, so
 * the kernel's errno is lost to libnl's folded code (and a name lookup's EINVAL comes back
 * as NLE_OPNOTSUPP). Same one round trip, same rtnl_link parser.
 */
static int link_get(struct netd_nl *nl, int ifindex, const char *name, struct netd_link_info *out)
{
	struct nl_msg *msg = NULL;
	int ret;

	if (name && !netd_ifname_valid(name))
		return -ENODEV;
	ret = rtnl_link_build_get_request(ifindex, name, &msg);
	if (ret < 0)
		return netd_nl_errno(nl, ret);
	out->ifindex = 0;
	ret = netd_nl_query(nl, msg, get_one, out);
	if (ret == 0 && out->ifindex == 0)
		ret = -ENODEV;
	return ret;
}

int netd_nl_link_get(struct netd_nl *nl, const char *name, struct netd_link_info *out)
{
	return link_get(nl, 0, name, out);
}

int netd_nl_link_get_by_index(struct netd_nl *nl, int ifindex, struct netd_link_info *out)
{
	if (ifindex <= 0)
		return -ENODEV;
	return link_get(nl, ifindex, NULL, out);
}

int netd_nl_ifindex(struct netd_nl *nl, const char *name)
{
	struct netd_link_info li;
	int ret = netd_nl_link_get(nl, name, &li);

	return ret < 0 ? ret : li.ifindex;
}

struct link_list {
	struct netd_link_info *v;
	size_t n, cap;
};

static int collect_link(struct nl_object *obj, void *arg)
{
	struct link_list *l = arg;

	if (nl_object_get_msgtype(obj) != RTM_NEWLINK)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct netd_link_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	link_info((struct rtnl_link *)obj, &l->v[l->n++]);
	return 0;
}

int netd_nl_link_list(struct netd_nl *nl, struct netd_link_info **out, size_t *n)
{
	struct link_list l = {0};
	int ret;

	ret = netd_nl_dump(nl, RTM_GETLINK, AF_UNSPEC, collect_link, &l);
	if (ret < 0) {
		free(l.v);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

static int ipv6_off(const char *name)
{
	static const char *const keys[][2] = {
	    {"addr_gen_mode", "1"}, /* IN6_ADDR_GEN_MODE_NONE: no link-local on up */
	    {"disable_ipv6", "1"},
	    {"accept_ra", "0"},
	};
	char key[128];
	int ret;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(key, sizeof(key), "net/ipv6/conf/%s/%s", name, keys[i][0]);
		ret = netd_sysctl_write(key, keys[i][1]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int netd_nl_link_set_alias(struct netd_nl *nl, const char *name, const char *alias)
{
	struct rtnl_link *link = NULL;
	int ret;

	ret = netd_nl_link_named(name, &link);
	if (ret < 0)
		return ret;
	rtnl_link_set_ifalias(link, alias);
	ret = rtnl_link_get_ifalias(link) ? netd_nl_link_change(nl, link) : -ENOMEM;
	rtnl_link_put(link);
	return ret;
}

static int bridge_add(struct netd_nl *nl, const char *name)
{
	struct rtnl_link *link = rtnl_link_bridge_alloc();
	struct nl_msg *msg = NULL;
	int ret;

	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, name);
	/* EXCL: a link already under the name is -EEXIST, never adopted. */
	ret = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg);
	ret = ret < 0 ? netd_nl_errno(nl, ret) : netd_nl_request(nl, msg);
	rtnl_link_put(link);
	return ret;
}

int netd_nl_bridge_create(struct netd_nl *nl, const char *name, const char *alias, bool no_ipv6,
                          struct netd_diag *diag)
{
	struct stat st;
	int ret;

	if (!netd_ifname_valid(name)) {
		netd_diag_set(diag, "creating bridge %s: invalid interface name", name);
		return -EINVAL;
	}
	ret = bridge_add(nl, name);
	if (ret < 0) {
		netd_diag_set(diag, "creating bridge %s: %s", name, strerror(-ret));
		return ret;
	}
	if (alias && *alias) {
		/* The kernel ignores IFLA_IFALIAS in a create request. */
		ret = netd_nl_link_set_alias(nl, name, alias);
		if (ret < 0) {
			netd_diag_set(diag, "setting alias of bridge %s: %s", name, strerror(-ret));
			goto out;
		}
	}

	/* addr_gen_mode none is refused in the create request itself (EAFNOSUPPORT: the
	 * inet6 device does not exist yet), so it goes in with the sysctls, while the bridge
	 * is still down and has no link-local address. No IPv6 in the kernel: nothing leaks. */
	if (no_ipv6 && stat("/proc/sys/net/ipv6", &st) == 0) {
		ret = ipv6_off(name);
		if (ret < 0) {
			netd_diag_set(diag, "disabling IPv6 on bridge %s: %s", name,
			              strerror(-ret));
			goto out;
		}
	}
out:
	if (ret < 0)
		netd_nl_link_delete(nl, name, NULL);
	return ret;
}

int netd_nl_link_delete(struct netd_nl *nl, const char *name, struct netd_diag *diag)
{
	struct rtnl_link *link = NULL;
	struct nl_msg *msg = NULL;
	int ret;

	ret = netd_nl_link_named(name, &link);
	if (ret == 0) {
		ret = rtnl_link_build_delete_request(link, &msg);
		ret = ret < 0 ? netd_nl_errno(nl, ret) : netd_nl_request(nl, msg);
	}
	if (ret < 0)
		netd_diag_set(diag, "deleting link %s: %s", name, strerror(-ret));
	rtnl_link_put(link);
	return ret;
}

int netd_nl_link_set_up(struct netd_nl *nl, const char *name, bool up, struct netd_diag *diag)
{
	struct rtnl_link *link = NULL;
	int ret;

	ret = netd_nl_link_named(name, &link);
	if (ret == 0) {
		if (up)
			rtnl_link_set_flags(link, IFF_UP);
		else
			rtnl_link_unset_flags(link, IFF_UP);
		ret = netd_nl_link_change(nl, link);
	}
	if (ret < 0)
		netd_diag_set(diag, "setting %s %s: %s", name, up ? "up" : "down", strerror(-ret));
	rtnl_link_put(link);
	return ret;
}

int netd_nl_link_set_master(struct netd_nl *nl, const char *name, const char *master,
                            struct netd_diag *diag)
{
	struct rtnl_link *link = NULL;
	int ret, idx = 0;

	if (master) {
		idx = netd_nl_ifindex(nl, master);
		if (idx < 0) {
			ret = idx;
			goto out;
		}
	}
	ret = netd_nl_link_named(name, &link);
	if (ret < 0)
		goto out;
	rtnl_link_set_master(link, idx); /* 0: release */
	ret = netd_nl_link_change(nl, link);
out:
	if (ret < 0 && master)
		netd_diag_set(diag, "enslaving %s to %s: %s", name, master, strerror(-ret));
	else if (ret < 0)
		netd_diag_set(diag, "releasing %s from its master: %s", name, strerror(-ret));
	rtnl_link_put(link);
	return ret;
}

int netd_nl_link_set_mac(struct netd_nl *nl, const char *name, const uint8_t mac[6],
                         struct netd_diag *diag)
{
	struct rtnl_link *link = NULL;
	struct nl_addr *addr = NULL;
	char buf[18];
	int ret;

	ret = netd_nl_link_named(name, &link);
	if (ret < 0)
		goto out;
	addr = nl_addr_build(AF_LLC, mac, 6);
	if (!addr) {
		ret = -ENOMEM;
		goto out;
	}
	rtnl_link_set_addr(link, addr); /* takes its own reference */
	ret = netd_nl_link_change(nl, link);
out:
	if (ret < 0) {
		netd_mac_format(mac, buf);
		netd_diag_set(diag, "setting MAC of %s to %s: %s", name, buf, strerror(-ret));
	}
	nl_addr_put(addr);
	rtnl_link_put(link);
	return ret;
}

/*
 * What `bridge link set dev P isolated on` sends: RTM_SETLINK, family AF_BRIDGE, the
 * port's index, IFLA_PROTINFO (nested) holding IFLA_BRPORT_ISOLATED. Built by hand: libnl
 * 3.7 has no setter for this flag (rtnl_link_bridge_set_flags knows hairpin, guard,
 * learning, flooding, but not isolated).
 */
int netd_nl_port_set_isolated(struct netd_nl *nl, const char *port, bool isolated,
                              struct netd_diag *diag)
{
	struct nl_msg *msg = NULL;
	struct nlattr *pi;
	int ret, idx;

	idx = netd_nl_ifindex(nl, port);
	if (idx < 0) {
		ret = idx;
		goto out;
	}
	msg = netd_nl_link_msg(RTM_SETLINK, 0, AF_BRIDGE, idx, NULL);
	if (!msg || !(pi = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) ||
	    nla_put_u8(msg, IFLA_BRPORT_ISOLATED, isolated) < 0) {
		nlmsg_free(msg);
		ret = -ENOMEM;
		goto out;
	}
	nla_nest_end(msg, pi);
	ret = netd_nl_request(nl, msg);
out:
	if (ret < 0)
		netd_diag_set(diag, "setting port %s isolated %s: %s", port,
		              isolated ? "on" : "off", strerror(-ret));
	return ret;
}

/* A port's bridge attributes come back in IFLA_LINKINFO as the "bridge" slave data, which
 * libnl 3.7 does not parse (rtnl_link_get_slave_type() is all it keeps): read by hand. */
static int parse_isolated(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1], *br[IFLA_BRPORT_MAX + 1];
	int *out = arg;

	if (h->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !info[IFLA_INFO_SLAVE_KIND] ||
	    strcmp(nla_get_string(info[IFLA_INFO_SLAVE_KIND]), "bridge") != 0 ||
	    !info[IFLA_INFO_SLAVE_DATA] ||
	    nla_parse_nested(br, IFLA_BRPORT_MAX, info[IFLA_INFO_SLAVE_DATA], NULL) < 0)
		return 0;
	*out = br[IFLA_BRPORT_ISOLATED] ? nla_get_u8(br[IFLA_BRPORT_ISOLATED]) != 0 : 0;
	return 0;
}

int netd_nl_port_get_isolated(struct netd_nl *nl, const char *port)
{
	struct nl_msg *msg = NULL;
	int ret, isolated = -EINVAL;

	if (!netd_ifname_valid(port))
		return -ENODEV;
	ret = rtnl_link_build_get_request(0, port, &msg);
	if (ret < 0)
		return netd_nl_errno(nl, ret);
	ret = netd_nl_query_raw(nl, msg, parse_isolated, &isolated);
	return ret < 0 ? ret : isolated;
}
