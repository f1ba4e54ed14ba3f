/*
 * The host's IPv4 prefixes, for the overlap check of a network's subnet
 * (netd_config_check_host): every address, and every route of the main table that says
 * something its addresses do not. Read by hand from one address dump and one route dump. Each
 * prefix is labelled with its link's name and owner (alias "netd:<name>"): from one link dump
 * when every prefix is asked for, from a get per link when only those near one subnet are
 * (there are few, and a link dump costs as much as the host has links).
 *
 * A near query asks host_prefix_cache.c first: when nothing the host has comes near the
 * subnet (the common case) that is the answer, with no dump at all. Otherwise, and for every
 * prefix, the dumps answer, and they rebuild the cache on the way.
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>

#include "netd/kernel/netlink.h"
#include "host_prefix_cache.h"
#include "netd/kernel/snapshot.h"
#include "nl_priv.h"

struct entry {
	struct netd_host_prefix hp;
	int ifindex; /* 0: none (a blackhole route) */
};

struct prefix_list {
	struct entry *v;
	size_t n, cap;
	const struct netd_prefix *near; /* NULL: every prefix */
	struct netd_hpc *cache;         /* rebuilt from the same dumps; NULL: none */
};

static int push(struct prefix_list *l, const struct netd_prefix *p, int ifindex, bool is_route)
{
	struct entry *e;

	if (l->near && !netd_prefix_overlaps(l->near, p))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->hp.prefix = *p;
	e->hp.is_route = is_route;
	e->ifindex = ifindex;
	return 0;
}

/* The route the kernel adds for an address's own subnet says nothing the address did not. */
static bool duplicates_address(const struct prefix_list *l, const struct netd_prefix *dst,
                               int ifindex)
{
	for (size_t i = 0; ifindex && i < l->n; i++) {
		const struct entry *a = &l->v[i];

		if (!a->hp.is_route && a->ifindex == ifindex && a->hp.prefix.len == dst->len &&
		    netd_prefix_network(&a->hp.prefix).s_addr == dst->addr.s_addr)
			return true;
	}
	return false;
}

static bool kept_type(uint8_t type)
{
	switch (type) {
	case RTN_UNICAST:
	case RTN_BLACKHOLE:
	case RTN_UNREACHABLE:
	case RTN_PROHIBIT:
		return true;
	default:
		return false;
	}
}

/* One path's link, or the first of a multipath route's. */
static int route_oif(struct nlattr *tb[])
{
	const struct rtnexthop *nh;

	if (tb[RTA_OIF])
		return (int)nla_get_u32(tb[RTA_OIF]);
	if (!tb[RTA_MULTIPATH] || nla_len(tb[RTA_MULTIPATH]) < (int)sizeof(*nh))
		return 0;
	nh = nla_data(tb[RTA_MULTIPATH]);
	return nh->rtnh_ifindex;
}

/* A non-default, non-host IPv4 route of the main table, unicast or a kind of drop. */
static int collect_route(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct prefix_list *l = arg;
	const struct rtmsg *rtm;
	struct netd_prefix p = {0};
	uint32_t table;
	int oif;

	if (h->nlmsg_type != RTM_NEWROUTE || nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return 0;
	rtm = nlmsg_data(h);
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (rtm->rtm_family != AF_INET || table != RT_TABLE_MAIN || !kept_type(rtm->rtm_type) ||
	    !tb[RTA_DST] || nla_len(tb[RTA_DST]) != sizeof(p.addr) || rtm->rtm_dst_len == 0 ||
	    rtm->rtm_dst_len == 32)
		return 0;
	memcpy(&p.addr, nla_data(tb[RTA_DST]), sizeof(p.addr));
	p.len = rtm->rtm_dst_len;
	oif = route_oif(tb);
	if (rtm->rtm_protocol == RTPROT_KERNEL && duplicates_address(l, &p, oif))
		return 0;
	return push(l, &p, oif, true);
}

/* collect_route(), each reply also handed to the cache being rebuilt. */
static int collect_route_cached(struct nlmsghdr *h, void *arg)
{
	struct prefix_list *l = arg;

	if (l->cache)
		netd_hpc_add_route(l->cache, h);
	return collect_route(h, arg);
}

/* Table main only, filtered by the kernel (a strict request with rtm_table set): the local
 * table, which holds two or three routes per address of the host and which collect_route()
 * skips, is then never walked. */
static int dump_routes(struct netd_nl *nl, struct prefix_list *l)
{
	struct rtmsg rtm = {.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP);

	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return netd_nl_query_strict(nl, msg, collect_route_cached, l);
}

/* nl's cache, made now if it has none (subscribed before the dumps that will fill it); NULL
 * when it cannot be made: the dumps then answer every time, as they would without it. */
static struct netd_hpc *prefix_cache(struct netd_nl *nl)
{
	if (!nl->prefix_cache && netd_hpc_open(nl_socket_get_fd(nl->sk), &nl->prefix_cache) < 0)
		nl->prefix_cache = NULL;
	return nl->prefix_cache;
}

/* Each prefix's link name and owner, looked up in k. */
static void label(struct prefix_list *l, struct netd_kernel_snapshot *k)
{
	size_t plen = strlen(NETD_ALIAS_PREFIX);
	struct netd_link_info li;

	for (size_t i = 0; i < l->n; i++) {
		struct netd_host_prefix *hp = &l->v[i].hp;

		if (netd_snapshot_link_by_index(k, l->v[i].ifindex, &li) < 0)
			continue;
		snprintf(hp->ifname, sizeof(hp->ifname), "%s", li.name);
		if (strncmp(li.alias, NETD_ALIAS_PREFIX, plen) == 0)
			snprintf(hp->owned_by, sizeof(hp->owned_by), "%.*s",
			         (int)sizeof(hp->owned_by) - 1, li.alias + plen);
	}
}

static int host_prefixes(struct netd_nl *nl, const struct netd_prefix *near,
                         struct netd_host_prefix **out, size_t *n)
{
	struct prefix_list l = {.near = near, .cache = prefix_cache(nl)};
	struct netd_kernel_snapshot *k = NULL;
	struct netd_link_addr *a = NULL;
	size_t na = 0;
	int ret = 0;

	if (near && l.cache && netd_hpc_clear_of(l.cache, near))
		goto answer; /* nothing near: l is empty */
	if (l.cache)
		netd_hpc_begin(l.cache);
	ret = netd_nl_addr_list(nl, 0, &a, &na);
	for (size_t i = 0; ret == 0 && i < na; i++) {
		ret = push(&l, &a[i].prefix, a[i].ifindex, false);
		if (l.cache)
			netd_hpc_add_addr(l.cache, &a[i]);
	}
	if (ret == 0)
		ret = dump_routes(nl, &l);
	if (ret == 0 && l.cache)
		netd_hpc_commit(l.cache);
	if (ret == 0)
		ret = near ? netd_snapshot_narrow(nl, &k) : netd_snapshot_take(nl, &k);
	if (ret < 0)
		goto out;
	label(&l, k);
answer:
	*out = calloc(l.n + 1, sizeof(**out));
	if (!*out) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < l.n; i++)
		(*out)[i] = l.v[i].hp;
	*n = l.n;
out:
	netd_snapshot_free(k);
	free(a);
	free(l.v);
	return ret;
}

int netd_nl_host_prefixes(struct netd_nl *nl, struct netd_host_prefix **out, size_t *n)
{
	return host_prefixes(nl, NULL, out, n);
}

int netd_nl_host_prefixes_near(struct netd_nl *nl, const struct netd_prefix *near,
                               struct netd_host_prefix **out, size_t *n)
{
	return host_prefixes(nl, near, out, n);
}
