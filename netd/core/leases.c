/*
 * dnsmasq's lease file: one "expiry mac ip hostname client-id" line per IPv4 lease ("*" for
 * no hostname or client id, expiry 0 for an infinite lease), then, with DHCPv6, a "duid"
 * line and IPv6 leases.
 *
 * A line that does not read as an IPv4 lease on Ethernet is skipped, not an error: dnsmasq
 * rewrites the file in place, so a reader may catch a torn last line, and IPv6 or
 * non-Ethernet leases are no concern of netd's. One odd line must not hide the others.
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

int netd_dnsmasq_leases_parse(const char *text, struct netd_lease **out, size_t *n)
{
	struct netd_lease *v = NULL, l;
	size_t count = 0, cap = 0;
	char *copy, *line, *save = NULL;
	int ret = 0;

	copy = strdup(text ? text : "");
	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (parse_line(line, &l) < 0)
			continue;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct netd_lease *nv = realloc(v, ncap * sizeof(*nv));

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
