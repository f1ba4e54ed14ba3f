/* Taking a bridged network's uplink over and giving it back, over rtnetlink. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include <netlink/attr.h>

#include "netd/kernel/uplink.h"
#include "nl_priv.h"

struct snap_ctx {
	int ifindex;
	struct netd_uplink_state *s;
	int err;
};

static int collect_addr(struct nlmsghdr *h, void *arg)
{
	struct snap_ctx *c = arg;
	struct ifaddrmsg *ifa = nlmsg_data(h);
	struct nlattr *tb[IFA_MAX + 1];
	struct netd_uplink_addr *a;

	if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET ||
	    (int)ifa->ifa_index != c->ifindex ||
	    nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0 || !tb[IFA_LOCAL])
		return 0;
	if (c->s->n_addrs == NETD_UPLINK_MAX_ADDRS) {
		c->err = -E2BIG;
		return 0;
	}
	a = &c->s->addrs[c->s->n_addrs++];
	memset(a, 0, sizeof(*a));
	memcpy(&a->prefix.addr, nla_data(tb[IFA_LOCAL]), 4);
	a->prefix.len = ifa->ifa_prefixlen;
	if (tb[IFA_BROADCAST])
		memcpy(&a->broadcast, nla_data(tb[IFA_BROADCAST]), 4);
	a->flags = ifa->ifa_flags;
	a->scope = ifa->ifa_scope;
	return 0;
}

static int collect_route(struct nlmsghdr *h, void *arg)
{
	struct snap_ctx *c = arg;
	struct rtmsg *rt = nlmsg_data(h);
	struct nlattr *tb[RTA_MAX + 1];
	struct netd_uplink_route *r;
	uint32_t table;

	if (h->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET ||
	    nlmsg_parse(h, sizeof(*rt), tb, RTA_MAX, NULL) < 0)
		return 0;
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rt->rtm_table;
	/* The kernel recreates its own prefix routes when the addresses move. */
	if (table != RT_TABLE_MAIN || rt->rtm_protocol == RTPROT_KERNEL ||
	    rt->rtm_type != RTN_UNICAST || !tb[RTA_OIF] ||
	    (int)nla_get_u32(tb[RTA_OIF]) != c->ifindex)
		return 0;
	if (c->s->n_routes == NETD_UPLINK_MAX_ROUTES) {
		c->err = -E2BIG;
		return 0;
	}
	r = &c->s->routes[c->s->n_routes++];
	memset(r, 0, sizeof(*r));
	if (tb[RTA_DST])
		memcpy(&r->dst.addr, nla_data(tb[RTA_DST]), 4);
	r->dst.len = rt->rtm_dst_len;
	if (tb[RTA_GATEWAY])
		memcpy(&r->gateway, nla_data(tb[RTA_GATEWAY]), 4);
	if (tb[RTA_PREFSRC])
		memcpy(&r->prefsrc, nla_data(tb[RTA_PREFSRC]), 4);
	if (tb[RTA_PRIORITY])
		r->metric = nla_get_u32(tb[RTA_PRIORITY]);
	r->protocol = rt->rtm_protocol;
	r->scope = rt->rtm_scope;
	r->type = rt->rtm_type;
	return 0;
}

static int dump(struct netd_nl *nl, int type, size_t hdrlen, int (*cb)(struct nlmsghdr *, void *),
                struct snap_ctx *c)
{
	struct rtgenmsg g = {.rtgen_family = AF_INET};
	struct rtmsg rt = {.rtm_family = AF_INET};
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_DUMP);

	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, hdrlen == sizeof(rt) ? (void *)&rt : (void *)&g, hdrlen,
	                 NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return netd_nl_query(nl, msg, cb, c);
}

int netd_uplink_snapshot(struct netd_nl *nl, const char *name, struct netd_uplink_state *out)
{
	struct netd_link_info li;
	struct snap_ctx c = {.s = out};
	int ret;

	memset(out, 0, sizeof(*out));
	ret = netd_nl_link_get(nl, name, &li);
	if (ret < 0)
		return ret;
	snprintf(out->name, sizeof(out->name), "%s", name);
	memcpy(out->mac, li.mac, 6);
	out->was_up = li.up;
	c.ifindex = li.ifindex;
	ret = dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), collect_addr, &c);
	if (ret == 0)
		ret = dump(nl, RTM_GETROUTE, sizeof(struct rtmsg), collect_route, &c);
	return ret < 0 ? ret : c.err;
}

/* An address exactly as the snapshot saw it: its broadcast (or none), flags and scope, so
 * giving the uplink back leaves `ip addr` as it was, not as netd would have made it. */
static int addr_put(struct netd_nl *nl, const char *dev, const struct netd_uplink_addr *a,
                    struct netd_diag *diag)
{
	struct ifaddrmsg ifa = {
	    .ifa_family = AF_INET,
	    .ifa_prefixlen = a->prefix.len,
	    .ifa_flags = a->flags,
	    .ifa_scope = a->scope,
	};
	struct nl_msg *msg = NULL;
	char buf[32];
	int idx, ret = -ENOMEM;

	idx = netd_nl_ifindex(nl, dev);
	if (idx < 0) {
		ret = idx;
		goto out;
	}
	ifa.ifa_index = (unsigned)idx;
	msg = nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, IFA_LOCAL, 4, &a->prefix.addr) < 0 ||
	    nla_put(msg, IFA_ADDRESS, 4, &a->prefix.addr) < 0 ||
	    (a->broadcast.s_addr && nla_put(msg, IFA_BROADCAST, 4, &a->broadcast) < 0)) {
		nlmsg_free(msg);
		goto out;
	}
	ret = netd_nl_request(nl, msg);
out:
	if (ret < 0)
		netd_diag_set(diag, "adding address %s to %s: %s",
		              netd_prefix_format(&a->prefix, false, buf, sizeof(buf)), dev,
		              strerror(-ret));
	return ret;
}

static int route_change(struct netd_nl *nl, int type, const char *dev,
                        const struct netd_uplink_route *r, struct netd_diag *diag)
{
	struct rtmsg rt = {
	    .rtm_family = AF_INET,
	    .rtm_dst_len = r->dst.len,
	    .rtm_table = RT_TABLE_MAIN,
	    .rtm_protocol = r->protocol,
	    .rtm_scope = r->scope,
	    .rtm_type = r->type,
	};
	struct nl_msg *msg;
	char dst[32], gw[INET_ADDRSTRLEN] = "";
	int idx, ret = -ENOMEM;

	idx = netd_nl_ifindex(nl, dev);
	if (idx < 0) {
		ret = idx;
		goto out;
	}
	msg = nlmsg_alloc_simple(type, type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0);
	if (!msg)
		goto out;
	if (nlmsg_append(msg, &rt, sizeof(rt), NLMSG_ALIGNTO) < 0 ||
	    (r->dst.len && nla_put(msg, RTA_DST, 4, &r->dst.addr) < 0) ||
	    (r->gateway.s_addr && nla_put(msg, RTA_GATEWAY, 4, &r->gateway) < 0) ||
	    (r->prefsrc.s_addr && nla_put(msg, RTA_PREFSRC, 4, &r->prefsrc) < 0) ||
	    nla_put_u32(msg, RTA_PRIORITY, r->metric) < 0 || nla_put_u32(msg, RTA_OIF, idx) < 0) {
		nlmsg_free(msg);
		goto out;
	}
	ret = netd_nl_request(nl, msg);
out:
	if (ret < 0) {
		if (r->gateway.s_addr)
			inet_ntop(AF_INET, &r->gateway, gw, sizeof(gw));
		netd_diag_set(diag, "%s route %s%s%s dev %s: %s",
		              type == RTM_NEWROUTE ? "adding" : "removing",
		              r->dst.len ? netd_prefix_format(&r->dst, false, dst, sizeof(dst))
		                         : "default",
		              gw[0] ? " via " : "", gw, dev, strerror(-ret));
	}
	return ret;
}

/* Best effort: put everything back where it was before `take`; first error reported. */
int netd_uplink_give_back(struct netd_nl *nl, const struct netd_uplink_state *s, const char *bridge,
                          struct netd_diag *diag)
{
	struct netd_diag d;
	int first = 0, ret;

#define KEEP(expr, ...)                                                                            \
	do {                                                                                       \
		ret = (expr);                                                                      \
		if (ret < 0 && !(__VA_ARGS__) && !first) {                                         \
			first = ret;                                                               \
			*diag = d;                                                                 \
		}                                                                                  \
	} while (0)

	for (size_t i = 0; bridge && i < s->n_routes; i++)
		KEEP(route_change(nl, RTM_DELROUTE, bridge, &s->routes[i], &d),
		     ret == -ESRCH || ret == -ENODEV);
	for (size_t i = 0; bridge && i < s->n_addrs; i++)
		KEEP(netd_nl_addr_del(nl, bridge, &s->addrs[i].prefix, &d),
		     ret == -EADDRNOTAVAIL || ret == -ENODEV || ret == -ENOENT);
	KEEP(netd_nl_link_set_master(nl, s->name, NULL, &d), false);
	KEEP(netd_nl_link_set_up(nl, s->name, s->was_up, &d), false);
	for (size_t i = 0; i < s->n_addrs; i++)
		KEEP(addr_put(nl, s->name, &s->addrs[i], &d), ret == -EEXIST);
	for (size_t i = 0; i < s->n_routes; i++)
		KEEP(route_change(nl, RTM_NEWROUTE, s->name, &s->routes[i], &d), ret == -EEXIST);
#undef KEEP
	return first;
}

int netd_uplink_take(struct netd_nl *nl, const struct netd_uplink_state *s, const char *bridge,
                     struct netd_diag *diag)
{
	struct netd_diag ignored;
	int ret;

	ret = netd_nl_link_set_mac(nl, bridge, s->mac, diag);
	if (ret < 0)
		return ret;
	/* Routes first: some would vanish with the addresses, the rest would dangle. */
	for (size_t i = 0; i < s->n_routes; i++) {
		ret = route_change(nl, RTM_DELROUTE, s->name, &s->routes[i], diag);
		if (ret < 0 && ret != -ESRCH)
			goto undo;
	}
	for (size_t i = 0; i < s->n_addrs; i++) {
		ret = netd_nl_addr_del(nl, s->name, &s->addrs[i].prefix, diag);
		if (ret < 0 && ret != -EADDRNOTAVAIL) /* a secondary goes with its primary */
			goto undo;
	}
	ret = netd_nl_link_set_master(nl, s->name, bridge, diag);
	if (ret == 0)
		ret = netd_nl_link_set_up(nl, s->name, true, diag);
	if (ret < 0)
		goto undo;
	for (size_t i = 0; i < s->n_addrs; i++) {
		ret = addr_put(nl, bridge, &s->addrs[i], diag);
		if (ret < 0)
			goto undo;
	}
	for (size_t i = 0; i < s->n_routes; i++) {
		ret = route_change(nl, RTM_NEWROUTE, bridge, &s->routes[i], diag);
		if (ret < 0)
			goto undo;
	}
	return 0;
undo:
	netd_uplink_give_back(nl, s, bridge, &ignored);
	return ret;
}
