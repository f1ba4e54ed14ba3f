/*
 * Links over rtnetlink: lookups, alias, up/down, master, MAC, delete (bridges are bridge.c,
 * their ports bridge_port.c).
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
