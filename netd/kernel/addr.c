/*
 * IPv4 addresses over rtnetlink, as libnl-route-3's rtnl_addr objects: add/del/has; a link's
 * addresses (or all) read by hand from a dump the kernel filters. Every read is a fresh dump.
 * The host's prefixes (addresses and routes) are host_prefix.c.
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

/* An IPv4 rtnl_addr on ifindex: IFA_LOCAL and IFA_ADDRESS both p->addr, as `ip addr` sends. */
static int addr_obj(int ifindex, const struct netd_prefix *p, struct rtnl_addr **out)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = netd_nl_addr4(p->addr, p->len);
	int ret = -ENOMEM;

	if (!a || !local)
		goto out;
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, AF_INET);
	if (rtnl_addr_set_local(a, local) < 0) /* and the prefix length */
		goto out;
	*out = a;
	a = NULL;
	ret = 0;
out:
	nl_addr_put(local);
	rtnl_addr_put(a);
	return ret;
}

/* RTM_NEWADDR (exclusive) or RTM_DELADDR of p on ifname, with broadcast (0: none), flags
 * and scope. */
static int addr_change(struct netd_nl *nl, bool add, const char *ifname,
                       const struct netd_prefix *p, struct in_addr broadcast, unsigned flags,
                       int scope, struct netd_diag *diag)
{
	struct rtnl_addr *a = NULL;
	struct nl_addr *brd = NULL;
	struct nl_msg *msg = NULL;
	char buf[32];
	int ret, idx;

	idx = netd_nl_ifindex(nl, ifname);
	ret = idx < 0 ? idx : addr_obj(idx, p, &a);
	if (ret < 0)
		goto out;
	if (broadcast.s_addr) {
		brd = netd_nl_addr4(broadcast, 0);
		if (!brd || rtnl_addr_set_broadcast(a, brd) < 0) {
			ret = -ENOMEM;
			goto out;
		}
	}
	rtnl_addr_set_flags(a, flags);
	rtnl_addr_set_scope(a, scope);
	if (add)
		ret = rtnl_addr_build_add_request(a, NLM_F_EXCL, &msg);
	else
		ret = rtnl_addr_build_delete_request(a, 0, &msg);
	ret = ret < 0 ? netd_nl_errno(nl, ret) : netd_nl_request(nl, msg);
out:
	if (ret < 0)
		netd_diag_set(diag, "%s address %s %s %s: %s", add ? "adding" : "removing",
		              netd_prefix_format(p, false, buf, sizeof(buf)), add ? "to" : "from",
		              ifname, strerror(-ret));
	nl_addr_put(brd);
	rtnl_addr_put(a);
	return ret;
}

int netd_nl_addr_put(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p,
                     struct in_addr broadcast, unsigned flags, int scope, struct netd_diag *diag)
{
	return addr_change(nl, true, ifname, p, broadcast, flags, scope, diag);
}

int netd_nl_addr_add(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p,
                     struct netd_diag *diag)
{
	/* `ip addr add ... brd +`: the kernel computes no broadcast address by itself. */
	struct in_addr brd = {0};

	if (p->len < 31)
		brd = netd_prefix_broadcast(p);
	return addr_change(nl, true, ifname, p, brd, 0, RT_SCOPE_UNIVERSE, diag);
}

int netd_nl_addr_del(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p,
                     struct netd_diag *diag)
{
	struct in_addr none = {0};

	return addr_change(nl, false, ifname, p, none, 0, RT_SCOPE_UNIVERSE, diag);
}

/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links (libnl's
 * "local" is IFA_LOCAL when there is one, IFA_ADDRESS otherwise). */
bool netd_nl_addr_prefix(struct rtnl_addr *a, struct netd_prefix *p)
{
	if (rtnl_addr_get_family(a) != AF_INET || !netd_nl_in4(rtnl_addr_get_local(a), &p->addr))
		return false;
	p->len = (uint8_t)rtnl_addr_get_prefixlen(a);
	return true;
}

struct addr_list {
	struct netd_link_addr *v;
	size_t n, cap;
};

/* IFA_LOCAL is the address itself, IFA_ADDRESS the peer on point-to-point links (as
 * netd_nl_addr_prefix() reads them: IFA_LOCAL when there is one). */
static int collect_raw_addr(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[IFA_MAX + 1], *a;
	struct addr_list *l = arg;
	const struct ifaddrmsg *ifa;
	struct netd_link_addr *e;

	if (h->nlmsg_type != RTM_NEWADDR || nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	ifa = nlmsg_data(h);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (ifa->ifa_family != AF_INET || !a || nla_len(a) != sizeof(struct in_addr))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct netd_link_addr *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	e->ifindex = (int)ifa->ifa_index;
	memcpy(&e->prefix.addr, nla_data(a), sizeof(e->prefix.addr));
	e->prefix.len = ifa->ifa_prefixlen;
	e->peer = e->prefix.addr;
	if (tb[IFA_ADDRESS] && nla_len(tb[IFA_ADDRESS]) == sizeof(e->peer))
		memcpy(&e->peer, nla_data(tb[IFA_ADDRESS]), sizeof(e->peer));
	return 0;
}

int netd_nl_addr_list(struct netd_nl *nl, int ifindex, struct netd_link_addr **out, size_t *n)
{
	struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_index = (unsigned)ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
	struct addr_list l = {0};
	int ret;

	if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = netd_nl_query_strict(nl, msg, collect_raw_addr, &l);
	if (ret < 0) {
		free(l.v);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int netd_nl_addr_has(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p)
{
	struct netd_link_addr *v = NULL;
	size_t n = 0;
	int ret, idx;

	idx = netd_nl_ifindex(nl, ifname);
	if (idx < 0)
		return idx;
	ret = netd_nl_addr_list(nl, idx, &v, &n);
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (v[i].ifindex == idx && v[i].prefix.len == p->len &&
		    v[i].prefix.addr.s_addr == p->addr.s_addr)
			ret = 1;
	free(v);
	return ret;
}
