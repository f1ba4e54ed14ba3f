/*
 * dnsmasq's lease file: one "expiry mac ip hostname client-id" line per IPv4 lease ("*" for
 * no hostname or client id, expiry 0 for an infinite lease), then, with DHCPv6, a "duid"
 * line and IPv6 leases.
 *
 * The DHCPv6 leases (issue 10) come after the "duid <server's DUID>" line, one "expiry iaid
 * address hostname client-duid" each; the guest's MAC is read from its DUID where the DUID
 * carries one (DUID-LLT and DUID-LL on Ethernet, RFC 8415 11.2 and 11.4), which is how
 * dnsmasq matches a [Host] MAC= to a DHCPv6 client too.
 *
 * A line that does not read as an IPv4 lease on Ethernet is skipped, not an error: dnsmasq
 * rewrites the file in place, so a reader may catch a torn last line, and non-Ethernet leases
 * are no concern of netd's. One odd line must not hide the others. The same for IPv6.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netd/dnsmasq.h"

static int parse_line(char *line, struct netd_lease *l)
{
	char *f[6], *save = NULL, *end;
	unsigned long long expiry;
	int n = 0;

	for (char *t = strtok_r(line, " \t\r", &save); t && n < 6;
	     t = strtok_r(NULL, " \t\r", &save))
		f[n++] = t;
	if (n < 4 || n > 5)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	if (f[0][0] < '0' || f[0][0] > '9')
		return -EINVAL;
	errno = 0;
	expiry = strtoull(f[0], &end, 10);
	if (errno || *end)
		return -EINVAL;
	l->expiry = (time_t)expiry;
	if (netd_mac_parse(f[1], l->mac) < 0 || inet_pton(AF_INET, f[2], &l->addr) != 1)
		return -EINVAL;
	if (strcmp(f[3], "*") != 0) {
		if (strlen(f[3]) >= sizeof(l->hostname))
			return -EINVAL;
		strcpy(l->hostname, f[3]);
	}
	if (n == 5 && strcmp(f[4], "*") != 0) {
		if (strlen(f[4]) >= sizeof(l->client_id))
			return -EINVAL;
		strcpy(l->client_id, f[4]);
	}
	return 0;
}

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

/* Each line of text that parse() takes (an element of elem bytes; for v6 only after the
 * "duid" line), into a growing array. */
static int parse_lines(const char *text, bool v6, size_t elem, int (*parse)(char *, void *),
                       void **out, size_t *n)
{
	size_t count = 0, cap = 0;
	char *copy, *line, *save = NULL, *v = NULL, *one;
	bool in6 = false;
	int ret = -ENOMEM;

	copy = strdup(text ? text : "");
	one = malloc(elem);
	if (!copy || !one)
		goto out;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "duid ", 5) == 0) {
			in6 = true;
			continue;
		}
		/* IPv4 leases are read wherever they are, as they always were. */
		if ((v6 && !in6) || parse(line, one) < 0)
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			char *nv = realloc(v, ncap * elem);

			if (!nv)
				goto out;
			v = nv;
			cap = ncap;
		}
		memcpy(v + count++ * elem, one, elem);
	}
	*out = v;
	*n = count;
	v = NULL;
	ret = 0;
out:
	free(v);
	free(one);
	free(copy);
	return ret;
}

static int parse4(char *line, void *l)
{
	return parse_line(line, l);
}

static int parse6(char *line, void *l)
{
	return parse_line6(line, l);
}

int netd_dnsmasq_leases_parse(const char *text, struct netd_lease **out, size_t *n)
{
	return parse_lines(text, false, sizeof(**out), parse4, (void **)out, n);
}

int netd_dnsmasq_leases6_parse(const char *text, struct netd_lease6 **out, size_t *n)
{
	return parse_lines(text, true, sizeof(**out), parse6, (void **)out, n);
}
