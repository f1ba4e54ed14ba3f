/*
 * Table bridge netd: each guest port bound to its guest (GuestSourceCheck; include/netd/nft.h
 * has the layout). Read, and changed inside the batches of nft_apply.c, or one port at a time
 * for attach and detach. A network's ports are the chains port_<net>.<port> and the elements
 * of map port_if that jump to them; the table goes with the last of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "nft_priv.h"

/* The kernel's NF_BR_PRE_ROUTING and NF_BR_PRI_FILTER_BRIDGED (nft's "priority filter" in a
 * bridge): before br_netfilter hands IPv4 to the inet hooks (priority 0), so a frame a port
 * may not send never reaches them. */
#define BR_PRE_ROUTING    0
#define BR_PRIORITY       (-200)
#define PORT_MAP_ID       16 /* NFTNL_SET_ID, apart from the inet maps' in the same batch */
#define PREROUTING        "prerouting"
#define PREROUTING_LOOKUP "iifname vmap @" NETD_NFT_PORT_MAP

int nft_ports_read(struct netd_nft *nft, struct nft_ports_state *ps)
{
	int ret;

	memset(ps, 0, sizeof(*ps));
	ret = nft_state_chains_in(nft, NFPROTO_BRIDGE, &ps->chains);
	if (ret == 0 && ps->chains.table)
		ret = nft_dump_elems(nft, NFPROTO_BRIDGE, NETD_NFT_PORT_MAP, false, &ps->elems,
		                     &ps->n_elems);
	return ret;
}

void nft_ports_release(struct nft_ports_state *ps)
{
	nft_state_release(&ps->chains);
	free(ps->elems);
	memset(ps, 0, sizeof(*ps));
}

/* How many port chains the table has: network's (network NULL: anyone's). */
static size_t count_chains(const struct nft_ports_state *ps, const char *network)
{
	size_t n = 0;

	for (size_t i = 0; i < ps->chains.n_chains; i++) {
		const char *c = ps->chains.chains[i];

		if (network ? netd_nft_port_of(c, network, NULL)
		            : strncmp(c, NETD_NFT_PORT_PREFIX, strlen(NETD_NFT_PORT_PREFIX)) == 0)
			n++;
	}
	return n;
}

bool nft_ports_has(const struct nft_ports_state *ps, const char *network)
{
	return count_chains(ps, network) > 0;
}

static void port_elem(const struct netd_nft_port *p, struct nft_elem *e)
{
	memset(e, 0, sizeof(*e));
	/* nft pads an ifname key to IFNAMSIZ with zeros. */
	snprintf((char *)e->key, sizeof(e->key), "%s", p->ifname);
	e->key_len = IFNAMSIZ;
	snprintf(e->chain, sizeof(e->chain), "%s", p->chain.name);
}

static int put_base(struct nft_batch *b)
{
	int ret = nft_put_table(b);

	if (!ret)
		ret = nft_put_map(b, NETD_NFT_PORT_MAP, false, PORT_MAP_ID);
	if (!ret)
		ret = nft_put_base_chain(b, PREROUTING, BR_PRE_ROUTING, BR_PRIORITY, false);
	/* Flushed and re-added: the batch is atomic, and a damaged base heals. */
	if (!ret)
		ret = nft_put_flush(b, PREROUTING);
	if (!ret)
		ret = nft_put_base_rule(b, PREROUTING, 0, NFT_META_IIFNAME, NETD_NFT_PORT_MAP,
		                        PREROUTING_LOOKUP);
	return ret;
}

static int put_del_chain(struct nft_batch *b, const char *chain)
{
	int ret = nft_put_flush(b, chain);

	return ret ? ret : nft_put_chain(b, NFT_MSG_DELCHAIN, chain);
}

/* Is port p of x taken by an element of another network's chain? Such an element is only
 * taken over by attach (only), which has just made the port, never by a whole apply: a record
 * that outlived its tap must not take the name's new owner's binding. */
static bool held_elsewhere(const struct nft_ports_state *ps, const struct netd_nft_net *x,
                           const struct netd_nft_port *p)
{
	for (size_t i = 0; i < ps->n_elems; i++)
		if (strncmp((const char *)ps->elems[i].key, p->ifname, IFNAMSIZ) == 0 &&
		    !netd_nft_port_of(ps->elems[i].chain, x->network, NULL))
			return true;
	return false;
}

/* Is the port wanted here: in x, in this batch (only), and not held elsewhere? */
static const struct netd_nft_port *wanted(const struct nft_ports_state *ps,
                                          const struct netd_nft_net *x, const char *port,
                                          const char *only)
{
	const struct netd_nft_port *p = netd_nft_net_port(x, port);

	if (!p || (only && strcmp(port, only) != 0) || (!only && held_elsewhere(ps, x, p)))
		return NULL;
	return p;
}

/* Elements to go: the network's that no wanted port keeps as it is, and (only) whatever else
 * holds the port's name. */
static int put_stale_elems(struct nft_batch *b, const struct nft_ports_state *ps,
                           const struct netd_nft_net *x, const char *only)
{
	char port[IFNAMSIZ];
	int ret = 0;

	for (size_t i = 0; i < ps->n_elems && !ret; i++) {
		const struct nft_elem *e = &ps->elems[i];
		const char *key = (const char *)e->key;
		bool ours = netd_nft_port_of(e->chain, x->network, port);
		const struct netd_nft_port *p;

		if (only ? strncmp(key, only, IFNAMSIZ) != 0 : !ours)
			continue;
		p = ours ? wanted(ps, x, port, only) : NULL;
		if (p && strncmp(key, p->ifname, IFNAMSIZ) == 0)
			continue;
		ret = nft_put_elem_in(b, NFT_MSG_DELSETELEM, NETD_NFT_PORT_MAP, e);
	}
	return ret;
}

int nft_put_ports(struct nft_batch *b, const struct nft_ports_state *ps,
                  const struct netd_nft_net *x, const char *only)
{
	char port[IFNAMSIZ];
	struct nft_elem e;
	int ret;

	b->family = NFPROTO_BRIDGE;
	ret = put_base(b);
	if (!ret)
		ret = put_stale_elems(b, ps, x, only);
	for (size_t i = 0; i < x->n_ports && !ret; i++)
		if (wanted(ps, x, x->ports[i].ifname, only))
			ret = nft_put_chain_rules(b, &x->ports[i].chain, x->ports[i].digest);
	/* Chains of ports the network no longer binds: nothing jumps to them any more. */
	for (size_t i = 0; i < ps->chains.n_chains && !ret && !only; i++)
		if (netd_nft_port_of(ps->chains.chains[i], x->network, port) &&
		    !wanted(ps, x, port, NULL))
			ret = put_del_chain(b, ps->chains.chains[i]);
	for (size_t i = 0; i < x->n_ports && !ret; i++) {
		if (!wanted(ps, x, x->ports[i].ifname, only))
			continue;
		port_elem(&x->ports[i], &e);
		ret = nft_put_elem_in(b, NFT_MSG_NEWSETELEM, NETD_NFT_PORT_MAP, &e);
	}
	b->family = NFPROTO_INET;
	return ret;
}

int nft_put_ports_remove(struct nft_batch *b, const struct nft_ports_state *ps, const char *network,
                         const char *only)
{
	char port[IFNAMSIZ];
	size_t mine = 0;
	int ret = 0;

	for (size_t i = 0; i < ps->chains.n_chains; i++)
		if (netd_nft_port_of(ps->chains.chains[i], network, port) &&
		    (!only || strcmp(port, only) == 0))
			mine++;
	if (mine == 0)
		return 0;
	b->family = NFPROTO_BRIDGE;
	/* The last bound port of any network: the table goes with everything in it. */
	if (mine == count_chains(ps, NULL)) {
		ret = nft_put_del_table(b);
		goto out;
	}
	for (size_t i = 0; i < ps->n_elems && !ret; i++)
		if (netd_nft_port_of(ps->elems[i].chain, network, port) &&
		    (!only || strcmp(port, only) == 0))
			ret = nft_put_elem_in(b, NFT_MSG_DELSETELEM, NETD_NFT_PORT_MAP,
			                      &ps->elems[i]);
	for (size_t i = 0; i < ps->chains.n_chains && !ret; i++)
		if (netd_nft_port_of(ps->chains.chains[i], network, port) &&
		    (!only || strcmp(port, only) == 0))
			ret = put_del_chain(b, ps->chains.chains[i]);
out:
	b->family = NFPROTO_INET;
	return ret;
}

/* One batch of the ports alone: read, put, commit. */
static int port_batch(struct netd_nft *nft, const struct netd_nft_net *x, const char *network,
                      const char *port, struct netd_diag *diag)
{
	struct nft_ports_state ps;
	struct nft_batch b = {0};
	int ret;

	ret = nft_ports_read(nft, &ps);
	if (ret < 0) {
		netd_diag_set(diag, "nft: reading table bridge %s: %s", NETD_NFT_TABLE,
		              strerror(-ret));
		goto out;
	}
	ret = nft_batch_init(nft, &b);
	if (ret < 0)
		goto out;
	ret = x ? nft_put_ports(&b, &ps, x, port) : nft_put_ports_remove(&b, &ps, network, port);
	if (ret < 0 && !b.err)
		b.err = ret;
	ret = nft_batch_commit(&b, diag);
out:
	nft_batch_release(&b);
	nft_ports_release(&ps);
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
