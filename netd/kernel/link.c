/*
 * Links over rtnetlink: lookups, alias, up/down, master, MAC, delete, many deleted at once
 * (bridges are bridge.c, their ports bridge_port.c).
 * Links are read with a fresh kernel query every time (no cache to go stale between a change
 * and the check that follows it) and parsed by hand (netd_nl_link_parse); changes are
 * rtnl_link objects of libnl-route-3 that address a link by name, which the kernel resolves
 * itself, so they cost no lookup first.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libmnl/libmnl.h>
#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/object.h>
#include <netlink/route/link/bridge.h>

#include "netd/kernel/netlink.h"
#include "nl_priv.h"

/* IFLA_LINKINFO: the kind, and for a bridge port its isolation flag (the "bridge" slave data). */
static void link_kind(const struct nlattr *linkinfo, struct netd_link_info *li)
{
	struct nlattr *info[IFLA_INFO_MAX + 1], *br[IFLA_BRPORT_MAX + 1];

	if (nla_parse_nested(info, IFLA_INFO_MAX, (struct nlattr *)linkinfo, NULL) < 0)
		return;
	if (info[IFLA_INFO_KIND])
		snprintf(li->kind, sizeof(li->kind), "%s", nla_get_string(info[IFLA_INFO_KIND]));
	if (!info[IFLA_INFO_SLAVE_KIND] ||
	    strcmp(nla_get_string(info[IFLA_INFO_SLAVE_KIND]), "bridge") != 0 ||
	    !info[IFLA_INFO_SLAVE_DATA] ||
	    nla_parse_nested(br, IFLA_BRPORT_MAX, info[IFLA_INFO_SLAVE_DATA], NULL) < 0)
		return;
	li->port_isolated =
	    br[IFLA_BRPORT_ISOLATED] ? nla_get_u8(br[IFLA_BRPORT_ISOLATED]) != 0 : 0;
}

int netd_nl_link_parse(const struct nlmsghdr *h, struct netd_link_info *li)
{
	struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;

	if (h->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse((struct nlmsghdr *)h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return -EINVAL;
	ifi = nlmsg_data(h);
	memset(li, 0, sizeof(*li));
	li->ifindex = ifi->ifi_index;
	li->up = ifi->ifi_flags & IFF_UP;
	li->port_isolated = -1;
	if (tb[IFLA_IFNAME])
		snprintf(li->name, sizeof(li->name), "%s", nla_get_string(tb[IFLA_IFNAME]));
	if (tb[IFLA_IFALIAS])
		snprintf(li->alias, sizeof(li->alias), "%s", nla_get_string(tb[IFLA_IFALIAS]));
	if (tb[IFLA_MASTER])
		li->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_MTU])
		li->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == sizeof(li->mac))
		memcpy(li->mac, nla_data(tb[IFLA_ADDRESS]), sizeof(li->mac));
	if (tb[IFLA_LINKINFO])
		link_kind(tb[IFLA_LINKINFO], li);
	return 0;
}

static int get_one(struct nlmsghdr *h, void *arg)
{
	struct netd_link_info li;

	if (netd_nl_link_parse(h, &li) == 0)
		*(struct netd_link_info *)arg = li;
	return 0;
}

/*
 * The request rtnl_link_get_kernel() sends, read through netd_nl_query_raw() rather than by
 * rtnl_link_get_kernel() itself: that one swaps the socket's error callback for its own, so
 * the kernel's errno is lost to libnl's folded code (and a name lookup's EINVAL comes back
 * as NLE_OPNOTSUPP). Same one round trip.
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
	ret = netd_nl_query_raw(nl, msg, get_one, out);
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

static int collect_link(struct nlmsghdr *h, void *arg)
{
	struct link_list *l = arg;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct netd_link_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if (netd_nl_link_parse(h, &l->v[l->n]) == 0)
		l->n++;
	return 0;
}

/*
 * A dump of the links (master > 0: only its ports; kind: only links of that kind). A whole
 * dump goes without the statistics, which are most of each message and which netd never
 * reads. A filtered one asks for no IFLA_EXT_MASK at all: given one, the kernel first sizes
 * the message of every link of the host to choose its buffer (rtnl_calcit), which at 1000
 * bridges cost more than the dump of the few links that pass the filter, statistics and all.
 */
static int link_dump(struct netd_nl *nl, int master, const char *kind, struct netd_link_info **out,
                     size_t *n)
{
	struct nl_msg *msg = netd_nl_link_msg(RTM_GETLINK, NLM_F_DUMP, AF_UNSPEC, 0, NULL);
	struct link_list l = {0};
	struct nlattr *info;
	int ret = -ENOMEM;

	if (!msg ||
	    (master <= 0 && !kind &&
	     nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) ||
	    (master > 0 && nla_put_u32(msg, IFLA_MASTER, (uint32_t)master) < 0))
		goto out;
	if (kind) {
		info = nla_nest_start(msg, IFLA_LINKINFO);
		if (!info || nla_put_string(msg, IFLA_INFO_KIND, kind) < 0)
			goto out;
		nla_nest_end(msg, info);
	}
	ret = netd_nl_query_strict(nl, msg, collect_link, &l);
	msg = NULL;
	if (ret < 0)
		goto out;
	*out = l.v;
	*n = l.n;
	l.v = NULL;
out:
	nlmsg_free(msg);
	free(l.v);
	return ret;
}

int netd_nl_link_list(struct netd_nl *nl, struct netd_link_info **out, size_t *n)
{
	return link_dump(nl, 0, NULL, out, n);
}

int netd_nl_link_ports(struct netd_nl *nl, int master, struct netd_link_info **out, size_t *n)
{
	if (master <= 0)
		return -ENODEV;
	return link_dump(nl, master, NULL, out, n);
}

int netd_nl_link_of_kind(struct netd_nl *nl, const char *kind, struct netd_link_info **out,
                         size_t *n)
{
	struct netd_link_info *v = NULL;
	size_t all = 0, m = 0;
	int ret;

	*out = NULL;
	*n = 0;
	ret = link_dump(nl, 0, kind, &v, &all);
	if (ret < 0)
		return ret;
	/* Where the kind's driver is not loaded the kernel has no ops to filter with and sends
	 * every link: the kind is checked here as well. */
	for (size_t i = 0; i < all; i++)
		if (strcmp(v[i].kind, kind) == 0)
			v[m++] = v[i];
	if (m == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = m;
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

/*
 * Deleting links one by one costs the kernel an RCU barrier each (about 20 ms here, whoever
 * asks), so 200 taps take 4 s. Links deleted as one group share one barrier: netd puts the
 * links in a link group that no link of the namespace uses, then deletes that group, in one
 * batch. The group is picked from a dump taken just before, so only a link that someone moved
 * into that very group in the same millisecond would go with ours.
 */
#define DELETE_GROUP_FIRST 0x6e640000u /* "nd": far above the groups people number by hand */
#define DELETE_GROUP_TRIES 64

struct group_scan {
	const char *const *names;
	size_t n;
	int *ifindex;  /* per name; 0: no link has it */
	uint64_t used; /* bit i: a link is in group DELETE_GROUP_FIRST + i */
};

static int scan_link(struct nl_object *obj, void *arg)
{
	struct rtnl_link *link = (struct rtnl_link *)obj;
	struct group_scan *g = arg;
	const char *name = rtnl_link_get_name(link);
	uint32_t group = rtnl_link_get_group(link);

	if (nl_object_get_msgtype(obj) != RTM_NEWLINK)
		return 0;
	if (group >= DELETE_GROUP_FIRST && group - DELETE_GROUP_FIRST < DELETE_GROUP_TRIES)
		g->used |= 1ull << (group - DELETE_GROUP_FIRST);
	for (size_t i = 0; name && i < g->n; i++)
		if (strcmp(g->names[i], name) == 0)
			g->ifindex[i] = rtnl_link_get_ifindex(link);
	return 0;
}

/* Into one unused group, then that group deleted: one sendmsg, one barrier. */
static int delete_as_group(const struct group_scan *g)
{
	struct netd_nl_batch *b = netd_nl_batch_new();
	uint32_t group = DELETE_GROUP_FIRST;
	struct nlmsghdr *h;
	size_t tag;
	int ret;

	while (g->used & (1ull << (group - DELETE_GROUP_FIRST)))
		if (++group - DELETE_GROUP_FIRST == DELETE_GROUP_TRIES)
			return -EBUSY;
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < g->n; i++)
		if (g->ifindex[i] &&
		    (h = netd_nl_batch_link(b, RTM_NEWLINK, AF_UNSPEC, g->ifindex[i], 0, 0, i)))
			mnl_attr_put_u32(h, IFLA_GROUP, group);
	/* No index and no name: the kernel deletes every link of the group. */
	if ((h = netd_nl_batch_link(b, RTM_DELLINK, AF_UNSPEC, 0, 0, 0, g->n)))
		mnl_attr_put_u32(h, IFLA_GROUP, group);
	ret = netd_nl_batch_run(b, &tag);
	netd_nl_batch_free(b);
	return ret;
}

static int delete_index(struct netd_nl *nl, int ifindex)
{
	struct nl_msg *msg = netd_nl_link_msg(RTM_DELLINK, 0, AF_UNSPEC, ifindex, NULL);

	return msg ? netd_nl_request(nl, msg) : -ENOMEM;
}

int netd_nl_links_delete(struct netd_nl *nl, const char *const *names, size_t n,
                         struct netd_diag *diag)
{
	struct group_scan g = {.names = names, .n = n};
	int ret, grouped = -EAGAIN, first = 0;

	if (n == 1) {
		ret = netd_nl_link_delete(nl, names[0], NULL);
		ret = ret == -ENODEV ? 0 : ret;
		if (ret < 0)
			netd_diag_set(diag, "deleting link %s: %s", names[0], strerror(-ret));
		return ret;
	}
	if (n == 0)
		return 0;
	g.ifindex = calloc(n, sizeof(*g.ifindex));
	ret = g.ifindex ? netd_nl_dump(nl, RTM_GETLINK, AF_UNSPEC, scan_link, &g) : -ENOMEM;
	if (ret < 0) {
		netd_diag_set(diag, "deleting %zu links: listing the links: %s", n, strerror(-ret));
		goto out;
	}
	grouped = delete_as_group(&g);
	/* The group did not go, or not all of it: the rest one by one, by index. A link
	 * that is gone (with the group, or before) is what was asked for. */
	for (size_t i = 0; grouped < 0 && i < n; i++) {
		ret = g.ifindex[i] ? delete_index(nl, g.ifindex[i]) : 0;
		if (ret < 0 && ret != -ENODEV && !first) {
			first = ret;
			netd_diag_set(diag, "deleting link %s: %s", names[i], strerror(-ret));
		}
	}
	ret = first;
out:
	free(g.ifindex);
	return ret;
}
