/* The model's IPv6 address helpers: parsing, containment and overlap of prefixes. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/model.h"

int netd_ipv6_parse(const char *s, struct in6_addr *out)
{
	/* inet_pton takes no zone ("%eth0") and no brackets: a config names no interface. */
	if (!s || inet_pton(AF_INET6, s, out) != 1)
		return -EINVAL;
	return 0;
}

int netd_prefix6_parse(const char *s, struct netd_prefix6 *out)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash;
	char *end;
	long len;

	if (!s || !(slash = strchr(s, '/')) || (size_t)(slash - s) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, slash - s);
	ip[slash - s] = '\0';
	if (!isdigit((unsigned char)slash[1]))
		return -EINVAL;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno || *end || len < 0 || len > 128)
		return -EINVAL;
	if (netd_ipv6_parse(ip, &out->addr) < 0)
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

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
