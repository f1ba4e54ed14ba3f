/*
 * Moving an uplink's IPv6 to its bridge and back. Addresses and ordinary routes go as
 * hand-built rtnetlink messages (libnl 3.7 sets neither IFA_FLAGS' upper bits, such as
 * mngtmpaddr and noprefixroute, nor RTA_EXPIRES). A route learned from a router advertisement
 * goes through the SIOCADDRT ioctl instead, the one interface that can mark a route as the
 * kernel's own RA route (RTF_ADDRCONF with RTF_DEFAULT or RTF_ROUTEINFO): the kernel finds its
 * RA routes by those flags, and an RA whose default route it cannot find it tries to add,
 * fails on the copy netlink made, and drops the rest of that RA (prefixes, lifetimes). The
 * ioctl has no protocol field, so such a route reads "proto boot" afterwards.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/ipv6_route.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netd/kernel/uplink_v6.h"
#include "nl_priv.h"

/* <linux/route.h>, their home, cannot be included next to <net/if.h>. */
#ifndef RTF_UP
#define RTF_UP      0x0001
#define RTF_GATEWAY 0x0002
#endif

static int addr_change(struct netd_nl *nl, bool add, int ifindex, const struct netd_v6_addr *a,
                       bool nodad)
{
	uint32_t flags = netd_v6_addr_flags_to_set(a->flags, nodad);
	struct ifaddrmsg ifa = {
	    .ifa_family = AF_INET6,
	    .ifa_prefixlen = a->len,
	    .ifa_flags = (uint8_t)flags,
	    .ifa_scope = a->scope,
	    .ifa_index = (uint32_t)ifindex,
	};
	struct ifa_cacheinfo ci = {.ifa_prefered = a->preferred, .ifa_valid = a->valid};
	struct nl_msg *msg = nlmsg_alloc_simple(add ? RTM_NEWADDR : RTM_DELADDR,
	                                        add ? NLM_F_CREATE | NLM_F_EXCL : 0);

	if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, IFA_ADDRESS, 16, &a->addr) < 0 ||
	    (add && (nla_put_u32(msg, IFA_FLAGS, flags) < 0 ||
	             nla_put(msg, IFA_CACHEINFO, sizeof(ci), &ci) < 0))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return netd_nl_request(nl, msg);
}

static int route_msg(struct netd_nl *nl, bool add, int ifindex, const struct netd_v6_route *r)
{
	struct rtmsg rtm = {
	    .rtm_family = AF_INET6,
	    .rtm_dst_len = r->dst_len,
	    .rtm_table = RT_TABLE_MAIN,
	    .rtm_protocol = add ? r->protocol : 0, /* 0: a delete matches any protocol */
	    .rtm_scope = RT_SCOPE_UNIVERSE,
	    .rtm_type = r->type,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(add ? RTM_NEWROUTE : RTM_DELROUTE,
	                                        add ? NLM_F_CREATE | NLM_F_EXCL : 0);

	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    (r->dst_len && nla_put(msg, RTA_DST, 16, &r->dst) < 0) ||
	    (r->has_gateway && nla_put(msg, RTA_GATEWAY, 16, &r->gateway) < 0) ||
	    nla_put_u32(msg, RTA_OIF, (uint32_t)ifindex) < 0 ||
	    nla_put_u32(msg, RTA_PRIORITY, r->metric) < 0 ||
	    (add && r->pref && nla_put_u8(msg, RTA_PREF, r->pref) < 0) ||
	    (add && r->expires && nla_put_u32(msg, RTA_EXPIRES, r->expires) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return netd_nl_request(nl, msg);
}

/* The route as the kernel's RA code makes it (rt6_add_dflt_router, rt6_add_route_info). */
static int route_ra_add(int ifindex, const struct netd_v6_route *r)
{
	struct in6_rtmsg m;
	int fd, ret = 0;

	memset(&m, 0, sizeof(m));
	m.rtmsg_dst = r->dst;
	m.rtmsg_dst_len = r->dst_len;
	m.rtmsg_gateway = r->gateway;
	m.rtmsg_metric = r->metric;
	m.rtmsg_ifindex = ifindex;
	m.rtmsg_type = RTN_UNICAST;
	m.rtmsg_flags = RTF_UP | RTF_GATEWAY | RTF_ADDRCONF |
	                (r->dst_len ? RTF_ROUTEINFO : RTF_DEFAULT) | RTF_PREF(r->pref & 3);
	if (r->expires) {
		m.rtmsg_flags |= RTF_EXPIRES;
		m.rtmsg_info = (unsigned long)r->expires * (unsigned long)sysconf(_SC_CLK_TCK);
	}
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCADDRT, &m) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int route_add(struct netd_nl *nl, int ifindex, const struct netd_v6_route *r)
{
	return netd_v6_route_from_ra(r) ? route_ra_add(ifindex, r)
	                                : route_msg(nl, true, ifindex, r);
}

static void addr_diag(struct netd_diag *diag, bool add, const struct netd_v6_addr *a,
                      const char *dev, int err)
{
	char buf[64];

	netd_diag_set(diag, "%s address %s %s %s: %s", add ? "adding" : "removing",
	              netd_v6_prefix_format(&a->addr, a->len, buf, sizeof(buf)),
	              add ? "to" : "from", dev, strerror(-err));
}

static void route_diag(struct netd_diag *diag, bool add, const struct netd_v6_route *r,
                       const char *dev, int err)
{
	char buf[64], gw[64] = "";

	if (r->has_gateway)
		inet_ntop(AF_INET6, &r->gateway, gw, sizeof(gw));
	netd_diag_set(diag, "%s IPv6 route %s%s%s dev %s: %s", add ? "adding" : "removing",
	              r->dst_len ? netd_v6_prefix_format(&r->dst, r->dst_len, buf, sizeof(buf))
	                         : "default",
	              gw[0] ? " via " : "", gw, dev, strerror(-err));
}

/* Write value to net/ipv6/conf/<link>/<key> unless it has it already (some keys act on
 * every write: addr_gen_mode and stable_secret remake the link-local address). */
static int sysctl_set(const char *link, const char *key, const char *value, struct netd_diag *diag)
{
	char path[96], now[64];
	int ret;

	snprintf(path, sizeof(path), "net/ipv6/conf/%s/%s", link, key);
	if (netd_sysctl_read(path, now, sizeof(now)) == 0 && strcmp(now, value) == 0)
		return 0;
	ret = netd_sysctl_write(path, value);
	if (ret < 0)
		netd_diag_set(diag, "setting %s to %s: %s", path, value, strerror(-ret));
	return ret;
}

/* An RA the uplink took between its snapshot and accept_ra 0 (a new bond solicits one as it
 * comes up) can give the route of an address's prefix an expiry the snapshot did not see, and
 * the kernel keeps such a route when the prefix's last address goes: the host would then send
 * to the prefix out of a bridge port. Off the uplink too; the bridge makes its own from the
 * addresses, and the next RA refreshes it there. */
static int drop_prefix_routes(struct netd_nl *nl, const struct netd_uplink_v6 *v,
                              const char *uplink, int idx, struct netd_diag *diag)
{
	struct netd_uplink_v6 *left = malloc(sizeof(*left));
	int ret;

	if (!left)
		return -ENOMEM;
	ret = netd_uplink_v6_snapshot(nl, uplink, left);
	for (size_t i = 0; ret == 0 && i < left->n_routes; i++) {
		if (!netd_uplink_v6_prefix_route_of(v, &left->routes[i]))
			continue;
		ret = route_msg(nl, false, idx, &left->routes[i]);
		if (ret == -ESRCH)
			ret = 0;
		else if (ret < 0)
			route_diag(diag, false, &left->routes[i], uplink, ret);
	}
	free(left);
	return ret;
}

int netd_uplink_v6_leave(struct netd_nl *nl, const struct netd_uplink_v6 *v, const char *uplink,
                         const char *bridge, struct netd_diag *diag)
{
	int idx, ret;

	for (size_t i = 0; i < v->n_sysctls; i++) {
		ret = sysctl_set(bridge, v->sysctls[i].key, v->sysctls[i].value, diag);
		if (ret < 0)
			return ret;
	}
	/* First, so no RA makes the addresses anew while they leave. */
	for (size_t i = 0; netd_uplink_v6_sysctl_keys[i]; i++) {
		const char *port = netd_uplink_v6_port_value(netd_uplink_v6_sysctl_keys[i]);

		if (port &&
		    (ret = sysctl_set(uplink, netd_uplink_v6_sysctl_keys[i], port, diag)) < 0)
			return ret;
	}
	idx = netd_nl_ifindex(nl, uplink);
	if (idx < 0) {
		netd_diag_set(diag, "uplink %s: %s", uplink, strerror(-idx));
		return idx;
	}
	/* Routes first: some would vanish with the addresses, the rest would dangle. */
	for (size_t i = 0; i < v->n_routes; i++) {
		ret = route_msg(nl, false, idx, &v->routes[i]);
		if (ret < 0 && ret != -ESRCH) {
			route_diag(diag, false, &v->routes[i], uplink, ret);
			return ret;
		}
	}
	for (size_t i = 0; i < v->n_addrs; i++) {
		ret = addr_change(nl, false, idx, &v->addrs[i], false);
		if (ret < 0 && ret != -EADDRNOTAVAIL) {
			addr_diag(diag, false, &v->addrs[i], uplink, ret);
			return ret;
		}
	}
	return drop_prefix_routes(nl, v, uplink, idx, diag);
}

int netd_uplink_v6_arrive(struct netd_nl *nl, const struct netd_uplink_v6 *v, const char *bridge,
                          struct netd_diag *diag)
{
	int idx, ret;

	idx = netd_nl_ifindex(nl, bridge);
	if (idx < 0) {
		netd_diag_set(diag, "bridge %s: %s", bridge, strerror(-idx));
		return idx;
	}
	for (size_t i = 0; i < v->n_addrs; i++) {
		ret = addr_change(nl, true, idx, &v->addrs[i], true);
		if (ret < 0 && ret != -EEXIST) {
			addr_diag(diag, true, &v->addrs[i], bridge, ret);
			return ret;
		}
	}
	/* EEXIST: the kernel made it already, for an address's prefix. */
	for (size_t i = 0; i < v->n_routes; i++) {
		ret = route_add(nl, idx, &v->routes[i]);
		if (ret < 0 && ret != -EEXIST) {
			route_diag(diag, true, &v->routes[i], bridge, ret);
			return ret;
		}
	}
	return 0;
}

#define KEEP(expr, ok, set_diag)                                                                   \
	do {                                                                                       \
		int r_ = (expr);                                                                   \
		if (r_ < 0 && !(ok) && !first) {                                                   \
			first = r_;                                                                \
			set_diag;                                                                  \
		}                                                                                  \
	} while (0)

/* Off the bridge: what it has of v now, as it has it. */
static int off_bridge(struct netd_nl *nl, struct netd_uplink_v6 *v, const char *bridge,
                      struct netd_diag *diag)
{
	struct netd_uplink_v6 *cur = calloc(1, sizeof(*cur));
	int idx = bridge ? netd_nl_ifindex(nl, bridge) : -ENODEV, first = 0;

	if (!cur)
		return -ENOMEM;
	if (idx < 0 || netd_uplink_v6_snapshot(nl, bridge, cur) < 0 || !cur->present) {
		netd_uplink_v6_age(v, (int64_t)time(NULL));
		goto out;
	}
	netd_uplink_v6_refresh(v, cur);
	for (size_t i = 0; i < v->n_routes; i++)
		KEEP(route_msg(nl, false, idx, &v->routes[i]), r_ == -ESRCH || r_ == -ENODEV,
		     route_diag(diag, false, &v->routes[i], bridge, r_));
	for (size_t i = 0; i < v->n_addrs; i++)
		KEEP(addr_change(nl, false, idx, &v->addrs[i], false),
		     r_ == -EADDRNOTAVAIL || r_ == -ENODEV,
		     addr_diag(diag, false, &v->addrs[i], bridge, r_));
out:
	free(cur);
	return first;
}

int netd_uplink_v6_give_back(struct netd_nl *nl, const struct netd_uplink_v6 *saved,
                             const char *uplink, const char *bridge, struct netd_diag *diag)
{
	struct netd_uplink_v6 *v = malloc(sizeof(*v));
	struct netd_diag d;
	int idx, first = 0;

	if (!v)
		return -ENOMEM;
	*v = *saved;
	KEEP(off_bridge(nl, v, bridge, &d), false, *diag = d);
	idx = netd_nl_ifindex(nl, uplink);
	for (size_t i = 0; idx >= 0 && i < v->n_addrs; i++)
		KEEP(addr_change(nl, true, idx, &v->addrs[i], false), r_ == -EEXIST,
		     addr_diag(diag, true, &v->addrs[i], uplink, r_));
	for (size_t i = 0; idx >= 0 && i < v->n_routes; i++)
		KEEP(route_add(nl, idx, &v->routes[i]), r_ == -EEXIST,
		     route_diag(diag, true, &v->routes[i], uplink, r_));
	/* Last: with accept_ra back an RA could make the addresses first (EEXIST above). */
	for (size_t i = 0; idx >= 0 && i < v->n_sysctls; i++)
		KEEP(sysctl_set(uplink, v->sysctls[i].key, v->sysctls[i].value, &d), false,
		     *diag = d);
	KEEP(idx, false, netd_diag_set(diag, "uplink %s: %s", uplink, strerror(-idx)));
	free(v);
	return first;
}
#undef KEEP
