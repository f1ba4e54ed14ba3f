/*
 * What differs between the kernel's tables and what a network wants, as text: the report a
 * verification fills in (nft_verify.c, nft_verify_ports.c, nft_frame.c), and a chain's rules
 * against the wanted ones. The wanted rules are built by the code that writes them to the
 * batch (nft_expr.c) and printed by the printer that prints the kernel's (nft_rule_canon), so
 * a rule is in place exactly when the kernel sends back what the batch would send.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft_priv.h"

void nft_note(struct nft_report *r, enum nft_drift_group g, const char *fmt, ...)
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

void nft_report_join(const struct nft_report *r, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (int g = 0; g < NFT_G_COUNT; g++) {
		if (!r->text[g][0] || off >= len)
			continue;
		off += snprintf(out + off, len - off, "%s%s", off ? "; " : "", r->text[g]);
	}
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

static void note_rules(struct nft_report *r, enum nft_drift_group g, const char *chain,
                       const struct rule_diff *d)
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
		nft_note(r, g, "%s: %s", chain, text);
}

int nft_wanted_add(struct nft_wanted *w, struct nftnl_rule *r, int err)
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

void nft_wanted_release(struct nft_wanted *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->text[i]);
	free(w->text);
	memset(w, 0, sizeof(*w));
}

int nft_check_rules(struct nft_report *r, enum nft_drift_group g, const struct nft_kchain *k,
                    const struct nft_wanted *w)
{
	struct rule_diff d = {0};
	int ret = diff_rules(w->text, w->n, k->rules, k->n_rules, &d);

	if (ret == 0)
		note_rules(r, g, k->name, &d);
	return ret;
}

int nft_check_chain(struct nft_report *r, const struct nft_ktable *t, uint8_t family,
                    const struct netd_nft_chain *c)
{
	const struct nft_kchain *k = nft_snap_chain(t, c->name);
	struct nft_wanted w = {0};
	int ret = 0;

	if (!k) {
		nft_note(r, NFT_G_CHAINS, "%s: chain missing", c->name);
		return 0;
	}
	for (size_t i = 0; i < c->n_rules && !ret; i++) {
		int err = 0;
		struct nftnl_rule *rule = nft_rule_build(family, c->name, &c->rules[i], NULL, &err);

		ret = nft_wanted_add(&w, rule, err);
	}
	if (!ret)
		ret = nft_check_rules(r, NFT_G_CHAINS, k, &w);
	nft_wanted_release(&w);
	return ret;
}
