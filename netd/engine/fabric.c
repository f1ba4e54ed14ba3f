/*
 * Spanning networks in the engine: what the kernel and FRR have of a network's part in the
 * fabric (observe), and the steps that make or remove it (apply.c calls them).
 *
 * FRR's part is one `router bgp ASN` block per fabric (netd/fabric.h), shared by every
 * spanning network: added by the up of the first (or by any up or reconcile that finds it
 * gone or incomplete: FRR restarted, someone removed a line), removed by the down of the
 * last. Everything is said to FRR through vtysh, with the fabric's FRRSocketDir, and never
 * while the daemon waits: fabric_frr.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/dnsmasq.h"
#include "netd/fabric.h"
#include "netd/kernel/nft_fabric.h"
#include "netd/kernel/vxlan.h"
#include "netd/mode.h"

/* The underlay's address: the VTEP and BGP's router id. */
static int underlay(struct netd_engine *e, const struct netd_fabric *f, struct netd_underlay *u,
                    struct netd_diag *diag)
{
	return netd_underlay_resolve(e->nl, f->underlay_addr, f->underlay_if, u, diag);
}

/* This host's slices of the ranges (fabric_dhcp.c), cut in the copy; a range the fabric has
 * no cut for (not a full mesh) stays whole: README says when, and why. A range too small for
 * the mesh never gets here: config_fabric.c refuses it at its Range= line. */
static void slices(const struct netd_desired *d, struct in_addr self, struct netd_network *copy)
{
	if (d->net->has_dhcp &&
	    netd_fabric_dhcp_slice(d->fabric, self, &copy->dhcp_first, &copy->dhcp_last) < 0) {
		copy->dhcp_first = d->net->dhcp_first;
		copy->dhcp_last = d->net->dhcp_last;
	}
	if (d->net->has_dhcp6 &&
	    netd_fabric_dhcp6_slice(d->fabric, self, &copy->dhcp6_first, &copy->dhcp6_last) < 0) {
		copy->dhcp6_first = d->net->dhcp6_first;
		copy->dhcp6_last = d->net->dhcp6_last;
	}
}

/*
 * dnsmasq's config for a spanning network: this host's slices of the ranges and, unless the
 * underlay has room for 1500-byte guests, the tunnel-safe MTU (DHCP's option 26, and the RA's
 * MTU option: the copy's MTU, which only the RA's line reads). Rendered anew from a copy of
 * the network with the slice. Without an underlay yet, the config stays as it is (the VXLAN
 * port's step fails and says why).
 */
static int span_dnsmasq(struct netd_engine *e, struct netd_desired *d,
                        const struct netd_dnsmasq_paths *paths)
{
	struct netd_network *copy;
	struct netd_underlay u;
	char *conf = NULL, *more;
	unsigned mtu;
	int ret;

	if (!d->dnsmasq || !d->dnsmasq_conf || (!d->net->has_dhcp && !d->net->has_address6) ||
	    underlay(e, d->fabric, &u, NULL) < 0)
		return 0;
	copy = malloc(sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	*copy = *d->net; /* shallow: rendering only reads it */
	slices(d, u.addr, copy);
	mtu = netd_fabric_guest_mtu(u.mtu);
	if (mtu && (!copy->mtu || mtu < copy->mtu))
		copy->mtu = mtu;
	ret = netd_dnsmasq_render_conf(copy, paths, &conf);
	free(copy);
	if (ret == 0 && mtu && d->net->has_dhcp) {
		ret = asprintf(&more, "%sdhcp-option=option:mtu,%u\n", conf, mtu) < 0 ? -ENOMEM : 0;
		free(conf);
		conf = ret == 0 ? more : NULL;
	}
	if (ret < 0)
		return ret;
	free(d->dnsmasq_conf);
	d->dnsmasq_conf = conf;
	return 0;
}

int netd_fabric_desired(struct netd_engine *e, struct netd_desired *d,
                        const struct netd_dnsmasq_paths *paths)
{
	if (!d->net->vni || !e->config->fabric)
		return 0;
	d->fabric = e->config->fabric;
	netd_vxlan_port_name(d->net->vni, d->vxlan, sizeof(d->vxlan));
	return span_dnsmasq(e, d, paths);
}

static void vxlan_spec(const struct netd_desired *d, const struct netd_underlay *u,
                       struct netd_vxlan_spec *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", d->vxlan);
	s->alias = d->alias;
	s->vni = d->net->vni;
	s->local = u->addr;
	s->port = d->fabric->port;
	s->mtu = u->mtu - NETD_VXLAN_OVERHEAD;
	snprintf(s->bridge, sizeof(s->bridge), "%s", d->net->bridge);
	/* a port of the bridge like a guest's: VMToVM=deny isolates it too (never an uplink) */
	s->isolated = netd_port_isolated(d->net, d->vxlan);
}

static int observe_guard(struct netd_engine *e, const struct netd_desired *d,
                         struct netd_observed *o)
{
	struct netd_nft_chain guard;
	int ret = netd_nft_fabric_guard(d->fabric, &guard);

	if (ret == 0)
		ret = netd_nft_fabric_current(e->nft, &guard);
	free(guard.rules);
	if (ret < 0)
		return ret;
	o->guard = ret;
	return 0;
}

int netd_fabric_guard_apply(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	struct netd_nft_chain guard;
	int ret = netd_nft_fabric_guard(c->d->fabric, &guard);

	if (ret == 0)
		ret = netd_nft_fabric_apply(c->e->nft, &guard, diag);
	free(guard.rules);
	return ret;
}

int netd_fabric_observe(struct netd_engine *e, const struct netd_desired *d, int bridge_index,
                        struct netd_observed *o)
{
	struct netd_vxlan_facts f;
	struct netd_vxlan_spec s;
	struct netd_underlay u = {0};
	int ret;

	if (!d->vxlan[0])
		return 0;
	ret = netd_vxlan_get(e->nl, d->vxlan, &f);
	if (ret < 0)
		return ret;
	o->vxlan_exists = f.exists;
	o->vxlan_ours = f.exists && strcmp(f.kind, "vxlan") == 0 && strcmp(f.alias, d->alias) == 0;
	if (f.exists && !o->vxlan_ours)
		snprintf(o->vxlan_alias, sizeof(o->vxlan_alias), "%s", f.alias);
	/* An underlay that is not there yet: the port is not current, and its step says why. */
	if (underlay(e, d->fabric, &u, NULL) == 0) {
		vxlan_spec(d, &u, &s);
		o->vxlan_current = o->vxlan_ours && netd_vxlan_matches(&f, &s, bridge_index);
	}
	netd_fabric_frr_observe(e, o); /* what FRR said last: a change asked just now */
	return observe_guard(e, d, o);
}

/* One gateway MAC on every host (netd/fabric.h); set, it stays whatever ports join. */
static int gateway_mac(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	uint8_t mac[6];

	if (!c->net->has_address)
		return 0;
	netd_fabric_gateway_mac(c->net->name, mac);
	return netd_nl_link_set_mac(c->e->nl, c->net->bridge, mac, diag);
}

int netd_fabric_bridge_made(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	char key[96];
	int ret;

	if (!c->d->vxlan[0])
		return 0;
	/* Before the link is up: its IPv6 link-local is made from the gateway MAC, so the
	 * router the RAs name is one address on every host too, as the gateway is. */
	ret = gateway_mac(c, diag);
	if (ret < 0 || !c->net->has_address6)
		return ret;
	/* Every host has those addresses by design: no duplicate address detection, whose
	 * probes (and the others' defence) are kept out of the tunnel anyway (nft_tunnel.c). */
	snprintf(key, sizeof(key), "net/ipv6/conf/%s/accept_dad", c->net->bridge);
	ret = netd_sysctl_write(key, "0");
	if (ret < 0)
		netd_diag_set(diag, "setting %s: %s", key, strerror(-ret));
	return ret;
}

int netd_fabric_vxlan_create(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	struct netd_vxlan_spec s;
	struct netd_underlay u;
	int ret;

	ret = underlay(c->e, c->d->fabric, &u, diag);
	if (ret < 0)
		return ret;
	if (u.mtu <= NETD_VXLAN_OVERHEAD + 68) {
		netd_diag_set(diag, "underlay %s has MTU %u: too small for VXLAN", u.ifname, u.mtu);
		return -EINVAL;
	}
	vxlan_spec(c->d, &u, &s);
	ret = gateway_mac(c, diag);
	if (ret < 0)
		return ret;
	/* Ours but not as wanted (the underlay's address or MTU changed): made anew. */
	if (c->before->vxlan_ours) {
		ret = netd_nl_link_delete(c->e->nl, s.name, diag);
		if (ret < 0 && ret != -ENODEV)
			return ret;
	}
	return netd_vxlan_create(c->e->nl, &s, diag);
}

int netd_fabric_vxlan_delete(struct netd_apply_ctx *c, struct netd_diag *diag)
{
	int ret = netd_nl_link_delete(c->e->nl, c->d->vxlan, diag);

	return ret == -ENODEV ? 0 : ret;
}
