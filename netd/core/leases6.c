/*
 * The DHCPv6 part of dnsmasq's lease file (issue 10): after the "duid <server's DUID>" line,
 * one "expiry iaid address hostname client-duid" line per IPv6 lease. The guest's MAC is
 * read from its DUID where the DUID carries one (DUID-LLT and DUID-LL on Ethernet, RFC 8415
 * 11.2 and 11.4): that is how dnsmasq matches a [Host] MAC= to a DHCPv6 client too.
 * Like leases.c, a line that does not read is skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/dnsmasq.h"

/* "00:03:00:01:52:54:00:12:34:56" (DUID-LL) or "00:01:00:01:<4 time bytes>:<mac>" (LLT). */
static bool mac_of_duid(const char *duid, uint8_t mac[6])
{
	uint8_t b[14];
	size_t n = 0;
	const char *c = duid;
	char *end;

	/* hex bytes separated by ':' */
	while (*c && n < sizeof(b)) {
		unsigned long v = strtoul(c, &end, 16);

		if (end - c != 2 || v > 0xff)
			return false;
		b[n++] = (uint8_t)v;
		c = *end == ':' ? end + 1 : end;
		if (*end && *end != ':')
			return false;
	}
	if (*c || b[2] != 0 || b[3] != 1) /* hardware type 1: Ethernet */
		return false;
	if (n == 10 && b[0] == 0 && b[1] == 3) {
		memcpy(mac, b + 4, 6);
		return true;
	}
	if (n == 14 && b[0] == 0 && b[1] == 1) {
		memcpy(mac, b + 8, 6);
		return true;
	}
	return false;
}

static int parse_line6(char *line, struct netd_lease6 *l)
{
	char *f[5], *save = NULL, *end;
	unsigned long long expiry;
	int n = 0;

	for (char *t = strtok_r(line, " \t\r", &save); t && n < 5;
	     t = strtok_r(NULL, " \t\r", &save))
		f[n++] = t;
	if (n != 5)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	errno = 0;
	expiry = strtoull(f[0], &end, 10);
	if (errno || *end || f[0][0] < '0' || f[0][0] > '9')
		return -EINVAL;
	l->expiry = (time_t)expiry;
	l->iaid = (uint32_t)strtoul(f[1], &end, 10);
	if (*end || inet_pton(AF_INET6, f[2], &l->addr) != 1)
		return -EINVAL;
	if (strcmp(f[3], "*") != 0 && strlen(f[3]) < sizeof(l->hostname))
		strcpy(l->hostname, f[3]);
	if (strlen(f[4]) >= sizeof(l->duid))
		return -EINVAL;
	strcpy(l->duid, f[4]);
	l->has_mac = mac_of_duid(l->duid, l->mac);
	return 0;
}

int netd_dnsmasq_leases6_parse(const char *text, struct netd_lease6 **out, size_t *n)
{
	struct netd_lease6 *v = NULL, l;
	size_t count = 0, cap = 0;
	char *copy, *line, *save = NULL;
	bool in6 = false;
	int ret = 0;

	copy = strdup(text ? text : "");
	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "duid ", 5) == 0) {
			in6 = true;
			continue;
		}
		if (!in6 || parse_line6(line, &l) < 0)
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct netd_lease6 *nv = realloc(v, ncap * sizeof(*nv));

			if (!nv) {
				ret = -ENOMEM;
				goto out;
			}
			v = nv;
			cap = ncap;
		}
		v[count++] = l;
	}
	*out = v;
	*n = count;
	v = NULL;
out:
	free(v);
	free(copy);
	return ret;
}
