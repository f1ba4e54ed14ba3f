/* The guests of a network's taps as its rules bind them (GuestSourceCheck). Pure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/nft.h"
#include "netd/tap.h"

int netd_tap_nft_build(const struct netd_network *n, const struct netd_tap_state *s,
                       struct netd_nft_net **out)
{
	size_t count = s ? s->n : 0;
	struct netd_nft_guest *g = calloc(count + 1, sizeof(*g));
	int ret;

	*out = NULL;
	if (!g)
		return -ENOMEM;
	/* Every record, declared ones too: netd_nft_net_build_guests() takes a [Tap]'s guest
	 * from the config, which is what the record of it becomes at the next sync. */
	for (size_t i = 0; i < count; i++) {
		snprintf(g[i].port, sizeof(g[i].port), "%s", s->v[i].tap);
		memcpy(g[i].mac, s->v[i].mac, 6);
		g[i].addr = s->v[i].addr;
		g[i].addr6 = s->v[i].addr6;
	}
	ret = netd_nft_net_build_guests(n, g, count, out);
	free(g);
	return ret;
}
