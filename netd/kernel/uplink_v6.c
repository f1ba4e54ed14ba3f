/*
 * Reading a link's IPv6 for the uplink snapshot: raw RTM_GETADDR and RTM_GETROUTE dumps
 * (libnl 3.7's objects carry neither IFA_FLAGS' upper bits reliably nor a route's expiry),
 * and the per-link sysctls under /proc/sys/net/ipv6/conf/<link>/.
 */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/ipv6_route.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "netd/kernel/uplink_v6.h"
#include "nl_priv.h"

/* 32 hex digits, as /proc/net/ipv6_route writes an address. */
static int hex16(const char *s, struct in6_addr *a)
{
	if (strlen(s) != 32)
		return -EINVAL;
	for (size_t i = 0; i < 16; i++) {
		unsigned b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		a->s6_addr[i] = (uint8_t)b;
	}
	return 0;
}

struct v6_ctx {
	int ifindex;
	struct netd_uplink_v6 *v;
	int err;
};

static int collect_addr(struct nlmsghdr *h, void *arg)
{
	struct ifaddrmsg *ifa = nlmsg_data(h);
	struct nlattr *tb[IFA_MAX + 1];
	struct v6_ctx *c = arg;
	struct netd_v6_addr a = {0};

	if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET6 ||
	    (int)ifa->ifa_index != c->ifindex ||
	    nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0 || !tb[IFA_ADDRESS] ||
	    nla_len(tb[IFA_ADDRESS]) != 16)
		return 0;
	memcpy(&a.addr, nla_data(tb[IFA_ADDRESS]), 16);
	a.len = ifa->ifa_prefixlen;
	a.scope = ifa->ifa_scope;
	a.flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	a.valid = a.preferred = NETD_V6_FOREVER;
	if (tb[IFA_CACHEINFO] && nla_len(tb[IFA_CACHEINFO]) >= (int)sizeof(struct ifa_cacheinfo)) {
		const struct ifa_cacheinfo *ci = nla_data(tb[IFA_CACHEINFO]);

		a.valid = ci->ifa_valid;
		a.preferred = ci->ifa_prefered;
	}
	if (!netd_uplink_v6_addr_moves(a.scope, a.flags) || a.valid == 0)
		return 0;
	if (c->v->n_addrs == NETD_UPLINK_V6_MAX_ADDRS) {
		c->err = -E2BIG;
		return 0;
	}
	c->v->addrs[c->v->n_addrs++] = a;
	return 0;
}

/* A dump's expiry is clock ticks (rta_cacheinfo); whole seconds, rounded up so a route
 * about to expire is not read as one that never does. */
static uint32_t expiry_seconds(const struct nlattr *ci)
{
	long hz = sysconf(_SC_CLK_TCK);
	const struct rta_cacheinfo *c;

	if (!ci || nla_len(ci) < (int)sizeof(*c))
		return 0;
	c = nla_data(ci);
	if (c->rta_expires <= 0)
		return 0;
	return (uint32_t)((c->rta_expires + (hz > 0 ? hz : 100) - 1) / (hz > 0 ? hz : 100));
}

static int collect_route(struct nlmsghdr *h, void *arg)
{
	struct rtmsg *rtm = nlmsg_data(h);
	struct nlattr *tb[RTA_MAX + 1];
	struct v6_ctx *c = arg;
	struct netd_v6_route r = {0};
	uint32_t table;

	if (h->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != AF_INET6 ||
	    (rtm->rtm_flags & RTM_F_CLONED) ||
	    nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0 || !tb[RTA_OIF] ||
	    (int)nla_get_u32(tb[RTA_OIF]) != c->ifindex || tb[RTA_MULTIPATH])
		return 0;
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r.dst_len = rtm->rtm_dst_len;
	if (tb[RTA_DST] && nla_len(tb[RTA_DST]) == 16)
		memcpy(&r.dst, nla_data(tb[RTA_DST]), 16);
	if (tb[RTA_GATEWAY] && nla_len(tb[RTA_GATEWAY]) == 16) {
		memcpy(&r.gateway, nla_data(tb[RTA_GATEWAY]), 16);
		r.has_gateway = true;
	}
	r.metric = tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	r.protocol = rtm->rtm_protocol;
	r.type = rtm->rtm_type;
	r.pref = tb[RTA_PREF] ? nla_get_u8(tb[RTA_PREF]) : 0;
	r.expires = expiry_seconds(tb[RTA_CACHEINFO]);
	if (!netd_uplink_v6_route_moves(table, r.type, r.protocol, &r.dst, r.dst_len, r.expires))
		return 0;
	if (c->v->n_routes == NETD_UPLINK_V6_MAX_ROUTES) {
		c->err = -E2BIG;
		return 0;
	}
	c->v->routes[c->v->n_routes++] = r;
	return 0;
}

/* Which routes are the kernel's RA routes: only /proc/net/ipv6_route shows a route's RTF_*
 * flags (rtnetlink reports the protocol, and a route put back by the ioctl reads "boot").
 * A line: dst dst_len src src_len nexthop metric refcnt use flags dev, in hex. */
static void mark_ra_routes(const char *link, struct netd_uplink_v6 *v)
{
	FILE *f = fopen("/proc/net/ipv6_route", "re");
	char dst[33], src[33], gw[33], dev[IFNAMSIZ + 1];
	unsigned dlen, slen, metric, refcnt, use, flags;

	if (!f)
		return;
	while (fscanf(f, "%32s %x %32s %x %32s %x %x %x %x %16s", dst, &dlen, src, &slen, gw,
	              &metric, &refcnt, &use, &flags, dev) == 10) {
		struct in6_addr d, g;

		if (strcmp(dev, link) != 0 || !(flags & RTF_ADDRCONF) ||
		    !(flags & (RTF_DEFAULT | RTF_ROUTEINFO)) || hex16(dst, &d) < 0 ||
		    hex16(gw, &g) < 0)
			continue;
		for (size_t i = 0; i < v->n_routes; i++) {
			struct netd_v6_route *r = &v->routes[i];

			if (r->dst_len == dlen && r->metric == metric && r->has_gateway &&
			    memcmp(&r->dst, &d, 16) == 0 && memcmp(&r->gateway, &g, 16) == 0)
				r->ra = true;
		}
	}
	fclose(f);
}

static int dump(struct netd_nl *nl, int type, int (*each)(struct nlmsghdr *, void *),
                struct v6_ctx *c)
{
	struct nl_msg *msg;
	int ret;

	ret = netd_nl_dump_msg(type, AF_INET6, &msg);
	if (ret == 0)
		ret = netd_nl_query_raw(nl, msg, each, c);
	return ret < 0 ? ret : c->err;
}

/* A key the kernel does not have (older kernels, or stable_secret never set: EIO) is
 * left out, and so never written back. */
static int read_sysctls(const char *link, struct netd_uplink_v6 *v)
{
	for (size_t i = 0; netd_uplink_v6_sysctl_keys[i]; i++) {
		struct netd_v6_sysctl *s = &v->sysctls[v->n_sysctls];
		char key[96];
		int ret;

		snprintf(key, sizeof(key), "net/ipv6/conf/%s/%s", link,
		         netd_uplink_v6_sysctl_keys[i]);
		ret = netd_sysctl_read(key, s->value, sizeof(s->value));
		if (ret == -ENOENT || ret == -EIO)
			continue;
		if (ret < 0)
			return ret;
		snprintf(s->key, sizeof(s->key), "%s", netd_uplink_v6_sysctl_keys[i]);
		v->n_sysctls++;
	}
	return 0;
}

int netd_uplink_v6_snapshot(struct netd_nl *nl, const char *link, struct netd_uplink_v6 *out)
{
	struct v6_ctx c = {.v = out};
	struct stat st;
	int ret;

	memset(out, 0, sizeof(*out));
	if (stat("/proc/sys/net/ipv6", &st) < 0)
		return 0; /* no IPv6 in this kernel: nothing to move */
	c.ifindex = netd_nl_ifindex(nl, link);
	if (c.ifindex < 0)
		return c.ifindex;
	out->taken_at = (int64_t)time(NULL);
	ret = dump(nl, RTM_GETADDR, collect_addr, &c);
	if (ret == 0)
		ret = dump(nl, RTM_GETROUTE, collect_route, &c);
	if (ret == 0) {
		mark_ra_routes(link, out);
		ret = read_sysctls(link, out);
	}
	if (ret < 0)
		return ret;
	out->present = true;
	return 0;
}
