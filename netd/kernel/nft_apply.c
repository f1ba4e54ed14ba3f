/* Changing netd's tables: one network in or out of both, each time in one atomic batch,
 * written from what the tables hold now (the snapshot of nft_observe.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "nft_priv.h"

/* The base chains of both frames that t has, each looked up by name. */
static size_t base_chains(const struct nft_ktable *t)
{
	size_t n = 0;

	for (int i = 0; i < NFT_BASE_CHAINS; i++)
		n += nft_snap_chain(t, nft_base[i].name) != NULL;
	for (size_t i = 0; i < nft_fwd_frame.n_base; i++)
		n += nft_snap_chain(t, nft_fwd_frame.base[i].name) != NULL;
	return n;
}

static bool bad_map(const struct nft_ktable *t, const char *name)
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		if (strcmp(nft_maps[k].name, name) == 0)
			return !nft_frame_map_ok(t, &nft_maps[k]);
	return false;
}

static void chain_names(const char *network, char names[][NETD_NFT_CHAIN_MAX])
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		snprintf(names[k], NETD_NFT_CHAIN_MAX, "%s%s", netd_nft_chain_prefix(k), network);
}

/*
 * Delete the elements that are the network's business (they jump to its chains, or meet
 * its keys) except those equal to what x wants (x NULL: every one that jumps to its chains).
 * Keeping equal elements makes a re-apply a no-op for the maps; a changed key (bridge
 * renamed, subnet moved), a foreign element or one with another verdict goes, and what x
 * wants is added after. A map that is made again loses its elements with it.
 */
static int put_stale_elems(struct nft_batch *b, const struct nft_ktable *t,
                           const struct netd_nft_net *x, char names[][NETD_NFT_CHAIN_MAX])
{
	struct nft_want_elem want[NFT_WANT_ELEMS_MAX];
	size_t n_want = x ? nft_want_elems(x, want) : 0;
	int ret = 0;

	for (size_t m = 0; m < t->n_sets && !ret; m++) {
		const struct nft_kset *set = &t->sets[m];
		size_t *v = NULL, n = 0;

		if (x && bad_map(t, set->name))
			continue;
		/* Through the set's index: a walk over every network's elements would make each
		 * network's change cost all of theirs. */
		ret = nft_elem_candidates(set, want, n_want, names, &v, &n);
		for (size_t c = 0; c < n && !ret; c++) {
			const struct nft_elem *e = &set->elems[v[c]];
			bool keep = false;

			if (!nft_elem_concerns(e, want, n_want, set->name, names))
				continue;
			for (size_t w = 0; w < n_want && !keep; w++)
				keep = strcmp(nft_maps[want[w].map].name, set->name) == 0 &&
				       nft_elem_same(e, &want[w].e);
			if (!keep)
				ret = nft_put_elem(b, NFT_MSG_DELSETELEM, set->name, e);
		}
		free(v);
	}
	return ret;
}

static int put_network_chains(struct nft_batch *b, const struct netd_nft_net *x)
{
	int ret = 0;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++)
		if (x->chains[k].present)
			ret = nft_put_chain_rules(b, &x->chains[k], x->digest);
	return ret;
}

static int check_names(const struct netd_nft_net *x, struct netd_diag *diag)
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		const struct netd_nft_chain *c = &x->chains[k];
		size_t plen = strlen(netd_nft_chain_prefix(k));

		if (c->present && (strncmp(c->name, netd_nft_chain_prefix(k), plen) != 0 ||
		                   strcmp(c->name + plen, x->network) != 0)) {
			netd_diag_set(diag, "nft: chain %s is not %s%s", c->name,
			              netd_nft_chain_prefix(k), x->network);
			return -EINVAL;
		}
	}
	return 0;
}

static bool has_inet(const struct netd_nft_net *x)
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		if (x->chains[k].present)
			return true;
	return false;
}

static int read_tables(struct netd_nft *nft, const struct nft_snapshot **s, struct netd_diag *diag)
{
	int ret;

	/* A write is built on the tables as they are now, held or not. */
	nft->hold_checked = false;
	ret = nft_snapshot_get(nft, s);

	if (ret < 0)
		netd_diag_set(diag, "nft: reading tables inet and bridge %s: %s", NETD_NFT_TABLE,
		              strerror(-ret));
	return ret;
}

/* Table inet netd as x wants the network's part of it, whatever the kernel had of it. */
static int put_inet(struct nft_batch *b, const struct nft_ktable *t, const struct netd_nft_net *x,
                    char names[][NETD_NFT_CHAIN_MAX])
{
	struct nft_want_elem want[NFT_WANT_ELEMS_MAX];
	size_t n_want = nft_want_elems(x, want);
	int ret;

	ret = nft_put_frame(b, t, &nft_inet_frame);
	if (!ret && x->n_fwds)
		ret = nft_put_frame(b, t, &nft_fwd_frame);
	if (!ret)
		ret = put_stale_elems(b, t, x, names);
	if (!ret)
		ret = put_network_chains(b, x);
	/* A chain of an earlier shape of the network (post_ of a former nat) goes; its map
	 * element went above, so nothing jumps to it any more. */
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
		if (x->chains[k].present || !nft_snap_chain(t, names[k]))
			continue;
		ret = nft_put_flush(b, names[k]);
		if (!ret)
			ret = nft_put_chain(b, NFT_MSG_DELCHAIN, names[k]);
	}
	for (size_t i = 0; i < n_want && !ret; i++)
		ret = nft_put_elem(b, NFT_MSG_NEWSETELEM, nft_maps[want[i].map].name, &want[i].e);
	return ret ? ret : nft_put_forwards(b, t, x, x->network);
}

/* The network's part of table inet netd gone: the table itself with the last network. */
static int put_inet_remove(struct nft_batch *b, const struct nft_ktable *t,
                           char names[][NETD_NFT_CHAIN_MAX])
{
	size_t mine = 0;
	int ret;

	/* Counted by lookups, not by a walk over every network's chains. */
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		mine += nft_snap_chain(t, names[k]) != NULL;
	if (mine == 0)
		return 0;
	if (t->n_chains == mine + base_chains(t)) /* no other chain: the last network */
		return nft_put_del_table(b);
	ret = put_stale_elems(b, t, NULL, names);
	if (!ret)
		ret = nft_put_forwards(b, t, NULL, names[NETD_NFT_CHAIN_IN] + strlen("in_"));
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
		if (!nft_snap_chain(t, names[k]))
			continue;
		ret = nft_put_flush(b, names[k]);
		if (!ret)
			ret = nft_put_chain(b, NFT_MSG_DELCHAIN, names[k]);
	}
	return ret;
}

/* One batch: the network as x wants it in both tables, or (x NULL) gone from both. A network
 * that needs no inet rules (bridged) has none there: whatever an earlier mode left goes,
 * exactly as on `down`; the same for ports it no longer binds. This is also the repair of
 * whatever verification found. */
static int commit_net(struct netd_nft *nft, const struct netd_nft_net *x, const char *network,
                      struct netd_diag *diag)
{
	char names[NETD_NFT_CHAIN_KINDS][NETD_NFT_CHAIN_MAX];
	bool inet = x && has_inet(x);
	const struct nft_snapshot *s;
	struct nft_batch b = {0};
	int ret;

	chain_names(network, names);
	ret = read_tables(nft, &s, diag);
	if (ret == 0)
		ret = nft_batch_init(nft, &b);
	if (ret < 0)
		goto out;
	ret = inet ? put_inet(&b, &s->inet, x, names) : put_inet_remove(&b, &s->inet, names);
	if (!ret)
		ret = x && x->n_ports ? nft_put_ports(&b, &s->bridge, x, NULL)
		                      : nft_put_ports_remove(&b, &s->bridge, network, NULL);
	if (ret < 0 && !b.err)
		b.err = ret;
	/* Nothing queued (an absent network): nothing sent. */
	ret = nft_batch_commit(&b, diag);
out:
	nft_batch_release(&b);
	return ret;
}

int netd_nft_apply_net(struct netd_nft *nft, const struct netd_nft_net *x, struct netd_diag *diag)
{
	int ret = check_names(x, diag);

	return ret < 0 ? ret : commit_net(nft, x, x->network, diag);
}

int netd_nft_remove_net(struct netd_nft *nft, const char *network, struct netd_diag *diag)
{
	if (!netd_netname_valid(network)) {
		netd_diag_set(diag, "nft: invalid network name \"%s\"", network);
		return -EINVAL;
	}
	return commit_net(nft, NULL, network, diag);
}
