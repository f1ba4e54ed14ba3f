/*
 * Taking a bridged network's uplink over and giving it back, over rtnetlink: its addresses
 * and routes are read and written as libnl-route-3's rtnl_addr and rtnl_route objects.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include <netlink/addr.h>
#include <netlink/object.h>

#include "netd/kernel/uplink.h"
#include "netd/kernel/uplink_v6.h"
#include "nl_priv.h"

struct snap_ctx {
	int ifindex;
	struct netd_uplink_state *s;
	int err;
};

static int collect_addr(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *ra = (struct rtnl_addr *)obj;
	struct snap_ctx *c = arg;
	struct netd_uplink_addr *a;
	struct netd_prefix p;

	if (nl_object_get_msgtype(obj) != RTM_NEWADDR || rtnl_addr_get_ifindex(ra) != c->ifindex ||
	    !netd_nl_addr_prefix(ra, &p))
		return 0;
	if (c->s->n_addrs == NETD_UPLINK_MAX_ADDRS) {
		c->err = -E2BIG;
		return 0;
	}
	a = &c->s->addrs[c->s->n_addrs++];
	memset(a, 0, sizeof(*a));
	a->prefix = p;
	netd_nl_in4(rtnl_addr_get_broadcast(ra), &a->broadcast);
	a->flags = (uint8_t)rtnl_addr_get_flags(ra); /* the header's 8 bits, as saved before */
	a->scope = (uint8_t)rtnl_addr_get_scope(ra);
	return 0;
}

/* A single-path IPv4 route of the main table through ifindex, not the kernel's own. */
static struct rtnl_nexthop *route_via(struct rtnl_route *r, int ifindex)
{
	struct rtnl_nexthop *nh;

	/* The kernel recreates its own prefix routes when the addresses move. */
	if (rtnl_route_get_family(r) != AF_INET || rtnl_route_get_table(r) != RT_TABLE_MAIN ||
	    rtnl_route_get_protocol(r) == RTPROT_KERNEL || rtnl_route_get_type(r) != RTN_UNICAST ||
	    rtnl_route_get_nnexthops(r) != 1)
		return NULL;
	nh = rtnl_route_nexthop_n(r, 0);
	return rtnl_route_nh_get_ifindex(nh) == ifindex ? nh : NULL;
}

static int collect_route(struct nl_object *obj, void *arg)
{
	struct rtnl_route *rr = (struct rtnl_route *)obj;
	struct snap_ctx *c = arg;
	struct netd_uplink_route *r;
	struct rtnl_nexthop *nh;

	if (nl_object_get_msgtype(obj) != RTM_NEWROUTE || !(nh = route_via(rr, c->ifindex)))
		return 0;
	if (c->s->n_routes == NETD_UPLINK_MAX_ROUTES) {
		c->err = -E2BIG;
		return 0;
	}
	r = &c->s->routes[c->s->n_routes++];
	memset(r, 0, sizeof(*r));
	netd_nl_in4(rtnl_route_get_dst(rr), &r->dst.addr); /* none: the default route */
	r->dst.len = (uint8_t)nl_addr_get_prefixlen(rtnl_route_get_dst(rr));
	netd_nl_in4(rtnl_route_nh_get_gateway(nh), &r->gateway);
	netd_nl_in4(rtnl_route_get_pref_src(rr), &r->prefsrc);
	r->metric = rtnl_route_get_priority(rr);
	r->protocol = rtnl_route_get_protocol(rr);
	r->scope = rtnl_route_get_scope(rr);
	r->type = rtnl_route_get_type(rr);
	return 0;
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
	ret = netd_nl_dump(nl, RTM_GETADDR, AF_INET, collect_addr, &c);
	if (ret == 0)
		ret = netd_nl_dump(nl, RTM_GETROUTE, AF_INET, collect_route, &c);
	return ret < 0 ? ret : c.err;
}

/* An address exactly as the snapshot saw it: its broadcast (or none), flags and scope, so
 * giving the uplink back leaves `ip addr` as it was, not as netd would have made it. */
static int addr_put(struct netd_nl *nl, const char *dev, const struct netd_uplink_addr *a,
                    struct netd_diag *diag)
{
	return netd_nl_addr_put(nl, dev, &a->prefix, a->broadcast, a->flags, a->scope, diag);
}

/* The route r through ifindex, as the snapshot saw it; the default route has no RTA_DST. */
static int route_obj(const struct netd_uplink_route *r, int ifindex, struct rtnl_route **out)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = NULL, *gw = NULL, *src = NULL;
	int ret = -ENOMEM;

	if (!rt || !nh)
		goto out;
	dst = r->dst.len ? netd_nl_addr4(r->dst.addr, r->dst.len) : nl_addr_alloc(0);
	if (!dst || (r->gateway.s_addr && !(gw = netd_nl_addr4(r->gateway, 0))) ||
	    (r->prefsrc.s_addr && !(src = netd_nl_addr4(r->prefsrc, 0))))
		goto out;
	nl_addr_set_family(dst, AF_INET);
	rtnl_route_set_family(rt, AF_INET);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_protocol(rt, r->protocol);
	rtnl_route_set_scope(rt, r->scope);
	rtnl_route_set_type(rt, r->type);
	rtnl_route_set_priority(rt, r->metric);
	if (rtnl_route_set_dst(rt, dst) < 0 || (src && rtnl_route_set_pref_src(rt, src) < 0))
		goto out;
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (gw)
		rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_add_nexthop(rt, nh); /* the route owns it now */
	nh = NULL;
	*out = rt;
	rt = NULL;
	ret = 0;
out:
	nl_addr_put(dst);
	nl_addr_put(gw);
	nl_addr_put(src);
	if (nh)
		rtnl_route_nh_free(nh);
	rtnl_route_put(rt);
	return ret;
}

static int route_change(struct netd_nl *nl, int type, const char *dev,
                        const struct netd_uplink_route *r, struct netd_diag *diag)
{
	struct rtnl_route *rt = NULL;
	struct nl_msg *msg = NULL;
	char dst[32], gw[INET_ADDRSTRLEN] = "";
	int idx, ret;

	idx = netd_nl_ifindex(nl, dev);
	ret = idx < 0 ? idx : route_obj(r, idx, &rt);
	if (ret < 0)
		goto out;
	if (type == RTM_NEWROUTE)
		ret = rtnl_route_build_add_request(rt, NLM_F_EXCL, &msg);
	else
		ret = rtnl_route_build_del_request(rt, 0, &msg);
	ret = ret < 0 ? netd_nl_errno(nl, ret) : netd_nl_request(nl, msg);
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
	rtnl_route_put(rt);
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
	if (s->v6.present)
		KEEP(netd_uplink_v6_give_back(nl, &s->v6, s->name, bridge, &d), false);
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
	/* IPv6 leaves first and arrives last: the bridge runs SLAAC as the uplink did from the
	 * moment the uplink is its port. */
	if (s->v6.present && (ret = netd_uplink_v6_leave(nl, &s->v6, s->name, bridge, diag)) < 0)
		goto undo;
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
	if (s->v6.present && (ret = netd_uplink_v6_arrive(nl, &s->v6, bridge, diag)) < 0)
		goto undo;
	return 0;
undo:
	netd_uplink_give_back(nl, s, bridge, &ignored);
	return ret;
}

bool netd_uplink_agrees(struct netd_nl *nl, const struct netd_uplink_state *s, const char *bridge)
{
	struct netd_link_info li;

	if (netd_nl_link_get(nl, bridge, &li) < 0 || memcmp(li.mac, s->mac, 6) != 0)
		return false;
	for (size_t i = 0; i < s->n_addrs; i++)
		if (netd_nl_addr_has(nl, bridge, &s->addrs[i].prefix) != 1)
			return false;
	return true;
}

/* What the bridge holds is the uplink's (a bridged network's bridge has no address of its
 * own): a snapshot of the bridge, under the uplink's name and MAC, is the way back. */
int netd_uplink_give_back_as_is(struct netd_nl *nl, const char *uplink, const char *bridge,
                                struct netd_diag *diag)
{
	struct netd_uplink_state s;
	struct netd_link_info li;
	int ret;

	ret = netd_uplink_snapshot(nl, bridge, &s);
	if (ret == 0 && (ret = netd_uplink_v6_snapshot(nl, bridge, &s.v6)) == 0)
		netd_uplink_v6_as_found(&s.v6);
	if (ret < 0) {
		netd_diag_set(diag, "reading the addresses and routes of bridge %s: %s", bridge,
		              strerror(-ret));
		return ret;
	}
	ret = netd_nl_link_get(nl, uplink, &li);
	if (ret < 0) {
		netd_diag_set(diag, "uplink %s: %s", uplink, strerror(-ret));
		return ret;
	}
	snprintf(s.name, sizeof(s.name), "%s", uplink);
	memcpy(s.mac, li.mac, 6);
	s.was_up = true;
	return netd_uplink_give_back(nl, &s, bridge, diag);
}
