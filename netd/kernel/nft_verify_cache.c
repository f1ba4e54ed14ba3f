/*
 * What netd_nft_verify_net found last, per network. A reconcile pass verifies every network's
 * rules by content, and on a host where nothing changed that is most of an idle pass's work
 * (43 % of netd's CPU at 500 networks under perf: canonical text of every rule, compared).
 * The answer depends only on the snapshot, which is the kernel's tables at its ruleset
 * generation, and on what the network wants: the same generation and the same wants give the
 * same answer. A change by anyone moves the generation (netd's own batches too, whose
 * followed snapshot carries the new one), so nothing stale is ever answered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft_priv.h"

struct nft_vcache_ent {
	char network[NETD_NAME_MAX];
	uint32_t gen;
	uint64_t key;
	struct netd_nft_drift out;
};

/* FNV-1a 64, field by field (no struct padding hashed). */
static void mix(uint64_t *h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ULL;
	}
}

static void mix_str(uint64_t *h, const char *s)
{
	mix(h, s, strlen(s) + 1);
}

/* Everything of x that verify reads: the digests cover the rules' and elements' text, the
 * rest is hashed as it is. */
uint64_t nft_vcache_key(const struct netd_nft_net *x)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	mix_str(&h, x->network);
	mix_str(&h, x->bridge);
	mix_str(&h, x->digest);
	mix(&h, &x->has_subnet, sizeof(x->has_subnet));
	mix(&h, &x->subnet.addr, sizeof(x->subnet.addr));
	mix(&h, &x->subnet.len, sizeof(x->subnet.len));
	mix(&h, &x->has_subnet6, sizeof(x->has_subnet6));
	mix(&h, &x->subnet6.addr, sizeof(x->subnet6.addr));
	mix(&h, &x->subnet6.len, sizeof(x->subnet6.len));
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		mix(&h, &x->chains[k].present, sizeof(x->chains[k].present));
	mix(&h, &x->n_ports, sizeof(x->n_ports));
	for (size_t i = 0; i < x->n_ports; i++) {
		mix_str(&h, x->ports[i].ifname);
		mix_str(&h, x->ports[i].digest);
		mix(&h, &x->ports[i].tunnel, sizeof(x->ports[i].tunnel));
	}
	mix(&h, &x->n_fwds, sizeof(x->n_fwds));
	for (size_t i = 0; i < x->n_fwds; i++) {
		const struct netd_nft_fwd *f = &x->fwds[i];

		mix(&h, &f->proto, sizeof(f->proto));
		mix(&h, &f->host_addr, sizeof(f->host_addr));
		mix(&h, &f->host_port, sizeof(f->host_port));
		mix(&h, &f->guest, sizeof(f->guest));
		mix(&h, &f->guest_port, sizeof(f->guest_port));
	}
	mix(&h, &x->bridge_addr, sizeof(x->bridge_addr));
	mix(&h, &x->route_localnet, sizeof(x->route_localnet));
	return h;
}

/* The entry of network in c (sorted by name), or where it would go; *found. */
static size_t find(const struct nft_vcache *c, const char *network, bool *found)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(c->v[mid]->network, network);

		if (d == 0) {
			*found = true;
			return mid;
		}
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

bool nft_vcache_get(const struct nft_vcache *c, const char *network, uint32_t gen, uint64_t key,
                    struct netd_nft_drift *out)
{
	bool found;
	size_t i = find(c, network, &found);

	if (c->off || !found || c->v[i]->gen != gen || c->v[i]->key != key)
		return false;
	*out = c->v[i]->out;
	return true;
}

void netd_nft_verify_remember(struct netd_nft *nft, bool on)
{
	nft->vcache.off = !on;
}

void netd_nft_verify_counts(const struct netd_nft *nft, uint64_t *remembered, uint64_t *computed)
{
	*remembered = nft->vcache.remembered;
	*computed = nft->vcache.computed;
}

int nft_vcache_put(struct nft_vcache *c, const char *network, uint32_t gen, uint64_t key,
                   const struct netd_nft_drift *out)
{
	bool found;
	size_t i = find(c, network, &found);
	struct nft_vcache_ent *e;

	if (!found) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 64;
			struct nft_vcache_ent **v = realloc(c->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			c->v = v;
			c->cap = cap;
		}
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		snprintf(e->network, sizeof(e->network), "%s", network);
		memmove(&c->v[i + 1], &c->v[i], (c->n - i) * sizeof(*c->v));
		c->v[i] = e;
		c->n++;
	}
	e = c->v[i];
	e->gen = gen;
	e->key = key;
	e->out = *out;
	return 0;
}

void nft_vcache_release(struct nft_vcache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}
