/* IPv4 addresses and routes over rtnetlink: add/del/has, and the host's prefixes. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>

#include "netd/kernel/netlink.h"
#include "nl_priv.h"

static struct nl_msg *addr_msg(int type, int flags, int ifindex, const struct netd_prefix *p)
{
	struct ifaddrmsg ifa = {
	    .ifa_family = AF_INET,
	    .ifa_prefixlen = p ? p->len : 0,
	    .ifa_scope = RT_SCOPE_UNIVERSE,
	    .ifa_index = (unsigned)ifindex,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0)
		goto fail;
	if (p && (nla_put(msg, IFA_LOCAL, 4, &p->addr) < 0 ||
	          nla_put(msg, IFA_ADDRESS, 4, &p->addr) < 0))
		goto fail;
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}

static int addr_change(struct netd_nl *nl, int type, const char *ifname,
                       const struct netd_prefix *p, struct netd_diag *diag)
{
	struct nl_msg *msg = NULL;
	char buf[32];
	int ret, idx;

	idx = netd_nl_ifindex(nl, ifname);
	if (idx < 0) {
		ret = idx;
		goto out;
	}
	msg = addr_msg(type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0, idx, p);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	/* `ip addr add ... brd +`: the kernel computes no broadcast address by itself. */
	if (type == RTM_NEWADDR && p->len < 31) {
		struct in_addr brd = netd_prefix_broadcast(p);

		if (nla_put(msg, IFA_BROADCAST, 4, &brd) < 0) {
			nlmsg_free(msg);
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = netd_nl_request(nl, msg);
out:
	if (ret < 0)
		netd_diag_set(diag, "%s address %s %s %s: %s",
		              type == RTM_NEWADDR ? "adding" : "removing",
		              netd_prefix_format(p, false, buf, sizeof(buf)),
		              type == RTM_NEWADDR ? "to" : "from", ifname, strerror(-ret));
	return ret;
}

int netd_nl_addr_add(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p,
                     struct netd_diag *diag)
{
	return addr_change(nl, RTM_NEWADDR, ifname, p, diag);
}

int netd_nl_addr_del(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p,
                     struct netd_diag *diag)
{
	return addr_change(nl, RTM_DELADDR, ifname, p, diag);
}

/* One IPv4 address from a RTM_NEWADDR message; 0 when it is not one. */
static int parse_addr(struct nlmsghdr *h, int *ifindex, struct netd_prefix *p)
{
	struct ifaddrmsg *ifa = nlmsg_data(h);
	struct nlattr *tb[IFA_MAX + 1], *a;

	if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET ||
	    nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links. */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nla_len(a) != 4)
		return 0;
	memcpy(&p->addr, nla_data(a), 4);
	p->len = ifa->ifa_prefixlen;
	*ifindex = (int)ifa->ifa_index;
	return 1;
}

struct has_ctx {
	int ifindex;
	const struct netd_prefix *want;
	int found;
};

static int match_addr(struct nlmsghdr *h, void *arg)
{
	struct has_ctx *c = arg;
	struct netd_prefix p;
	int idx;

	if (parse_addr(h, &idx, &p) && idx == c->ifindex && p.len == c->want->len &&
	    p.addr.s_addr == c->want->addr.s_addr)
		c->found = 1;
	return 0;
}

int netd_nl_addr_has(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p)
{
	struct has_ctx c = {.want = p};
	struct nl_msg *msg;
	int ret;

	c.ifindex = netd_nl_ifindex(nl, ifname);
	if (c.ifindex < 0)
		return c.ifindex;
	msg = addr_msg(RTM_GETADDR, NLM_F_DUMP, c.ifindex, NULL);
	if (!msg)
		return -ENOMEM;
	ret = netd_nl_query(nl, msg, match_addr, &c);
	return ret < 0 ? ret : c.found;
}

struct prefix_list {
	struct netd_host_prefix *v;
	size_t n, cap;
	struct netd_link_info *links;
	size_t n_links;
};

static const struct netd_link_info *find_link(const struct prefix_list *l, int ifindex)
{
	for (size_t i = 0; i < l->n_links; i++)
		if (l->links[i].ifindex == ifindex)
			return &l->links[i];
	return NULL;
}

static int push(struct prefix_list *l, const struct netd_prefix *p, int ifindex, bool is_route)
{
	const struct netd_link_info *li = find_link(l, ifindex);
	struct netd_host_prefix *hp;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct netd_host_prefix *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	hp = &l->v[l->n++];
	memset(hp, 0, sizeof(*hp));
	hp->prefix = *p;
	hp->is_route = is_route;
	if (li) {
		snprintf(hp->ifname, sizeof(hp->ifname), "%s", li->name);
		if (strncmp(li->alias, NETD_ALIAS_PREFIX, strlen(NETD_ALIAS_PREFIX)) == 0)
			snprintf(hp->owned_by, sizeof(hp->owned_by), "%.*s",
			         (int)sizeof(hp->owned_by) - 1,
			         li->alias + strlen(NETD_ALIAS_PREFIX));
	}
	return 0;
}

static int collect_addr(struct nlmsghdr *h, void *arg)
{
	struct netd_prefix p;
	int idx;

	if (!parse_addr(h, &idx, &p))
		return 0;
	return push(arg, &p, idx, false);
}

/* The route the kernel adds for an address's own subnet says nothing the address did not. */
static bool duplicates_address(const struct prefix_list *l, const struct netd_prefix *dst,
                               int ifindex)
{
	const struct netd_link_info *li = find_link(l, ifindex);

	for (size_t i = 0; li && i < l->n; i++) {
		const struct netd_host_prefix *a = &l->v[i];

		if (!a->is_route && a->prefix.len == dst->len && strcmp(a->ifname, li->name) == 0 &&
		    netd_prefix_network(&a->prefix).s_addr == dst->addr.s_addr)
			return true;
	}
	return false;
}

static int collect_route(struct nlmsghdr *h, void *arg)
{
	struct prefix_list *l = arg;
	struct rtmsg *rt = nlmsg_data(h);
	struct nlattr *tb[RTA_MAX + 1];
	struct netd_prefix p = {0};
	uint32_t table;
	int oif = 0;

	if (h->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET ||
	    nlmsg_parse(h, sizeof(*rt), tb, RTA_MAX, NULL) < 0)
		return 0;
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rt->rtm_table;
	if (table != RT_TABLE_MAIN || rt->rtm_dst_len == 0 || rt->rtm_dst_len == 32)
		return 0;
	switch (rt->rtm_type) {
	case RTN_UNICAST:
	case RTN_BLACKHOLE:
	case RTN_UNREACHABLE:
	case RTN_PROHIBIT:
		break;
	default:
		return 0;
	}
	if (!tb[RTA_DST] || nla_len(tb[RTA_DST]) != 4)
		return 0;
	memcpy(&p.addr, nla_data(tb[RTA_DST]), 4);
	p.len = rt->rtm_dst_len;
	if (tb[RTA_OIF])
		oif = (int)nla_get_u32(tb[RTA_OIF]);
	else if (tb[RTA_MULTIPATH] && nla_len(tb[RTA_MULTIPATH]) >= (int)sizeof(struct rtnexthop))
		oif = ((struct rtnexthop *)nla_data(tb[RTA_MULTIPATH]))->rtnh_ifindex;
	if (rt->rtm_protocol == RTPROT_KERNEL && duplicates_address(l, &p, oif))
		return 0;
	return push(l, &p, oif, true);
}

int netd_nl_host_prefixes(struct netd_nl *nl, struct netd_host_prefix **out, size_t *n)
{
	struct prefix_list l = {0};
	struct rtmsg rt = {.rtm_family = AF_INET};
	struct nl_msg *msg;
	int ret;

	ret = netd_nl_link_list(nl, &l.links, &l.n_links);
	if (ret < 0)
		goto out;
	msg = addr_msg(RTM_GETADDR, NLM_F_DUMP, 0, NULL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = netd_nl_query(nl, msg, collect_addr, &l);
	if (ret < 0)
		goto out;
	msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP);
	if (!msg || nlmsg_append(msg, &rt, sizeof(rt), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		ret = -ENOMEM;
		goto out;
	}
	ret = netd_nl_query(nl, msg, collect_route, &l);
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
