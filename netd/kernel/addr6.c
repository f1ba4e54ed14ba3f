/*
 * IPv6 addresses of a network's bridge over rtnetlink (issue 10), and the host's IPv6
 * prefixes that a network's must not overlap. The IPv4 side is addr.c; a bridged uplink's
 * IPv6 is uplink*.c's business.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/addr.h>
#include <netlink/object.h>

#include "netd/kernel/netlink.h"
#include "nl_priv.h"

static struct nl_addr *addr6(const struct in6_addr *a, unsigned len)
{
	struct nl_addr *x = nl_addr_build(AF_INET6, a, sizeof(*a));

	if (x)
		nl_addr_set_prefixlen(x, (int)len);
	return x;
}

static bool in6_of(struct nl_addr *x, struct in6_addr *out)
{
	if (!x || nl_addr_get_family(x) != AF_INET6 || nl_addr_get_len(x) != sizeof(*out))
		return false;
	memcpy(out, nl_addr_get_binary_addr(x), sizeof(*out));
	return true;
}

static int addr6_change(struct netd_nl *nl, bool add, const char *ifname,
                        const struct netd_prefix6 *p, struct netd_diag *diag)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = addr6(&p->addr, p->len);
	struct nl_msg *msg = NULL;
	char buf[64];
	int ret = -ENOMEM, idx;

	if (!a || !local)
		goto out;
	idx = netd_nl_ifindex(nl, ifname);
	if (idx < 0) {
		ret = idx;
		goto out;
	}
	rtnl_addr_set_ifindex(a, idx);
	rtnl_addr_set_family(a, AF_INET6);
	if (rtnl_addr_set_local(a, local) < 0)
		goto out;
	/* No duplicate address detection: the host owns the prefix on a bridge it just made,
	 * and a tentative address is one dnsmasq cannot bind to for a second or more. */
	rtnl_addr_set_flags(a, IFA_F_NODAD);
	rtnl_addr_set_scope(a, RT_SCOPE_UNIVERSE);
	ret = add ? rtnl_addr_build_add_request(a, NLM_F_EXCL, &msg)
	          : rtnl_addr_build_delete_request(a, 0, &msg);
	ret = ret < 0 ? netd_nl_errno(nl, ret) : netd_nl_request(nl, msg);
out:
	if (ret < 0)
		netd_diag_set(diag, "%s address %s %s %s: %s", add ? "adding" : "removing",
		              netd_prefix6_format(p, false, buf, sizeof(buf)), add ? "to" : "from",
		              ifname, strerror(-ret));
	nl_addr_put(local);
	rtnl_addr_put(a);
	return ret;
}

int netd_nl_addr6_add(struct netd_nl *nl, const char *ifname, const struct netd_prefix6 *p,
                      struct netd_diag *diag)
{
	return addr6_change(nl, true, ifname, p, diag);
}

int netd_nl_addr6_del(struct netd_nl *nl, const char *ifname, const struct netd_prefix6 *p,
                      struct netd_diag *diag)
{
	return addr6_change(nl, false, ifname, p, diag);
}

struct has6_ctx {
	int ifindex;
	const struct netd_prefix6 *want;
	int found;
};

/* An address of the dump (the kernel filtered it to the link): the one wanted? */
static int match6(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[IFA_MAX + 1], *a;
	const struct ifaddrmsg *ifa;
	struct has6_ctx *c = arg;

	if (h->nlmsg_type != RTM_NEWADDR || nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	ifa = nlmsg_data(h);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (ifa->ifa_family == AF_INET6 && (int)ifa->ifa_index == c->ifindex && a &&
	    nla_len(a) == sizeof(struct in6_addr) && ifa->ifa_prefixlen == c->want->len &&
	    memcmp(nla_data(a), &c->want->addr, sizeof(struct in6_addr)) == 0)
		c->found = 1;
	return 0;
}

/* A strict dump of the link's IPv6 addresses alone: one bridge's few, not the host's. */
int netd_nl_addr6_has(struct netd_nl *nl, const char *ifname, const struct netd_prefix6 *p)
{
	struct has6_ctx c = {.want = p};
	struct ifaddrmsg ifa = {.ifa_family = AF_INET6};
	struct nl_msg *msg;
	int ret;

	c.ifindex = netd_nl_ifindex(nl, ifname);
	if (c.ifindex < 0)
		return c.ifindex;
	ifa.ifa_index = (unsigned)c.ifindex;
	msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
	if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = netd_nl_query_strict(nl, msg, match6, &c);
	return ret < 0 ? ret : c.found;
}

struct prefix6_list {
	struct netd_host_prefix6 *v;
	size_t n, cap;
	struct netd_link_info *links;
	size_t n_links;
};

static int push6(struct prefix6_list *l, const struct netd_prefix6 *p, int ifindex, bool route)
{
	struct netd_host_prefix6 *hp;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct netd_host_prefix6 *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	hp = &l->v[l->n++];
	memset(hp, 0, sizeof(*hp));
	hp->prefix = *p;
	hp->is_route = route;
	for (size_t i = 0; i < l->n_links; i++) {
		const struct netd_link_info *li = &l->links[i];

		if (li->ifindex != ifindex)
			continue;
		snprintf(hp->ifname, sizeof(hp->ifname), "%s", li->name);
		if (strncmp(li->alias, NETD_ALIAS_PREFIX, strlen(NETD_ALIAS_PREFIX)) == 0)
			snprintf(hp->owned_by, sizeof(hp->owned_by), "%.*s",
			         (int)sizeof(hp->owned_by) - 1,
			         li->alias + strlen(NETD_ALIAS_PREFIX));
	}
	return 0;
}

static int collect_addr6(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct netd_prefix6 p;

	if (nl_object_get_msgtype(obj) != RTM_NEWADDR || !in6_of(rtnl_addr_get_local(a), &p.addr))
		return 0;
	p.len = (uint8_t)rtnl_addr_get_prefixlen(a);
	return push6(arg, &p, rtnl_addr_get_ifindex(a), false);
}

/* Unicast routes of the main table; the kernel's own routes for the addresses' prefixes
 * name nothing the addresses did not, but they are harmless to list twice. */
static int collect_route6(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct netd_prefix6 p;
	int oif = 0;

	if (nl_object_get_msgtype(obj) != RTM_NEWROUTE || rtnl_route_get_family(r) != AF_INET6 ||
	    rtnl_route_get_table(r) != RT_TABLE_MAIN || rtnl_route_get_type(r) != RTN_UNICAST ||
	    !in6_of(rtnl_route_get_dst(r), &p.addr))
		return 0;
	p.len = (uint8_t)nl_addr_get_prefixlen(rtnl_route_get_dst(r));
	if (p.len == 0 || p.len == 128)
		return 0;
	if (rtnl_route_get_nnexthops(r) > 0)
		oif = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, 0));
	return push6(arg, &p, oif, true);
}

int netd_nl_host_prefixes6(struct netd_nl *nl, struct netd_host_prefix6 **out, size_t *n)
{
	struct prefix6_list l = {0};
	int ret;

	ret = netd_nl_link_list(nl, &l.links, &l.n_links);
	if (ret < 0)
		goto out;
	ret = netd_nl_dump(nl, RTM_GETADDR, AF_INET6, collect_addr6, &l);
	if (ret == 0)
		ret = netd_nl_dump(nl, RTM_GETROUTE, AF_INET6, collect_route6, &l);
	if (ret < 0)
		goto out;
	*out = l.v;
	*n = l.n;
	l.v = NULL;
out:
	free(l.v);
	free(l.links);
	return ret;
}

/* The links IPv6 routes learned from router advertisements leave by (their ifindexes first:
 * no request goes out on the socket while its dump is read). */
struct ra_ctx {
	int idx[64];
	size_t n;
};

static int collect_ra(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct ra_ctx *c = arg;
	int oif;

	if (nl_object_get_msgtype(obj) != RTM_NEWROUTE || rtnl_route_get_family(r) != AF_INET6 ||
	    rtnl_route_get_protocol(r) != RTPROT_RA || rtnl_route_get_nnexthops(r) < 1)
		return 0;
	oif = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, 0));
	for (size_t i = 0; i < c->n; i++)
		if (c->idx[i] == oif)
			return 0;
	if (c->n < sizeof(c->idx) / sizeof(c->idx[0]))
		c->idx[c->n++] = oif;
	return 0;
}

int netd_nl_ra_route_links(struct netd_nl *nl, char (*names)[IFNAMSIZ], size_t max, size_t *n)
{
	struct ra_ctx c = {{0}, 0};
	struct netd_link_info li;
	int ret = netd_nl_dump(nl, RTM_GETROUTE, AF_INET6, collect_ra, &c);

	*n = 0;
	for (size_t i = 0; ret == 0 && i < c.n && *n < max; i++)
		if (netd_nl_link_get_by_index(nl, c.idx[i], &li) == 0)
			snprintf(names[(*n)++], IFNAMSIZ, "%s", li.name);
	return ret;
}
