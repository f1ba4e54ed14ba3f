/*
 * Lookups in a table as read back (nft_observe.c), in log n: a pass verifies every network
 * against one snapshot, so a walk over all the table's elements or chains per network would
 * make the pass quadratic in the number of networks. Each set's elements are indexed once per
 * snapshot, by key and by the chain they jump to; the chains are sorted by name already.
 *
 * The search by key rests on what the kernel holds: the elements of one set never share a key
 * and an interval set's intervals never overlap (the kernel refuses an element that would), so
 * sorted by their first key they are sorted by their last too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nft_priv.h"

static int cmp_key(const struct nft_elem *a, const struct nft_elem *b)
{
	if (a->key_len != b->key_len)
		return a->key_len < b->key_len ? -1 : 1;
	return memcmp(a->key, b->key, a->key_len);
}

/* Ties (none by key in a kernel's set) by position, so the order is the same every time. */
static int cmp_pos(const struct nft_elem *a, const struct nft_elem *b)
{
	return a < b ? -1 : a > b;
}

static int cmp_by_key(const void *a, const void *b)
{
	const struct nft_elem *x = *(const struct nft_elem *const *)a,
	                      *y = *(const struct nft_elem *const *)b;
	int c = cmp_key(x, y);

	return c ? c : cmp_pos(x, y);
}

static int cmp_by_chain(const void *a, const void *b)
{
	const struct nft_elem *x = *(const struct nft_elem *const *)a,
	                      *y = *(const struct nft_elem *const *)b;
	int c = strcmp(x->chain, y->chain);

	return c ? c : cmp_pos(x, y);
}

/* The first of n positions at which below(v, i, key) is false; below is true of a prefix of
 * the positions and false of the rest. */
static size_t lower_bound(size_t n, bool (*below)(const void *v, size_t i, const void *key),
                          const void *v, const void *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (below(v, mid, key))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int nft_kset_index(struct nft_kset *k)
{
	if (!k->n_elems)
		return 0;
	k->by_key = malloc(k->n_elems * sizeof(*k->by_key));
	k->by_chain = malloc(k->n_elems * sizeof(*k->by_chain));
	if (!k->by_key || !k->by_chain)
		return -ENOMEM; /* the caller releases the table, and these with it */
	for (size_t i = 0; i < k->n_elems; i++)
		k->by_key[i] = k->by_chain[i] = &k->elems[i];
	qsort(k->by_key, k->n_elems, sizeof(*k->by_key), cmp_by_key);
	qsort(k->by_chain, k->n_elems, sizeof(*k->by_chain), cmp_by_chain);
	return 0;
}

/* An index array and its order, for lower_bound. */
struct ordered {
	const struct nft_elem **v;
	int (*cmp)(const void *, const void *);
};

static bool entry_below(const void *o, size_t i, const void *x)
{
	const struct ordered *a = o;

	return a->cmp(&a->v[i], &x) < 0;
}

/* Where x goes in v (n entries, ordered by cmp): after every entry that sorts before it. */
static size_t place_of(const struct nft_elem **v, size_t n, const struct nft_elem *x,
                       int (*cmp)(const void *, const void *))
{
	const struct ordered a = {v, cmp};

	return lower_bound(n, entry_below, &a, x);
}

/* Where x stands in v (n entries, ordered by cmp), or n when it is not there. */
static size_t find(const struct nft_elem **v, size_t n, const struct nft_elem *x,
                   int (*cmp)(const void *, const void *))
{
	size_t at = place_of(v, n, x, cmp);

	return at < n && v[at] == x ? at : n;
}

/* Entry at (x) out of v (n entries); the entries after x in the elements array point one
 * lower, as the elements after it move down. */
static void drop(const struct nft_elem **v, size_t n, size_t at, const struct nft_elem *x)
{
	memmove(&v[at], &v[at + 1], (n - at - 1) * sizeof(*v));
	for (size_t i = 0; i + 1 < n; i++)
		if (v[i] > x)
			v[i]--;
}

/*
 * A delete moves every element after pos down by one and keeps their order, so both orders stay
 * what nft_kset_index would give, ties by position included. O(n) moves and no comparison but
 * the searches: a full index again sorted every element of the set (a thousand networks' worth)
 * at each up and down.
 */
int nft_kset_remove(struct nft_kset *k, size_t pos)
{
	const struct nft_elem *x = &k->elems[pos];
	size_t n = k->n_elems, at_key, at_chain;

	if (!k->by_key)
		return -EINVAL; /* never indexed: nft_kset_index first */
	at_key = find(k->by_key, n, x, cmp_by_key);
	at_chain = find(k->by_chain, n, x, cmp_by_chain);
	if (at_key == n || at_chain == n)
		return -ESTALE; /* not where its order says: rather read the set again */
	drop(k->by_key, n, at_key, x);
	drop(k->by_chain, n, at_chain, x);
	memmove(&k->elems[pos], &k->elems[pos + 1], (n - pos - 1) * sizeof(*k->elems));
	k->n_elems--;
	return 0;
}

/* The new element has the last position, so among equal keys (or chains) it sorts last. The
 * arrays grow before the elements move, and a failure leaves k as it was. */
int nft_kset_append(struct nft_kset *k, const struct nft_elem *e)
{
	size_t n = k->n_elems, *off = NULL;
	const struct nft_elem **by_key, **by_chain;
	struct nft_elem *v;
	int ret = -ENOMEM;

	if (!k->by_key && n > 0)
		return -EINVAL; /* never indexed: nft_kset_index first */
	by_key = realloc(k->by_key, (n + 1) * sizeof(*by_key));
	if (by_key)
		k->by_key = by_key;
	by_chain = by_key ? realloc(k->by_chain, (n + 1) * sizeof(*by_chain)) : NULL;
	if (by_chain)
		k->by_chain = by_chain;
	if (by_chain && n > 0)
		off = malloc(2 * n * sizeof(*off));
	if (!by_chain || (n > 0 && !off))
		goto out;
	/* Positions, not pointers, across the move of the elements. */
	for (size_t i = 0; i < n; i++) {
		off[i] = (size_t)(k->by_key[i] - k->elems);
		off[n + i] = (size_t)(k->by_chain[i] - k->elems);
	}
	v = realloc(k->elems, (n + 1) * sizeof(*v));
	if (!v)
		goto out;
	k->elems = v;
	for (size_t i = 0; i < n; i++) {
		k->by_key[i] = &v[off[i]];
		k->by_chain[i] = &v[off[n + i]];
	}
	v[n] = *e;
	for (int which = 0; which < 2; which++) {
		const struct nft_elem **idx = which ? k->by_chain : k->by_key;
		int (*cmp)(const void *, const void *) = which ? cmp_by_chain : cmp_by_key;
		size_t at = place_of(idx, n, &v[n], cmp);

		memmove(&idx[at + 1], &idx[at], (n - at) * sizeof(*idx));
		idx[at] = &v[n];
	}
	k->n_elems = n + 1;
	ret = 0;
out:
	free(off);
	return ret;
}

bool nft_kset_repeats_key(const struct nft_kset *k)
{
	for (size_t i = 1; i < k->n_elems; i++)
		if (cmp_key(k->by_key[i - 1], k->by_key[i]) == 0)
			return true;
	return false;
}

/* e lies wholly before w's first key (a shorter key sorts first). */
static bool ends_before(const struct nft_elem *e, const struct nft_elem *w)
{
	if (e->key_len != w->key_len)
		return e->key_len < w->key_len;
	return e->has_end ? memcmp(e->key_end, w->key, e->key_len) <= 0
	                  : memcmp(e->key, w->key, e->key_len) < 0;
}

/* e begins after w's last key. */
static bool starts_after(const struct nft_elem *e, const struct nft_elem *w)
{
	if (e->key_len != w->key_len)
		return e->key_len > w->key_len;
	return w->has_end ? memcmp(e->key, w->key_end, e->key_len) >= 0
	                  : memcmp(e->key, w->key, e->key_len) > 0;
}

static bool key_below(const void *v, size_t i, const void *key)
{
	return ends_before(((const struct nft_kset *)v)->by_key[i], key);
}

static bool chain_below(const void *v, size_t i, const void *key)
{
	return strcmp(((const struct nft_kset *)v)->by_chain[i]->chain, key) < 0;
}

static bool name_below(const void *v, size_t i, const void *key)
{
	return strcmp(((const struct nft_ktable *)v)->chains[i].name, key) < 0;
}

/* The first position in by_key whose element does not lie wholly before w. */
static size_t first_not_before(const struct nft_kset *set, const struct nft_elem *w)
{
	return lower_bound(set->n_elems, key_below, set, w);
}

const struct nft_elem *nft_set_find_key(const struct nft_kset *set, const struct nft_elem *e)
{
	if (!set || !set->by_key)
		return NULL;
	for (size_t p = first_not_before(set, e); p < set->n_elems; p++) {
		const struct nft_elem *have = set->by_key[p];

		if (starts_after(have, e))
			break;
		if (nft_elem_same_key(have, e))
			return have;
	}
	return NULL;
}

/* Add i to the list *v of *n (capacity *cap). */
static int push(size_t **v, size_t *n, size_t *cap, size_t i)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 8;
		size_t *p = realloc(*v, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = i;
	return 0;
}

int nft_set_meeting(const struct nft_kset *set, const struct nft_elem *w, size_t **v, size_t *n,
                    size_t *cap)
{
	int ret = 0;

	if (!set || !set->by_key)
		return 0;
	for (size_t p = first_not_before(set, w); p < set->n_elems && !ret; p++) {
		if (starts_after(set->by_key[p], w))
			break;
		ret = push(v, n, cap, (size_t)(set->by_key[p] - set->elems));
	}
	return ret;
}

int nft_set_jumping(const struct nft_kset *set, const char *chain, bool prefix, size_t **v,
                    size_t *n, size_t *cap)
{
	size_t len = strlen(chain);
	int ret = 0;

	if (!set || !set->by_chain)
		return 0;
	for (size_t p = lower_bound(set->n_elems, chain_below, set, chain);
	     p < set->n_elems && !ret; p++) {
		const char *c = set->by_chain[p]->chain;

		if (prefix ? strncmp(c, chain, len) != 0 : strcmp(c, chain) != 0)
			break;
		ret = push(v, n, cap, (size_t)(set->by_chain[p] - set->elems));
	}
	return ret;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

size_t nft_positions_sorted(size_t *v, size_t n)
{
	size_t m = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_size);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || v[m - 1] != v[i])
			v[m++] = v[i];
	return m;
}

size_t nft_snap_chains_from(const struct nft_ktable *t, const char *prefix)
{
	return lower_bound(t->n_chains, name_below, t, prefix);
}
