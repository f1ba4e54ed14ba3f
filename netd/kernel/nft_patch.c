/*
 * The snapshot following netd's own batch. Reading tables inet and bridge netd again whole
 * after each change would make every `up` and `down` cost what all the networks' rules and
 * elements weigh. A batch knows what it changes (nft_batch.c notes it): when the ruleset's
 * generation moved by that batch alone, the chains it touched are read again by name (a get of
 * the chain, a dump of its rules that the kernel filters to it) and the elements it added or
 * deleted are put in or taken out of the snapshot's sets as sent, so the snapshot is the one
 * a whole read would give, at a cost in the network's own objects. Anything else (a table or
 * map made or deleted, another writer between, a read that fails) leaves the snapshot to be
 * read again whole.
 *
 * The generation moves by one on each commit that changes something; a batch that changed
 * nothing leaves it where it was. A change of another writer between the check before the
 * batch and the one after shows as a second step (or more), and then nothing is trusted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nft_priv.h"

static struct nft_ktable *table_of(struct nft_snapshot *s, uint8_t family)
{
	return family == NFPROTO_BRIDGE ? &s->bridge : &s->inet;
}

/* The position of name in t's chains (sorted by name), or where it would go; *found. */
static size_t chain_pos(const struct nft_ktable *t, const char *name, bool *found)
{
	size_t lo = 0, hi = t->n_chains;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->chains[mid].name, name);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static void chain_free_rules(struct nft_kchain *k)
{
	for (size_t r = 0; r < k->n_rules; r++)
		free(k->rules[r]);
	free(k->rules);
	k->rules = NULL;
	k->n_rules = 0;
}

/* Chain name of table <family> as the kernel has it now, in the snapshot's place of it. */
static int follow_chain(struct netd_nft *nft, uint8_t family, const char *name)
{
	struct nft_ktable *t = table_of(&nft->snap, family);
	struct nft_kchain k = {0}, *v;
	bool found;
	size_t pos;
	int ret = nft_chain_read(nft, family, name, &k);

	if (ret < 0)
		return ret;
	pos = chain_pos(t, name, &found);
	if (found)
		chain_free_rules(&t->chains[pos]);
	if (ret == 1 && found) {
		t->chains[pos] = k;
		return 0;
	}
	if (found) { /* gone */
		memmove(&t->chains[pos], &t->chains[pos + 1],
		        (t->n_chains - pos - 1) * sizeof(*t->chains));
		t->n_chains--;
		return 0;
	}
	if (ret == 0)
		return 0;
	v = realloc(t->chains, (t->n_chains + 1) * sizeof(*v));
	if (!v) {
		chain_free_rules(&k);
		return -ENOMEM;
	}
	t->chains = v;
	memmove(&v[pos + 1], &v[pos], (t->n_chains - pos) * sizeof(*v));
	v[pos] = k;
	t->n_chains++;
	return 0;
}

static struct nft_kset *set_of(struct nft_ktable *t, const char *name)
{
	return (struct nft_kset *)nft_snap_set(t, name);
}

/* One element op on the set's elements as the kernel did it: a delete takes the key out, an
 * add puts the element in (a key that was there with the same data stays what it was: the
 * kernel refuses one with other data, and the batch would have failed). The set's index
 * follows each op (nft_index.c), and finds the key. */
static int follow_elem(struct nft_kset *set, const struct nft_elem_op *op)
{
	const struct nft_elem *have = nft_set_find_key(set, &op->e);

	if (op->type == NFT_MSG_DELSETELEM) {
		if (!have)
			return -ESTALE; /* the kernel had it; the snapshot did not */
		return nft_kset_remove(set, (size_t)(have - set->elems));
	}
	return have ? 0 : nft_kset_append(set, &op->e);
}

/* The elements of the ops on set s of table t. */
static int follow_set(struct nft_ktable *t, const struct nft_batch *b, size_t first)
{
	const struct nft_elem_op *op0 = &b->ops[first];
	struct nft_kset *set = set_of(t, op0->set);
	int ret = 0;

	if (!set)
		return -ESTALE;
	for (size_t i = first; i < b->n_ops && !ret; i++)
		if (b->ops[i].family == op0->family && strcmp(b->ops[i].set, op0->set) == 0)
			ret = follow_elem(set, &b->ops[i]);
	return ret;
}

/* Was the chain (or the set) of entry i already seen among entries before it? */
static bool chain_seen(const struct nft_batch *b, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (b->touched[j].family == b->touched[i].family &&
		    strcmp(b->touched[j].chain, b->touched[i].chain) == 0)
			return true;
	return false;
}

static bool set_seen(const struct nft_batch *b, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (b->ops[j].family == b->ops[i].family &&
		    strcmp(b->ops[j].set, b->ops[i].set) == 0)
			return true;
	return false;
}

/* The table and maps the batch makes if missing were all there: it made none. */
static int kept_all(struct netd_nft *nft, const struct nft_batch *b)
{
	for (size_t i = 0; i < b->n_kept; i++) {
		const struct nft_ktable *t = table_of(&nft->snap, b->kept[i].family);

		if (!t->exists || (b->kept[i].chain[0] && !nft_snap_set(t, b->kept[i].chain)))
			return -ESTALE;
	}
	return 0;
}

static uint32_t gen_after(uint32_t gen)
{
	return gen + 1 ? gen + 1 : 1; /* the kernel skips 0 */
}

void nft_snapshot_follow(struct nft_batch *b, uint32_t pre)
{
	struct netd_nft *nft = b->nft;
	uint32_t post = 0;
	int ret = nft_ruleset_gen(nft, &post);

	if (ret == 0 && post != pre && post != gen_after(pre))
		ret = -ESTALE;
	if (ret == 0)
		ret = kept_all(nft, b);
	for (size_t i = 0; i < b->n_touched && !ret; i++)
		if (!chain_seen(b, i))
			ret = follow_chain(nft, b->touched[i].family, b->touched[i].chain);
	for (size_t i = 0; i < b->n_ops && !ret; i++)
		if (!set_seen(b, i))
			ret = follow_set(table_of(&nft->snap, b->ops[i].family), b, i);
	if (ret < 0) {
		nft_snapshot_release(&nft->snap); /* read again whole at the next look */
		return;
	}
	nft->snap.gen = post;
}
