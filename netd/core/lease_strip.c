/*
 * Dropping guests from dnsmasq's lease file, as text. Used when no dnsmasq holds the leases in
 * memory (it is stopped, or never ran), so the file itself is what a guest's lease is. Pure:
 * netd/engine/attach_lease.c reads and writes the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netd/tap.h"

/* A lease line is "<expiry> <mac> <ip> <hostname> <client-id>": the MAC is its second field. */
static bool line_of(const char *line, size_t len, const uint8_t (*macs)[6], size_t n_macs)
{
	const char *sp = memchr(line, ' ', len);
	char m[18];

	if (!sp || (size_t)(sp - line) + 19 > len)
		return false;
	for (size_t i = 0; i < n_macs; i++) {
		netd_mac_format(macs[i], m);
		if (strncasecmp(sp + 1, m, 17) == 0 && sp[18] == ' ')
			return true;
	}
	return false;
}

int netd_leases_strip(const char *text, const uint8_t (*macs)[6], size_t n_macs, char **out,
                      bool *dropped)
{
	size_t len = strlen(text), k = 0;
	char *buf = malloc(len + 1);

	*out = NULL;
	*dropped = false;
	if (!buf)
		return -ENOMEM;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (line_of(p, n, macs, n_macs)) {
			*dropped = true;
		} else {
			memcpy(buf + k, p, n);
			k += n;
		}
		p += n;
	}
	buf[k] = '\0';
	*out = buf;
	return 0;
}
