/* The model's IPv6 prefix helpers: containment, overlap, text (parsing is model.c's, with
 * IPv4's). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/model.h"

static struct in6_addr masked(const struct in6_addr *a, unsigned len)
{
	struct in6_addr r = *a;

	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		if (bits < 8)
			r.s6_addr[i] &= (uint8_t)(0xff00u >> bits);
	}
	return r;
}

struct in6_addr netd_prefix6_network(const struct netd_prefix6 *p)
{
	return masked(&p->addr, p->len);
}

bool netd_prefix6_contains(const struct netd_prefix6 *p, const struct in6_addr *a)
{
	struct in6_addr x = masked(a, p->len), net = masked(&p->addr, p->len);

	return memcmp(&x, &net, sizeof(x)) == 0;
}

bool netd_prefix6_overlaps(const struct netd_prefix6 *a, const struct netd_prefix6 *b)
{
	/* Two prefixes overlap when the shorter one contains the other's network. */
	const struct netd_prefix6 *wide = a->len <= b->len ? a : b;
	const struct netd_prefix6 *narrow = wide == a ? b : a;

	return netd_prefix6_contains(wide, &narrow->addr);
}

char *netd_prefix6_format(const struct netd_prefix6 *p, bool network_only, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	struct in6_addr a = network_only ? netd_prefix6_network(p) : p->addr;

	inet_ntop(AF_INET6, &a, ip, sizeof(ip));
	snprintf(buf, len, "%s/%u", ip, p->len);
	return buf;
}
