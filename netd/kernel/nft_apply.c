/* Changing table inet netd: one network in or out, each time in one atomic batch. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "nft_priv.h"

static bool is_base_chain(const char *name)
{
	for (int i = 0; i < NFT_BASE_CHAINS; i++)
		if (strcmp(name, nft_base_chains[i]) == 0)
			return true;
	return false;
}

static void chain_names(const char *network, char names[][NETD_NFT_CHAIN_MAX])
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		snprintf(names[k], NETD_NFT_CHAIN_MAX, "%s%s", netd_nft_chain_prefix(k), network);
}

static bool same_elem(const struct nft_elem *a, const struct nft_elem *b)
{
	return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0 &&
	       a->has_end == b->has_end &&
	       (!a->has_end || memcmp(a->key_end, b->key_end, 4) == 0) &&
	       strcmp(a->chain, b->chain) == 0;
}

static bool jumps_to_network(const struct nft_elem *e, char names[][NETD_NFT_CHAIN_MAX])
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		if (strcmp(e->chain, names[k]) == 0)
			return true;
	return false;
}

/*
 * Delete the elements that jump to the network's chains, except those equal to what x
 * wants (x NULL: delete them all). Keeping equal elements makes a re-apply a no-op for the
 * maps; a changed key (bridge renamed, subnet moved) goes, and its replacement is added.
 */
static int put_stale_elems(struct nft_batch *b, const struct nft_state *st,
                           const struct netd_nft_net *x, char names[][NETD_NFT_CHAIN_MAX])
{
	struct nft_elem want;
	int ret = 0;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
		bool wanted = x && x->chains[k].present;

		if (wanted)
			nft_wanted_elem(x, k, &want);
		for (size_t i = 0; i < st->n_elems[k] && !ret; i++) {
			const struct nft_elem *e = &st->elems[k][i];

			if (!jumps_to_network(e, names) || (wanted && same_elem(e, &want)))
				continue;
			ret = nft_put_elem(b, NFT_MSG_DELSETELEM, k, e);
		}
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

/* The network's chains in table inet netd (mine) and everyone else's (others). */
static void count_chains(const struct nft_state *st, char names[][NETD_NFT_CHAIN_MAX], size_t *mine,
                         size_t *others)
{
	*mine = *others = 0;
	for (size_t i = 0; i < st->n_chains; i++) {
		bool ours = false;

		for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
			ours |= strcmp(st->chains[i], names[k]) == 0;
		if (ours)
			(*mine)++;
		else if (!is_base_chain(st->chains[i]))
			(*others)++;
	}
}

/* What the batch needs of both tables: the chains, and the maps' elements unless the whole
 * table is to go (the network is the last one in it) or stay untouched. */
static int read_tables(struct netd_nft *nft, bool apply_inet, char names[][NETD_NFT_CHAIN_MAX],
                       struct nft_state *st, struct nft_ports_state *ps, struct netd_diag *diag)
{
	size_t mine, others;
	int ret;

	ret = nft_state_chains(nft, st);
	count_chains(st, names, &mine, &others);
	if (ret == 0 && st->table && (apply_inet || (mine > 0 && others > 0)))
		ret = nft_state_elems(nft, st);
	if (ret < 0) {
		netd_diag_set(diag, "nft: reading table inet %s: %s", NETD_NFT_TABLE,
		              strerror(-ret));
		return ret;
	}
	ret = nft_ports_read(nft, ps);
	if (ret < 0)
		netd_diag_set(diag, "nft: reading table bridge %s: %s", NETD_NFT_TABLE,
		              strerror(-ret));
	return ret;
}

/* Table inet netd as x wants the network's part of it. */
static int put_inet(struct nft_batch *b, const struct nft_state *st, const struct netd_nft_net *x,
                    char names[][NETD_NFT_CHAIN_MAX])
{
	struct nft_elem e;
	int ret;

	ret = nft_put_base(b);
	if (!ret)
		ret = put_stale_elems(b, st, x, names);
	if (!ret)
		ret = put_network_chains(b, x);
	/* A chain of an earlier shape of the network (post_ of a former nat) goes; its map
	 * element went above, so nothing jumps to it any more. */
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
		if (x->chains[k].present || !nft_state_has_chain(st, names[k]))
			continue;
		ret = nft_put_flush(b, names[k]);
		if (!ret)
			ret = nft_put_chain(b, NFT_MSG_DELCHAIN, names[k]);
	}
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
		if (!x->chains[k].present)
			continue;
		nft_wanted_elem(x, k, &e);
		ret = nft_put_elem(b, NFT_MSG_NEWSETELEM, k, &e);
	}
	return ret;
}

/* The network's part of table inet netd gone: the table itself with the last network. */
static int put_inet_remove(struct nft_batch *b, const struct nft_state *st,
                           char names[][NETD_NFT_CHAIN_MAX])
{
	size_t mine, others;
	int ret;

	count_chains(st, names, &mine, &others);
	if (mine == 0)
		return 0;
	if (others == 0)
		return nft_put_del_table(b);
	ret = put_stale_elems(b, st, NULL, names);
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
		if (!nft_state_has_chain(st, names[k]))
			continue;
		ret = nft_put_flush(b, names[k]);
		if (!ret)
			ret = nft_put_chain(b, NFT_MSG_DELCHAIN, names[k]);
	}
	return ret;
}

/* One batch: the network as x wants it in both tables, or (x NULL) gone from both. A network
 * that needs no inet rules (bridged) has none there: whatever an earlier mode left goes,
 * exactly as on `down`; the same for ports it no longer binds. */
static int commit_net(struct netd_nft *nft, const struct netd_nft_net *x, const char *network,
                      struct netd_diag *diag)
{
	char names[NETD_NFT_CHAIN_KINDS][NETD_NFT_CHAIN_MAX];
	bool inet = x && has_inet(x);
	struct nft_ports_state ps = {0};
	struct nft_state st = {0};
	struct nft_batch b = {0};
	int ret;

	chain_names(network, names);
	ret = read_tables(nft, inet, names, &st, &ps, diag);
	if (ret == 0)
		ret = nft_batch_init(nft, &b);
	if (ret < 0)
		goto out;
	ret = inet ? put_inet(&b, &st, x, names) : put_inet_remove(&b, &st, names);
	if (!ret)
		ret = x && x->n_ports ? nft_put_ports(&b, &ps, x, NULL)
		                      : nft_put_ports_remove(&b, &ps, network, NULL);
	if (ret < 0 && !b.err)
		b.err = ret;
	/* Nothing queued (an absent network): nothing sent. */
	ret = nft_batch_commit(&b, diag);
out:
	nft_batch_release(&b);
	nft_state_release(&st);
	nft_ports_release(&ps);
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
