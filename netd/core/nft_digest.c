/* The digests a network's rules carry as labels (never trusted for "in place": the kernel's
 * rules are compared by content): of the inet chains' text, and of each bound port's text.
 * Pure. */
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
