/*
 * VXLAN ports of spanning networks (netd/kernel/vxlan.h), and the underlay they sit on.
 *
 * The create request and the port flags are built by hand: libnl 3.7's vxlan setters cannot
 * set a master in the create request, and its bridge setters know neither neigh_suppress nor
 * isolated (as bridge_port.c). The facts are read raw for the same reason: libnl does not
 * parse a port's bridge slave data.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>

#include "netd/kernel/vxlan.h"
#include "nl_priv.h"

int netd_underlay_resolve(struct netd_nl *nl, struct in_addr addr, const char *ifname,
                          struct netd_underlay *out, struct netd_diag *diag)
{
	struct netd_host_prefix *hp = NULL;
	struct netd_link_info li;
	char a[INET_ADDRSTRLEN];
	size_t n = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = netd_nl_host_prefixes(nl, &hp, &n);
	if (ret < 0) {
		netd_diag_set(diag, "reading the host's addresses: %s", strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < n && !out->ifname[0]; i++) {
		if (hp[i].is_route)
			continue;
		if (ifname[0] ? strcmp(hp[i].ifname, ifname) == 0
		              : hp[i].prefix.addr.s_addr == addr.s_addr) {
			out->addr = hp[i].prefix.addr;
			snprintf(out->ifname, sizeof(out->ifname), "%s", hp[i].ifname);
		}
	}
	free(hp);
	ret = -EADDRNOTAVAIL;
	if (!out->ifname[0] && ifname[0])
		netd_diag_set(diag, "underlay %s has no IPv4 address (or does not exist)", ifname);
	else if (!out->ifname[0])
		netd_diag_set(diag, "underlay address %s is on none of the host's interfaces",
		              inet_ntop(AF_INET, &addr, a, sizeof(a)));
	else if ((ret = netd_nl_link_get(nl, out->ifname, &li)) < 0)
		netd_diag_set(diag, "underlay %s: %s", out->ifname, strerror(-ret));
	else
		out->mtu = li.mtu;
	return ret;
}

static int vxlan_add(struct netd_nl *nl, const struct netd_vxlan_spec *s, int master)
{
	struct nlattr *info, *data;
	struct nl_msg *msg;

	msg = netd_nl_link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, AF_UNSPEC, 0, s->name);
	if (!msg || nla_put_u32(msg, IFLA_MTU, s->mtu) < 0 ||
	    nla_put_u32(msg, IFLA_MASTER, (uint32_t)master) < 0 ||
	    !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "vxlan") < 0 ||
	    !(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
	    nla_put_u32(msg, IFLA_VXLAN_ID, s->vni) < 0 ||
	    nla_put(msg, IFLA_VXLAN_LOCAL, 4, &s->local) < 0 ||
	    nla_put_u16(msg, IFLA_VXLAN_PORT, htons(s->port)) < 0 ||
	    nla_put_u8(msg, IFLA_VXLAN_LEARNING, 0) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	return netd_nl_request(nl, msg);
}

/* The port's bridge flags, as `bridge link set dev P learning off neigh_suppress on
 * isolated on|off` sends them. */
static int port_flags(struct netd_nl *nl, int ifindex, bool isolated)
{
	struct nl_msg *msg = netd_nl_link_msg(RTM_SETLINK, 0, AF_BRIDGE, ifindex, NULL);
	struct nlattr *pi;

	if (!msg || !(pi = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) ||
	    nla_put_u8(msg, IFLA_BRPORT_LEARNING, 0) < 0 ||
	    nla_put_u8(msg, IFLA_BRPORT_NEIGH_SUPPRESS, 1) < 0 ||
	    nla_put_u8(msg, IFLA_BRPORT_ISOLATED, isolated) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, pi);
	return netd_nl_request(nl, msg);
}

int netd_vxlan_create(struct netd_nl *nl, const struct netd_vxlan_spec *s, struct netd_diag *diag)
{
	const char *what = "creating";
	int ret, br, idx;

	br = netd_nl_ifindex(nl, s->bridge);
	if (br < 0) {
		netd_diag_set(diag, "VXLAN port %s: bridge %s: %s", s->name, s->bridge,
		              strerror(-br));
		return br;
	}
	ret = vxlan_add(nl, s, br);
	if (ret < 0)
		goto fail;
	/* The kernel ignores IFLA_IFALIAS in a create request: set it on the new link. */
	what = "setting the alias of";
	ret = netd_nl_link_set_alias(nl, s->name, s->alias);
	what = "setting the bridge port flags of";
	idx = ret < 0 ? ret : netd_nl_ifindex(nl, s->name);
	ret = idx < 0 ? idx : port_flags(nl, idx, s->isolated);
	if (ret == 0) {
		what = "setting up";
		ret = netd_nl_link_set_up(nl, s->name, true, NULL);
	}
	if (ret == 0)
		return 0;
	netd_nl_link_delete(nl, s->name, NULL);
fail:
	netd_diag_set(diag, "%s VXLAN port %s (VNI %u on %s): %s", what, s->name, s->vni, s->bridge,
	              strerror(-ret));
	return ret;
}

static void parse_vxlan(struct nlattr *data, struct netd_vxlan_facts *f)
{
	struct nlattr *vx[IFLA_VXLAN_MAX + 1];

	if (nla_parse_nested(vx, IFLA_VXLAN_MAX, data, NULL) < 0)
		return;
	if (vx[IFLA_VXLAN_ID])
		f->vni = nla_get_u32(vx[IFLA_VXLAN_ID]);
	if (vx[IFLA_VXLAN_LOCAL] && nla_len(vx[IFLA_VXLAN_LOCAL]) == 4)
		memcpy(&f->local, nla_data(vx[IFLA_VXLAN_LOCAL]), 4);
	if (vx[IFLA_VXLAN_PORT])
		f->port = ntohs(nla_get_u16(vx[IFLA_VXLAN_PORT]));
	f->learning = vx[IFLA_VXLAN_LEARNING] && nla_get_u8(vx[IFLA_VXLAN_LEARNING]);
	f->has_remote = vx[IFLA_VXLAN_GROUP] && nla_get_u32(vx[IFLA_VXLAN_GROUP]) != 0;
}

static void parse_port(struct nlattr *data, struct netd_vxlan_facts *f)
{
	struct nlattr *br[IFLA_BRPORT_MAX + 1];

	if (nla_parse_nested(br, IFLA_BRPORT_MAX, data, NULL) < 0)
		return;
	f->port_learning = br[IFLA_BRPORT_LEARNING] ? nla_get_u8(br[IFLA_BRPORT_LEARNING]) : -1;
	f->neigh_suppress =
	    br[IFLA_BRPORT_NEIGH_SUPPRESS] ? nla_get_u8(br[IFLA_BRPORT_NEIGH_SUPPRESS]) : -1;
	f->isolated = br[IFLA_BRPORT_ISOLATED] ? nla_get_u8(br[IFLA_BRPORT_ISOLATED]) : -1;
}

static int parse_link(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct netd_vxlan_facts *f = arg;

	if (h->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0)
		return 0;
	f->exists = true;
	f->up = ifi->ifi_flags & IFF_UP;
	if (tb[IFLA_IFALIAS])
		snprintf(f->alias, sizeof(f->alias), "%s", nla_get_string(tb[IFLA_IFALIAS]));
	if (tb[IFLA_MTU])
		f->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER])
		f->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (!tb[IFLA_LINKINFO] ||
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0)
		return 0;
	if (info[IFLA_INFO_KIND])
		snprintf(f->kind, sizeof(f->kind), "%s", nla_get_string(info[IFLA_INFO_KIND]));
	if (strcmp(f->kind, "vxlan") == 0 && info[IFLA_INFO_DATA])
		parse_vxlan(info[IFLA_INFO_DATA], f);
	if (info[IFLA_INFO_SLAVE_KIND] &&
	    strcmp(nla_get_string(info[IFLA_INFO_SLAVE_KIND]), "bridge") == 0 &&
	    info[IFLA_INFO_SLAVE_DATA])
		parse_port(info[IFLA_INFO_SLAVE_DATA], f);
	return 0;
}

int netd_vxlan_get(struct netd_nl *nl, const char *name, struct netd_vxlan_facts *out)
{
	struct nl_msg *msg = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	out->port_learning = out->neigh_suppress = out->isolated = -1;
	if (!netd_ifname_valid(name))
		return 0;
	ret = rtnl_link_build_get_request(0, name, &msg);
	if (ret < 0)
		return netd_nl_errno(nl, ret);
	ret = netd_nl_query_raw(nl, msg, parse_link, out);
	if (ret == -ENODEV) {
		memset(out, 0, sizeof(*out));
		out->port_learning = out->neigh_suppress = out->isolated = -1;
		return 0;
	}
	return ret;
}

bool netd_vxlan_matches(const struct netd_vxlan_facts *f, const struct netd_vxlan_spec *s,
                        int bridge_index)
{
	return f->exists && strcmp(f->kind, "vxlan") == 0 && f->vni == s->vni &&
	       f->local.s_addr == s->local.s_addr && f->port == s->port && !f->learning &&
	       !f->has_remote && f->mtu == s->mtu && f->master == bridge_index && f->up &&
	       f->port_learning == 0 && f->neigh_suppress == 1 && f->isolated == (int)s->isolated;
}
