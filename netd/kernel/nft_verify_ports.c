/*
 * Table bridge netd against the ports one network binds, by content, as nft_verify.c does
 * for table inet netd: the table's frame (base chain prerouting, map port_if) when the
 * network binds any port, every rule of each bound port's chain in order, the network's port
 * chains it no longer binds, and its elements of port_if as a set. A port whose name another
 * network's port chain holds is not bound here (nft_port_wanted), exactly as apply does not
 * bind it, so what apply leaves is what verification expects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft_priv.h"

/* The network's port chains: those of its bound ports as the IR says, the others not
 * wanted. */
static int check_chains(struct nft_report *r, const struct nft_ktable *t,
                        const struct netd_nft_net *x, bool *present)
{
	char port[IFNAMSIZ], prefix[NETD_NFT_CHAIN_MAX];
	int ret = 0;

	/* Its port chains are "port_<net>.<port>", together in the chains sorted by name. */
	snprintf(prefix, sizeof(prefix), "%s%s.", NETD_NFT_PORT_PREFIX, x->network);
	for (size_t i = nft_snap_chains_from(t, prefix);
	     i < t->n_chains && strncmp(t->chains[i].name, prefix, strlen(prefix)) == 0; i++) {
		if (!netd_nft_port_of(t->chains[i].name, x->network, port))
			continue;
		*present = true;
		if (!nft_port_wanted(t, x, port, NULL))
			nft_note(r, NFT_G_CHAINS, "%s: chain not wanted", t->chains[i].name);
	}
	for (size_t i = 0; i < x->n_ports && !ret; i++)
		if (nft_port_wanted(t, x, x->ports[i].ifname, NULL))
			ret = nft_check_chain(r, t, NFPROTO_BRIDGE, &x->ports[i].chain);
	return ret;
}

/* The elements of port_if that may be x's business, by position (*v, the caller's to free):
 * those that jump to one of its port chains, and those keyed by a port it binds. Found through
 * the map's index: nft_port_elem_concerns() is true of none but these. */
static int candidates(const struct nft_kset *m, const struct netd_nft_net *x, size_t **v, size_t *n)
{
	char prefix[NETD_NFT_CHAIN_MAX];
	struct nft_elem want;
	size_t cap = 0;
	int ret;

	*n = 0;
	snprintf(prefix, sizeof(prefix), "%s%s.", NETD_NFT_PORT_PREFIX, x->network);
	ret = nft_set_jumping(m, prefix, true, v, n, &cap);
	for (size_t i = 0; i < x->n_ports && !ret; i++) {
		nft_port_elem(&x->ports[i], &want);
		ret = nft_set_meeting(m, &want, v, n, &cap);
	}
	*n = nft_positions_sorted(*v, *n);
	return ret;
}

/* Its elements of port_if: each bound port's, and none else of its business. */
static int check_elems(struct nft_report *r, const struct nft_ktable *t,
                       const struct netd_nft_net *x)
{
	const struct nft_kset *m = nft_port_map(t);
	char key[2 * NFT_KEY_MAX + 8];
	struct nft_elem want;
	size_t *v = NULL, n = 0;
	int ret;

	for (size_t i = 0; i < x->n_ports; i++) {
		const struct nft_elem *have;

		if (!nft_port_wanted(t, x, x->ports[i].ifname, NULL))
			continue;
		nft_port_elem(&x->ports[i], &want);
		have = nft_set_find_key(m, &want);
		nft_elem_key_text(&want, NFT_TYPE_IFNAME, key, sizeof(key));
		if (!have)
			nft_note(r, NFT_G_ELEMS, "%s: %s missing", NETD_NFT_PORT_MAP, key);
		else if (!nft_elem_same(have, &want))
			nft_note(r, NFT_G_ELEMS, "%s: %s changed", NETD_NFT_PORT_MAP, key);
	}
	ret = candidates(m, x, &v, &n);
	for (size_t c = 0; c < n && !ret; c++) {
		const struct nft_elem *e = &m->elems[v[c]];
		bool wanted_key = false;

		for (size_t p = 0; p < x->n_ports && !wanted_key; p++) {
			nft_port_elem(&x->ports[p], &want);
			wanted_key = nft_elem_same_key(e, &want) &&
			             nft_port_wanted(t, x, x->ports[p].ifname, NULL);
		}
		if (wanted_key || !nft_port_elem_concerns(t, x, e))
			continue;
		nft_elem_key_text(e, m->key_type, key, sizeof(key));
		nft_note(r, NFT_G_ELEMS, "%s: %s foreign", NETD_NFT_PORT_MAP, key);
	}
	free(v);
	return ret;
}

/* Its elements of port_out_if: each tunnel port's, jumping to its chain, and no other of
 * its chains'. */
static void check_out_elems(struct nft_report *r, const struct nft_ktable *t,
                            const struct netd_nft_net *x)
{
	const struct nft_kset *m = nft_snap_set(t, NETD_NFT_PORT_OUT_MAP);
	const struct netd_nft_port *p;
	char key[2 * NFT_KEY_MAX + 8], port[IFNAMSIZ];
	struct nft_elem want;

	for (size_t i = 0; i < x->n_ports; i++) {
		const struct nft_elem *have;

		if (!x->ports[i].tunnel || !nft_port_wanted(t, x, x->ports[i].ifname, NULL))
			continue;
		nft_port_elem(&x->ports[i], &want);
		have = m ? nft_set_find_key(m, &want) : NULL;
		nft_elem_key_text(&want, NFT_TYPE_IFNAME, key, sizeof(key));
		if (!have || !nft_elem_same(have, &want))
			nft_note(r, NFT_G_ELEMS, "%s: %s %s", NETD_NFT_PORT_OUT_MAP, key,
			         have ? "changed" : "missing");
	}
	for (size_t i = 0; m && i < m->n_elems; i++) {
		if (!netd_nft_port_of(m->elems[i].chain, x->network, port))
			continue;
		p = nft_port_wanted(t, x, port, NULL);
		if (!p || !p->tunnel)
			nft_note(r, NFT_G_ELEMS, "%s: %s not wanted", NETD_NFT_PORT_OUT_MAP, port);
	}
}

int nft_verify_ports(struct nft_report *r, const struct nft_ktable *t, const struct netd_nft_net *x,
                     bool *present)
{
	int ret = 0;

	if (!t->exists) {
		if (x->n_ports)
			nft_note(r, NFT_G_TABLE, "table bridge %s missing", NETD_NFT_TABLE);
		return 0;
	}
	/* The table's frame matters only to a network that binds ports in it. */
	if (x->n_ports)
		ret = nft_check_frame(r, t, &nft_bridge_frame);
	if (!ret)
		ret = check_chains(r, t, x, present);
	if (!ret)
		ret = check_elems(r, t, x);
	if (!ret)
		check_out_elems(r, t, x);
	return ret;
}
