/*
 * Table inet netd against what one network wants, by content: its base chains and maps
 * (nft_frame.c), every rule of the network's chains in order, its elements in every map as
 * sets; then its ports in table bridge netd (nft_verify_ports.c). Only facts come out: what
 * differs, as text (nft_drift.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* nft_priv.h (netinet/in.h) before the kernel headers, or they clash */
#include "nft_priv.h"

#include <linux/netfilter/nf_tables.h>

/* ---- the network's chains ---- */

static int check_chains(struct nft_report *r, const struct nft_ktable *t,
                        const struct netd_nft_net *x, bool *present)
{
	char name[NETD_NFT_CHAIN_MAX];
	int ret = 0;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
		snprintf(name, sizeof(name), "%s%s", netd_nft_chain_prefix(k), x->network);
		*present |= nft_snap_chain(t, name) != NULL;
		if (x->chains[k].present)
			ret = nft_check_chain(r, t, NFPROTO_INET, &x->chains[k]);
		else if (nft_snap_chain(t, name))
			nft_note(r, NFT_G_CHAINS, "%s: chain not wanted", name);
	}
	return ret;
}

/* ---- the network's elements ---- */

/* Keys of one length compare as byte strings (numbers are in network byte order): do the
 * two elements' keys or intervals share a key? */
static bool keys_meet(const struct nft_elem *a, const struct nft_elem *b)
{
	uint32_t len = a->key_len;

	if (len != b->key_len)
		return false;
	return (b->has_end ? memcmp(a->key, b->key_end, len) < 0
	                   : memcmp(a->key, b->key, len) <= 0) &&
	       (a->has_end ? memcmp(b->key, a->key_end, len) < 0
	                   : memcmp(b->key, a->key, len) <= 0);
}

bool nft_elem_concerns(const struct nft_elem *e, const struct nft_want_elem *want, size_t n_want,
                       const char *map, char names[][NETD_NFT_CHAIN_MAX])
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		if (strcmp(e->chain, names[k]) == 0)
			return true;
	/* Another network's element is that network's, whatever its key. */
	if (e->chain[0] && nft_chain_network(e->chain, NULL))
		return false;
	for (size_t i = 0; i < n_want; i++)
		if (strcmp(nft_maps[want[i].map].name, map) == 0 && keys_meet(e, &want[i].e))
			return true;
	return false;
}

/* The elements of set that may be the network's business, by position (*v, the caller's to
 * free): those that jump to one of its chains, and those whose key meets one it wants in this
 * set. Found through the set's index, not by a walk over every network's elements:
 * nft_elem_concerns() is true of none but these. */
int nft_elem_candidates(const struct nft_kset *set, const struct nft_want_elem *want, size_t n_want,
                        char names[][NETD_NFT_CHAIN_MAX], size_t **v, size_t *n)
{
	size_t cap = 0;
	int ret = 0;

	*n = 0;
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++)
		ret = nft_set_jumping(set, names[k], false, v, n, &cap);
	for (size_t w = 0; w < n_want && !ret; w++)
		if (strcmp(nft_maps[want[w].map].name, set->name) == 0)
			ret = nft_set_meeting(set, &want[w].e, v, n, &cap);
	*n = nft_positions_sorted(*v, *n);
	return ret;
}

/* In set, the network's business that it does not want: foreign, in the set's order. */
static int check_foreign(struct nft_report *r, const struct nft_kset *set,
                         const struct nft_want_elem *want, size_t n_want,
                         char names[][NETD_NFT_CHAIN_MAX])
{
	char key[2 * NFT_KEY_MAX + 8];
	size_t *v = NULL, n = 0;
	int ret = nft_elem_candidates(set, want, n_want, names, &v, &n);

	for (size_t c = 0; c < n && !ret; c++) {
		const struct nft_elem *e = &set->elems[v[c]];
		bool wanted_key = false;

		for (size_t w = 0; w < n_want && !wanted_key; w++)
			wanted_key = strcmp(nft_maps[want[w].map].name, set->name) == 0 &&
			             nft_elem_same_key(e, &want[w].e);
		if (wanted_key || !nft_elem_concerns(e, want, n_want, set->name, names))
			continue;
		nft_elem_key_text(e, set->key_type, key, sizeof(key));
		nft_note(r, NFT_G_ELEMS, "%s: %s foreign", set->name, key);
	}
	free(v);
	return ret;
}

static int check_elems(struct nft_report *r, const struct nft_ktable *s,
                       const struct netd_nft_net *x)
{
	struct nft_want_elem want[NFT_WANT_ELEMS_MAX];
	char names[NETD_NFT_CHAIN_KINDS][NETD_NFT_CHAIN_MAX];
	size_t n_want = nft_want_elems(x, want);
	char key[2 * NFT_KEY_MAX + 8];
	int ret = 0;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		snprintf(names[k], sizeof(names[k]), "%s%s", netd_nft_chain_prefix(k), x->network);
	for (size_t i = 0; i < n_want; i++) {
		const char *map = nft_maps[want[i].map].name;
		const struct nft_elem *have = nft_set_find_key(nft_snap_set(s, map), &want[i].e);

		nft_elem_key_text(&want[i].e, nft_maps[want[i].map].key_type, key, sizeof(key));
		if (!have)
			nft_note(r, NFT_G_ELEMS, "%s: %s missing", map, key);
		else if (!nft_elem_same(have, &want[i].e))
			nft_note(r, NFT_G_ELEMS, "%s: %s changed", map, key);
	}
	for (size_t m = 0; m < s->n_sets && !ret; m++)
		ret = check_foreign(r, &s->sets[m], want, n_want, names);
	return ret;
}

/* Table inet netd: its frame matters only to a network that has rules in it. */
static int verify_inet(struct nft_report *r, const struct nft_ktable *t,
                       const struct netd_nft_net *x, bool *present)
{
	bool any = false;
	int ret = 0;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		any |= x->chains[k].present;
	if (!t->exists) {
		if (any)
			nft_note(r, NFT_G_TABLE, "table inet %s missing", NETD_NFT_TABLE);
		return 0;
	}
	if (any)
		ret = nft_check_frame(r, t, &nft_inet_frame);
	if (!ret && x->n_fwds)
		ret = nft_check_frame(r, t, &nft_fwd_frame);
	if (!ret)
		ret = check_chains(r, t, x, present);
	if (!ret)
		ret = check_elems(r, t, x);
	return ret ? ret : nft_check_forwards(r, t, x);
}

int netd_nft_verify_net(struct netd_nft *nft, const struct netd_nft_net *x,
                        struct netd_nft_drift *out)
{
	const struct nft_snapshot *s;
	struct nft_report *r;
	uint64_t key;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!netd_netname_valid(x->network))
		return -EINVAL;
	ret = nft_snapshot_get(nft, &s);
	if (ret < 0)
		return ret;
	key = nft_vcache_key(x);
	if (nft_vcache_get(&nft->vcache, x->network, s->gen, key, out)) {
		nft->vcache.remembered++;
		return 0;
	}
	nft->vcache.computed++;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	ret = verify_inet(r, &s->inet, x, &out->present);
	if (!ret)
		ret = nft_verify_ports(r, &s->bridge, x, &out->present);
	if (!ret) {
		out->n = r->n;
		nft_report_join(r, out->what, sizeof(out->what));
		/* Out of memory here costs only the next call's time: compared again. */
		(void)nft_vcache_put(&nft->vcache, x->network, s->gen, key, out);
	}
	free(r);
	return ret;
}
