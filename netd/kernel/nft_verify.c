/*
 * The kernel's table against what one network wants, by content. The wanted rules are built
 * by the code that writes them to the batch (nft_expr.c) and printed by the printer that
 * prints the kernel's (nft_rule_canon), so a rule is in place exactly when the kernel sends
 * back what the batch would send. Only facts come out: what differs, as text.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* nft_priv.h (netinet/in.h) before the kernel headers, or they clash */
#include "nft_priv.h"

#include <linux/netfilter/nf_tables.h>

enum group { G_TABLE, G_CHAINS, G_ELEMS, G_COUNT };

struct report {
	char text[G_COUNT][NETD_NFT_DRIFT_MAX];
	unsigned n;
};

static void note(struct report *r, enum group g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(struct report *r, enum group g, const char *fmt, ...)
{
	size_t len = strlen(r->text[g]);
	va_list ap;

	r->n++;
	if (len)
		len += snprintf(r->text[g] + len, sizeof(r->text[g]) - len, ", ");
	if (len >= sizeof(r->text[g]))
		return;
	va_start(ap, fmt);
	vsnprintf(r->text[g] + len, sizeof(r->text[g]) - len, fmt, ap);
	va_end(ap);
}

/* ---- rules: a chain's list against the wanted one ---- */

struct rule_diff {
	size_t missing, foreign, changed;
};

/* Between two rules both lists share, k wanted ones are not in the kernel and f kernel ones
 * are not wanted: as many as pair up were changed in place, the rest missing or foreign. */
static void settle(struct rule_diff *d, size_t *k, size_t *f)
{
	size_t c = *k < *f ? *k : *f;

	d->changed += c;
	d->missing += *k - c;
	d->foreign += *f - c;
	*k = *f = 0;
}

/* The longest common subsequence keeps the rules that are in place; what is left over on
 * either side is missing, foreign or changed. */
static int diff_rules(char *const *want, size_t n, char *const *have, size_t m, struct rule_diff *d)
{
	size_t w = m + 1, i = 0, j = 0, k = 0, f = 0;
	size_t *lcs = calloc((n + 1) * w, sizeof(*lcs));

	if (!lcs)
		return -ENOMEM;
	for (size_t a = n; a-- > 0;)
		for (size_t b = m; b-- > 0;)
			lcs[a * w + b] =
			    strcmp(want[a], have[b]) == 0
			        ? lcs[(a + 1) * w + b + 1] + 1
			        : (lcs[(a + 1) * w + b] > lcs[a * w + b + 1] ? lcs[(a + 1) * w + b]
			                                                     : lcs[a * w + b + 1]);
	while (i < n || j < m) {
		if (i < n && j < m && strcmp(want[i], have[j]) == 0) {
			settle(d, &k, &f);
			i++, j++;
		} else if (j < m && (i == n || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j])) {
			f++, j++;
		} else {
			k++, i++;
		}
	}
	settle(d, &k, &f);
	free(lcs);
	return 0;
}

static void note_rules(struct report *r, enum group g, const char *chain, const struct rule_diff *d)
{
	char text[160] = "";
	size_t len = 0;

#define PART(count, one, many)                                                                     \
	if (count)                                                                                 \
	len += snprintf(text + len, sizeof(text) - len, "%s%zu %s", len ? ", " : "", count,        \
	                count == 1 ? one : many)
	PART(d->missing, "rule missing", "rules missing");
	PART(d->foreign, "foreign rule", "foreign rules");
	PART(d->changed, "rule changed", "rules changed");
#undef PART
	if (len)
		note(r, g, "%s: %s", chain, text);
}

struct wanted_rules {
	char **text;
	size_t n;
};

static void wanted_release(struct wanted_rules *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->text[i]);
	free(w->text);
	memset(w, 0, sizeof(*w));
}

/* Take r (built for the batch) into w as text; r is freed. */
static int wanted_add(struct wanted_rules *w, struct nftnl_rule *r, int err)
{
	char **v;
	int ret;

	if (!r)
		return err;
	v = realloc(w->text, (w->n + 1) * sizeof(*v));
	if (!v) {
		nftnl_rule_free(r);
		return -ENOMEM;
	}
	w->text = v;
	ret = nft_rule_canon(r, &w->text[w->n]);
	nftnl_rule_free(r);
	if (ret == 0)
		w->n++;
	return ret;
}

static int check_rules(struct report *r, enum group g, const struct nft_kchain *k,
                       const struct wanted_rules *w)
{
	struct rule_diff d = {0};
	int ret = diff_rules(w->text, w->n, k->rules, k->n_rules, &d);

	if (ret == 0)
		note_rules(r, g, k->name, &d);
	return ret;
}

/* ---- the table: base chains and maps ---- */

bool nft_base_chain_hooked(const struct nft_snapshot *s, int i)
{
	const struct nft_kchain *k = nft_snap_chain(s, nft_base[i].name);

	return k && k->hooked && k->hook == nft_base[i].hook && k->prio == nft_base[i].prio &&
	       strcmp(k->type, nft_base[i].type) == 0;
}

bool nft_map_def_ok(const struct nft_snapshot *s, enum netd_nft_chain_kind k)
{
	const struct nft_kset *set = nft_snap_set(s, nft_maps[k].name);
	const struct nft_map_spec *m = &nft_maps[k];

	return !set || (set->flags == m->flags && set->key_type == m->key_type &&
	                set->key_len == m->key_len && set->data_type == m->data_type);
}

static int check_base(struct report *r, const struct nft_snapshot *s, int i)
{
	const struct nft_base_spec *spec = &nft_base[i];
	const struct nft_kchain *k = nft_snap_chain(s, spec->name);
	struct wanted_rules w = {0};
	int ret = 0;

	if (!k) {
		note(r, G_TABLE, "%s: chain missing", spec->name);
		return 0;
	}
	if (!nft_base_chain_hooked(s, i))
		note(r, G_TABLE, "%s: not a %s chain on its hook at priority %d", spec->name,
		     spec->type, spec->prio);
	else if (k->policy != NF_ACCEPT)
		note(r, G_TABLE, "%s: policy %s", spec->name,
		     k->policy == NF_DROP ? "drop" : "other than accept");
	for (size_t n = 0; n < spec->n_rules && !ret; n++) {
		int err = 0;
		struct nftnl_rule *rule = nft_dispatch_build(spec->name, &spec->rules[n], &err);

		ret = wanted_add(&w, rule, err);
	}
	if (!ret)
		ret = check_rules(r, G_TABLE, k, &w);
	wanted_release(&w);
	return ret;
}

static int check_table(struct report *r, const struct nft_snapshot *s)
{
	int ret = 0;

	for (int i = 0; i < NFT_BASE_CHAINS && !ret; i++)
		ret = check_base(r, s, i);
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		if (!nft_snap_set(s, nft_maps[k].name))
			note(r, G_TABLE, "map %s missing", nft_maps[k].name);
		else if (!nft_map_def_ok(s, k))
			note(r, G_TABLE, "map %s: defined otherwise", nft_maps[k].name);
	}
	return ret;
}

/* ---- the network's chains ---- */

static int check_chain(struct report *r, const struct nft_snapshot *s,
                       const struct netd_nft_chain *c)
{
	const struct nft_kchain *k = nft_snap_chain(s, c->name);
	struct wanted_rules w = {0};
	int ret = 0;

	if (!k) {
		note(r, G_CHAINS, "%s: chain missing", c->name);
		return 0;
	}
	for (size_t i = 0; i < c->n_rules && !ret; i++) {
		int err = 0;
		struct nftnl_rule *rule = nft_rule_build(c->name, &c->rules[i], NULL, &err);

		ret = wanted_add(&w, rule, err);
	}
	if (!ret)
		ret = check_rules(r, G_CHAINS, k, &w);
	wanted_release(&w);
	return ret;
}

static int check_chains(struct report *r, const struct nft_snapshot *s,
                        const struct netd_nft_net *x, bool *present)
{
	char name[NETD_NFT_CHAIN_MAX];
	int ret = 0;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS && !ret; k++) {
		snprintf(name, sizeof(name), "%s%s", netd_nft_chain_prefix(k), x->network);
		*present |= nft_snap_chain(s, name) != NULL;
		if (x->chains[k].present)
			ret = check_chain(r, s, &x->chains[k]);
		else if (nft_snap_chain(s, name))
			note(r, G_CHAINS, "%s: chain not wanted", name);
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

static bool same_key(const struct nft_elem *a, const struct nft_elem *b)
{
	return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0 &&
	       a->has_end == b->has_end &&
	       (!a->has_end || memcmp(a->key_end, b->key_end, a->key_len) == 0);
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

static const struct nft_elem *find_key(const struct nft_kset *set, const struct nft_elem *e)
{
	for (size_t i = 0; set && i < set->n_elems; i++)
		if (same_key(&set->elems[i], e))
			return &set->elems[i];
	return NULL;
}

static void check_elems(struct report *r, const struct nft_snapshot *s,
                        const struct netd_nft_net *x)
{
	struct nft_want_elem want[NFT_WANT_ELEMS_MAX];
	char names[NETD_NFT_CHAIN_KINDS][NETD_NFT_CHAIN_MAX];
	size_t n_want = nft_want_elems(x, want);
	char key[2 * NFT_KEY_MAX + 8];

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		snprintf(names[k], sizeof(names[k]), "%s%s", netd_nft_chain_prefix(k), x->network);
	for (size_t i = 0; i < n_want; i++) {
		const char *map = nft_maps[want[i].map].name;
		const struct nft_elem *have = find_key(nft_snap_set(s, map), &want[i].e);

		nft_elem_key_text(&want[i].e, nft_maps[want[i].map].key_type, key, sizeof(key));
		if (!have)
			note(r, G_ELEMS, "%s: %s missing", map, key);
		else if (!nft_elem_same(have, &want[i].e))
			note(r, G_ELEMS, "%s: %s changed", map, key);
	}
	for (size_t m = 0; m < s->n_sets; m++) {
		const struct nft_kset *set = &s->sets[m];

		for (size_t i = 0; i < set->n_elems; i++) {
			const struct nft_elem *e = &set->elems[i];
			bool wanted_key = false;

			for (size_t w = 0; w < n_want && !wanted_key; w++)
				wanted_key = strcmp(nft_maps[want[w].map].name, set->name) == 0 &&
				             same_key(e, &want[w].e);
			if (wanted_key || !nft_elem_concerns(e, want, n_want, set->name, names))
				continue;
			nft_elem_key_text(e, set->key_type, key, sizeof(key));
			note(r, G_ELEMS, "%s: %s foreign", set->name, key);
		}
	}
}

static void join(const struct report *r, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (int g = 0; g < G_COUNT; g++) {
		if (!r->text[g][0] || off >= len)
			continue;
		off += snprintf(out + off, len - off, "%s%s", off ? "; " : "", r->text[g]);
	}
}

int netd_nft_verify_net(struct netd_nft *nft, const struct netd_nft_net *x,
                        struct netd_nft_drift *out)
{
	const struct nft_snapshot *s;
	struct report *r;
	bool any = false;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!netd_netname_valid(x->network))
		return -EINVAL;
	ret = nft_snapshot_get(nft, &s);
	if (ret < 0)
		return ret;
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		any |= x->chains[k].present;
	if (!s->table) {
		if (any) {
			out->n = 1;
			snprintf(out->what, sizeof(out->what), "table inet %s missing",
			         NETD_NFT_TABLE);
		}
		return 0;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	/* The table's frame matters only to a network that has rules in it. */
	if (any)
		ret = check_table(r, s);
	if (!ret)
		ret = check_chains(r, s, x, &out->present);
	if (!ret)
		check_elems(r, s, x);
	if (!ret) {
		out->n = r->n;
		join(r, out->what, sizeof(out->what));
	}
	free(r);
	return ret;
}
