/*
 * Table bridge netd: each guest port bound to its guest (GuestSourceCheck; include/netd/nft.h
 * has the layout). Changed inside the batches of nft_apply.c, or one port at a time for
 * attach and detach. A network's ports are the chains port_<net>.<port> and the elements of
 * map port_if that jump to them (and, for a VXLAN port, its element of port_out_if: what the
 * host sends through it); the table goes with the last of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "nft_priv.h"

const struct nft_kset *nft_port_map(const struct nft_ktable *t)
{
	return nft_snap_set(t, NETD_NFT_PORT_MAP);
}

/* Is chain a port chain of any network ("port_<net>.<port>")? */
static bool any_port_chain(const char *chain)
{
	const char *p = chain + strlen(NETD_NFT_PORT_PREFIX), *dot;
	char network[NETD_NAME_MAX];

	if (strncmp(chain, NETD_NFT_PORT_PREFIX, strlen(NETD_NFT_PORT_PREFIX)) != 0 ||
	    !(dot = strchr(p, '.')) || (size_t)(dot - p) >= sizeof(network))
		return false;
	snprintf(network, sizeof(network), "%.*s", (int)(dot - p), p);
	return netd_netname_valid(network) && netd_nft_port_of(chain, network, NULL);
}

/* How many port chains the table has: network's (network NULL: anyone's). */
static size_t count_chains(const struct nft_ktable *t, const char *network)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n_chains; i++) {
		const char *c = t->chains[i].name;

		if (network ? netd_nft_port_of(c, network, NULL)
		            : strncmp(c, NETD_NFT_PORT_PREFIX, strlen(NETD_NFT_PORT_PREFIX)) == 0)
			n++;
	}
	return n;
}

void nft_port_elem(const struct netd_nft_port *p, struct nft_elem *e)
{
	nft_ifname_elem(p->ifname, p->chain.name, e);
}

static bool keyed(const struct nft_elem *e, const char *port)
{
	return e->key_len == IFNAMSIZ && strncmp((const char *)e->key, port, IFNAMSIZ) == 0;
}

/* Is port p of x taken by an element jumping to another network's port chain? Such an element
 * is only taken over by attach (only), which has just made the port, never by a whole apply:
 * a record that outlived its tap must not take the name's new owner's binding. Any other
 * element keyed by the port is no one's: x's apply replaces it. */
static bool held_elsewhere(const struct nft_ktable *t, const struct netd_nft_net *x,
                           const struct netd_nft_port *p)
{
	struct nft_elem key;
	const struct nft_elem *e;

	/* port_if's keys are names padded with zeros (nft_ifname_elem), one element each. */
	nft_port_elem(p, &key);
	e = nft_set_find_key(nft_port_map(t), &key);
	return e && any_port_chain(e->chain) && !netd_nft_port_of(e->chain, x->network, NULL);
}

const struct netd_nft_port *nft_port_wanted(const struct nft_ktable *t,
                                            const struct netd_nft_net *x, const char *port,
                                            const char *only)
{
	const struct netd_nft_port *p = netd_nft_net_port(x, port);

	if (!p || (only && strcmp(port, only) != 0) || (!only && held_elsewhere(t, x, p)))
		return NULL;
	return p;
}

bool nft_port_elem_concerns(const struct nft_ktable *t, const struct netd_nft_net *x,
                            const struct nft_elem *e)
{
	if (netd_nft_port_of(e->chain, x->network, NULL))
		return true;
	if (any_port_chain(e->chain))
		return false; /* another network's */
	for (size_t i = 0; i < x->n_ports; i++)
		if (keyed(e, x->ports[i].ifname) && nft_port_wanted(t, x, x->ports[i].ifname, NULL))
			return true;
	return false;
}

static int put_del_chain(struct nft_batch *b, const char *chain)
{
	int ret = nft_put_flush(b, chain);

	return ret ? ret : nft_put_chain(b, NFT_MSG_DELCHAIN, chain);
}

/* Elements to go: (only) whatever holds the port's name, or else the network's business; but
 * those a wanted port keeps exactly as they are. */
static int put_stale_elems(struct nft_batch *b, const struct nft_ktable *t,
                           const struct netd_nft_net *x, const char *only)
{
	const struct nft_kset *m = nft_port_map(t);
	char port[IFNAMSIZ];
	struct nft_elem want;
	int ret = 0;

	/* A map made again (nft_put_frame) loses its elements with it. */
	if (!m || (!only && !nft_frame_map_ok(t, &nft_bridge_frame.maps[0])))
		return 0;
	for (size_t i = 0; i < m->n_elems && !ret; i++) {
		const struct nft_elem *e = &m->elems[i];
		const struct netd_nft_port *p = NULL;

		if (only ? !keyed(e, only) : !nft_port_elem_concerns(t, x, e))
			continue;
		if (netd_nft_port_of(e->chain, x->network, port))
			p = nft_port_wanted(t, x, port, only);
		if (p) {
			nft_port_elem(p, &want);
			if (nft_elem_same(e, &want))
				continue;
		}
		ret = nft_put_elem(b, NFT_MSG_DELSETELEM, NETD_NFT_PORT_MAP, e);
	}
	return ret;
}

/* port_out_if's elements of x's business that are not a tunnel port's as wanted. */
static int put_stale_out_elems(struct nft_batch *b, const struct nft_ktable *t,
                               const struct netd_nft_net *x)
{
	const struct nft_kset *m = nft_snap_set(t, NETD_NFT_PORT_OUT_MAP);
	const struct netd_nft_port *p;
	char port[IFNAMSIZ];
	struct nft_elem want;
	int ret = 0;

	if (!m || !nft_frame_map_ok(t, &nft_bridge_frame.maps[1]))
		return 0;
	for (size_t i = 0; i < m->n_elems && !ret; i++) {
		const struct nft_elem *e = &m->elems[i];

		if (!nft_port_elem_concerns(t, x, e))
			continue;
		p = netd_nft_port_of(e->chain, x->network, port) ? nft_port_wanted(t, x, port, NULL)
		                                                 : NULL;
		if (p && p->tunnel) {
			nft_port_elem(p, &want);
			if (nft_elem_same(e, &want))
				continue;
		}
		ret = nft_put_elem(b, NFT_MSG_DELSETELEM, NETD_NFT_PORT_OUT_MAP, e);
	}
	return ret;
}

static int put_ports(struct nft_batch *b, const struct nft_ktable *t, const struct netd_nft_net *x,
                     const char *only)
{
	char port[IFNAMSIZ];
	struct nft_elem e;
	int ret;

	/* A whole apply repairs the frame; one port's batch touches nothing but its own. */
	ret = nft_put_frame(b, only ? NULL : t, &nft_bridge_frame);
	if (!ret)
		ret = put_stale_elems(b, t, x, only);
	if (!ret && !only)
		ret = put_stale_out_elems(b, t, x);
	for (size_t i = 0; i < x->n_ports && !ret; i++)
		if (nft_port_wanted(t, x, x->ports[i].ifname, only))
			ret = nft_put_chain_rules(b, &x->ports[i].chain, x->ports[i].digest);
	/* Chains of ports the network no longer binds: nothing jumps to them any more. */
	for (size_t i = 0; i < t->n_chains && !ret && !only; i++)
		if (netd_nft_port_of(t->chains[i].name, x->network, port) &&
		    !nft_port_wanted(t, x, port, NULL))
			ret = put_del_chain(b, t->chains[i].name);
	for (size_t i = 0; i < x->n_ports && !ret; i++) {
		if (!nft_port_wanted(t, x, x->ports[i].ifname, only))
			continue;
		nft_port_elem(&x->ports[i], &e);
		ret = nft_put_elem(b, NFT_MSG_NEWSETELEM, NETD_NFT_PORT_MAP, &e);
		if (!ret && x->ports[i].tunnel)
			ret = nft_put_elem(b, NFT_MSG_NEWSETELEM, NETD_NFT_PORT_OUT_MAP, &e);
	}
	return ret;
}

int nft_put_ports(struct nft_batch *b, const struct nft_ktable *t, const struct netd_nft_net *x,
                  const char *only)
{
	int ret;

	b->family = NFPROTO_BRIDGE;
	ret = put_ports(b, t, x, only);
	b->family = NFPROTO_INET;
	return ret;
}

static int put_ports_remove(struct nft_batch *b, const struct nft_ktable *t, const char *network,
                            const char *only)
{
	const struct nft_kset *m = nft_port_map(t);
	const struct nft_kset *out = nft_snap_set(t, NETD_NFT_PORT_OUT_MAP);
	char port[IFNAMSIZ];
	size_t mine = 0;
	int ret = 0;

	for (size_t i = 0; i < t->n_chains; i++)
		if (netd_nft_port_of(t->chains[i].name, network, port) &&
		    (!only || strcmp(port, only) == 0))
			mine++;
	if (mine == 0)
		return 0;
	/* The last bound port of any network: the table goes with everything in it. */
	if (mine == count_chains(t, NULL))
		return nft_put_del_table(b);
	for (size_t i = 0; m && i < m->n_elems && !ret; i++)
		if (netd_nft_port_of(m->elems[i].chain, network, port) &&
		    (!only || strcmp(port, only) == 0))
			ret = nft_put_elem(b, NFT_MSG_DELSETELEM, NETD_NFT_PORT_MAP, &m->elems[i]);
	for (size_t i = 0; out && i < out->n_elems && !ret; i++)
		if (netd_nft_port_of(out->elems[i].chain, network, port) &&
		    (!only || strcmp(port, only) == 0))
			ret = nft_put_elem(b, NFT_MSG_DELSETELEM, NETD_NFT_PORT_OUT_MAP,
			                   &out->elems[i]);
	for (size_t i = 0; i < t->n_chains && !ret; i++)
		if (netd_nft_port_of(t->chains[i].name, network, port) &&
		    (!only || strcmp(port, only) == 0))
			ret = put_del_chain(b, t->chains[i].name);
	return ret;
}

int nft_put_ports_remove(struct nft_batch *b, const struct nft_ktable *t, const char *network,
                         const char *only)
{
	int ret;

	b->family = NFPROTO_BRIDGE;
	ret = put_ports_remove(b, t, network, only);
	b->family = NFPROTO_INET;
	return ret;
}

/* One batch of the ports alone: read the names and elements it needs (not the rules), put,
 * commit. */
static int port_batch(struct netd_nft *nft, const struct netd_nft_net *x, const char *network,
                      const char *port, struct netd_diag *diag)
{
	struct nft_ktable t = {0};
	struct nft_batch b = {0};
	int ret;

	ret = nft_ktable_read(nft, NFPROTO_BRIDGE, false, &t);
	if (ret < 0) {
		netd_diag_set(diag, "nft: reading table bridge %s: %s", NETD_NFT_TABLE,
		              strerror(-ret));
		goto out;
	}
	ret = nft_batch_init(nft, &b);
	if (ret < 0)
		goto out;
	ret = x ? nft_put_ports(&b, &t, x, port) : nft_put_ports_remove(&b, &t, network, port);
	if (ret < 0 && !b.err)
		b.err = ret;
	ret = nft_batch_commit(&b, diag);
out:
	nft_batch_release(&b);
	nft_ktable_release(&t);
	return ret;
}

int netd_nft_apply_port(struct netd_nft *nft, const struct netd_nft_net *x, const char *port,
                        struct netd_diag *diag)
{
	if (!netd_nft_net_port(x, port))
		return 0; /* not bound: GuestSourceCheck=no */
	return port_batch(nft, x, x->network, port, diag);
}

int netd_nft_remove_port(struct netd_nft *nft, const char *network, const char *port,
                         struct netd_diag *diag)
{
	if (!netd_netname_valid(network) || !netd_ifname_valid(port)) {
		netd_diag_set(diag, "nft: invalid network or port \"%s\" \"%s\"", network, port);
		return -EINVAL;
	}
	return port_batch(nft, NULL, network, port, diag);
}
