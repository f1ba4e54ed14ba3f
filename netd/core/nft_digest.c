/* The digests that tell whether the kernel already holds a network's rules: of the inet
 * chains' text, of each bound port's text, and of a network's set of ports. Pure. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/nft.h"
#include "nft_build_priv.h"

static uint64_t fnv1a64(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ull

void netd_nft_digest(const char *text, size_t len, char out[NETD_NFT_DIGEST_LEN + 1])
{
	snprintf(out, NETD_NFT_DIGEST_LEN + 1, "%016" PRIx64, fnv1a64(FNV_OFFSET, text, len));
}

static int cmp_fact(const void *a, const void *b)
{
	const struct netd_nft_port_fact *x = a, *y = b;
	int c = strcmp(x->chain, y->chain);

	return c ? c : strcmp(x->key, y->key);
}

/* Each fact as a line "chain key digest": a chain without its element, an element keyed by
 * another port, a chain whose first rule lost its digest all give other lines. */
void netd_nft_ports_digest(struct netd_nft_port_fact *v, size_t n,
                           char out[NETD_NFT_DIGEST_LEN + 1])
{
	uint64_t h = FNV_OFFSET;

	out[0] = '\0';
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_fact);
	for (size_t i = 0; i < n; i++) {
		char line[NETD_NFT_CHAIN_MAX + IFNAMSIZ + NETD_NFT_DIGEST_LEN + 4];
		int len =
		    snprintf(line, sizeof(line), "%s %s %s\n", v[i].chain, v[i].key, v[i].digest);

		h = fnv1a64(h, line, (size_t)len);
	}
	snprintf(out, NETD_NFT_DIGEST_LEN + 1, "%016" PRIx64, h);
}

int nft_render_digest(const struct netd_nft_net *x, const struct netd_nft_port *p,
                      char out[NETD_NFT_DIGEST_LEN + 1])
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	ret = p ? netd_nft_render_port(p, f) : netd_nft_render_inet(x, f);
	if (fclose(f) != 0 && ret == 0)
		ret = -ENOMEM;
	if (ret == 0)
		netd_nft_digest(text, len, out);
	free(text);
	return ret;
}
