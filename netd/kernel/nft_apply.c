/* Changing table inet netd: one network in or out, each time in one atomic batch, written
 * from what the table holds now (the snapshot of nft_observe.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "nft_priv.h"

static bool is_base_chain(const char *name)
{
	for (int i = 0; i < NFT_BASE_CHAINS; i++)
		if (strcmp(name, nft_base[i].name) == 0)
			return true;
	return false;
}

static bool bad_map(const struct nft_snapshot *s, const char *name)
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		if (strcmp(nft_maps[k].name, name) == 0)
			return !nft_map_def_ok(s, k);
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
static int put_stale_elems(struct nft_batch *b, const struct nft_snapshot *s,
                           const struct netd_nft_net *x, char names[][NETD_NFT_CHAIN_MAX])
{
	struct nft_want_elem want[NFT_WANT_ELEMS_MAX];
	size_t n_want = x ? nft_want_elems(x, want) : 0;
	int ret = 0;

	for (size_t m = 0; m < s->n_sets && !ret; m++) {
		const struct nft_kset *set = &s->sets[m];

		if (x && bad_map(s, set->name))
			continue;
		for (size_t i = 0; i < set->n_elems && !ret; i++) {
			const struct nft_elem *e = &set->elems[i];
			bool keep = false;

			if (!nft_elem_concerns(e, want, n_want, set->name, names))
				continue;
			for (size_t w = 0; w < n_want && !keep; w++)
				keep = strcmp(nft_maps[want[w].map].name, set->name) == 0 &&
				       nft_elem_same(e, &want[w].e);
			if (!keep)
				ret = nft_put_elem(b, NFT_MSG_DELSETELEM, set->name, e);
		}
	}
	return ret;
}

/*
 * A base chain on the wrong hook, or a map defined otherwise, cannot be changed in place:
 * both go, to be made again by nft_put_base in the same batch. A map's rules (the base
 * chains' dispatch) go first; they are added again too.
 */
static int put_unfit_frame(struct nft_batch *b, const struct nft_snapshot *s)
{
	bool maps_bad = false;
	int ret = 0;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		maps_bad |= !nft_map_def_ok(s, k);
	for (int i = 0; i < NFT_BASE_CHAINS && !ret; i++) {
		bool unfit = !nft_base_chain_hooked(s, i);

		if (!nft_snap_chain(s, nft_base[i].name) || (!unfit && !maps_bad))
			continue;
		ret = nft_put_flush(b, nft_base[i].name);
		if (!ret && unfit)
			ret = nft_put_chain(b, NFT_MSG_DELCHAIN, nft_base[i].name);
	}
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++)
		if (!nft_map_def_ok(s, k))
			ret = nft_put_del_map(b, k);
	return ret;
}

static int put_network_chains(struct nft_batch *b, const struct netd_nft_net *x)
{
	char comment[64];
	int ret = 0;

	snprintf(comment, sizeof(comment), "%s%s", NFT_DIGEST_PREFIX, x->digest);
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
		const struct netd_nft_chain *c = &x->chains[k];

		if (!c->present)
			continue;
		ret = nft_put_chain(b, NFT_MSG_NEWCHAIN, c->name);
		if (!ret)
			ret = nft_put_flush(b, c->name);
		/* The digest rides on the first rule as a label for whoever reads `nft list`:
		 * nothing trusts it, the rules themselves are compared. */
		for (size_t i = 0; i < c->n_rules && !ret; i++)
			ret = nft_put_rule(b, c->name, i, &c->rules[i], i == 0 ? comment : NULL);
	}
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

static int read_table(struct netd_nft *nft, const struct nft_snapshot **s, struct netd_diag *diag)
{
	int ret = nft_snapshot_get(nft, s);

	if (ret < 0)
		netd_diag_set(diag, "nft: reading table inet %s: %s", NETD_NFT_TABLE,
		              strerror(-ret));
	return ret;
}

static int put_net(struct nft_batch *b, const struct nft_snapshot *s, const struct netd_nft_net *x,
                   char names[][NETD_NFT_CHAIN_MAX])
{
	struct nft_want_elem want[NFT_WANT_ELEMS_MAX];
	size_t n_want = nft_want_elems(x, want);
	int ret = 0;

	if (s->table)
		ret = put_unfit_frame(b, s);
	if (!ret)
		ret = nft_put_base(b);
	if (!ret)
		ret = put_stale_elems(b, s, x, names);
	if (!ret)
		ret = put_network_chains(b, x);
	/* A chain of an earlier shape of the network (post_ of a former nat) goes; its map
	 * element went above, so nothing jumps to it any more. */
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
		if (x->chains[k].present || !nft_snap_chain(s, names[k]))
			continue;
		ret = nft_put_flush(b, names[k]);
		if (!ret)
			ret = nft_put_chain(b, NFT_MSG_DELCHAIN, names[k]);
	}
	for (size_t i = 0; i < n_want && !ret; i++)
		ret = nft_put_elem(b, NFT_MSG_NEWSETELEM, nft_maps[want[i].map].name, &want[i].e);
	return ret;
}

int netd_nft_apply_net(struct netd_nft *nft, const struct netd_nft_net *x, struct netd_diag *diag)
{
	char names[NETD_NFT_CHAIN_KINDS][NETD_NFT_CHAIN_MAX];
	const struct nft_snapshot *s;
	struct nft_batch b = {0};
	bool any = false;
	int ret;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		any |= x->chains[k].present;
	/* A network that needs no rules (bridged) has none: whatever an earlier mode left
	 * goes, exactly as on `down`. */
	if (!any)
		return netd_nft_remove_net(nft, x->network, diag);
	ret = check_names(x, diag);
	if (ret < 0)
		return ret;
	chain_names(x->network, names);
	ret = read_table(nft, &s, diag);
	if (ret < 0)
		return ret;
	ret = nft_batch_init(nft, &b);
	if (!ret)
		ret = put_net(&b, s, x, names);
	if (ret < 0 && !b.err)
		b.err = ret;
	ret = nft_batch_commit(&b, diag);
	nft_batch_release(&b);
	return ret;
}

int netd_nft_remove_net(struct netd_nft *nft, const char *network, struct netd_diag *diag)
{
	char names[NETD_NFT_CHAIN_KINDS][NETD_NFT_CHAIN_MAX];
	const struct nft_snapshot *s;
	struct nft_batch b = {0};
	size_t mine = 0, others = 0;
	int ret;

	if (!netd_netname_valid(network)) {
		netd_diag_set(diag, "nft: invalid network name \"%s\"", network);
		return -EINVAL;
	}
	chain_names(network, names);
	ret = read_table(nft, &s, diag);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < s->n_chains; i++) {
		bool ours = false;

		for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
			ours |= strcmp(s->chains[i].name, names[k]) == 0;
		if (ours)
			mine++;
		else if (!is_base_chain(s->chains[i].name))
			others++;
	}
	if (mine == 0)
		return 0;
	ret = nft_batch_init(nft, &b);
	if (ret < 0)
		goto out;
	if (others == 0) {
		/* The last network: the table goes with everything in it. */
		ret = nft_put_del_table(&b);
	} else {
		ret = put_stale_elems(&b, s, NULL, names);
		for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
			if (!nft_snap_chain(s, names[k]))
				continue;
			ret = nft_put_flush(&b, names[k]);
			if (!ret)
				ret = nft_put_chain(&b, NFT_MSG_DELCHAIN, names[k]);
		}
	}
	if (ret < 0 && !b.err)
		b.err = ret;
	ret = nft_batch_commit(&b, diag);
out:
	nft_batch_release(&b);
	return ret;
}
