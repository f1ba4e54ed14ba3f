/* The pure helpers of netd/dns.h: record type names and the shape of a DNS name. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "netd/dns.h"

static const char *const type_names[NETD_DNS_TYPES] = {
    [NETD_DNS_A] = "A",     [NETD_DNS_AAAA] = "AAAA", [NETD_DNS_CNAME] = "CNAME",
    [NETD_DNS_SRV] = "SRV", [NETD_DNS_TXT] = "TXT",   [NETD_DNS_PTR] = "PTR",
};

const char *netd_dns_type_to_string(enum netd_dns_type t)
{
	return (unsigned)t < NETD_DNS_TYPES ? type_names[t] : NULL;
}

int netd_dns_type_from_string(const char *s)
{
	for (int t = 0; t < NETD_DNS_TYPES; t++)
		if (strcasecmp(s, type_names[t]) == 0)
			return t;
	return -EINVAL;
}

bool netd_dns_name_valid(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		/* '-' may not start or end a label of a host name; '_' is for SRV's labels. */
		if (!isalnum(c) && c != '-' && c != '_')
			return false;
		if (c == '-' && (label == 0 || i + 1 == len || s[i + 1] == '.'))
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}
