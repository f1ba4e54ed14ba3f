/*
 * The upstream DNS servers every network's dnsmasq forwards to, as a dnsmasq servers-file,
 * from the host's resolv.conf: pure text. netd reads resolv.conf once for all networks and
 * dnsmasq rereads this file on SIGHUP, so no dnsmasq watches resolv.conf itself (kernel
 * side: netd/engine/upstream.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/dnsmasq.h"

#define SPACE " \t\r"

/* One nameserver token as dnsmasq's own resolv.conf reader takes it: an IPv4 address, or an
 * IPv6 address with an optional %interface scope. Anything else is not a server. */
static bool server_ok(const char *tok)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *scope = strchr(tok, '%');
	size_t len = scope ? (size_t)(scope - tok) : strlen(tok);
	unsigned char buf[sizeof(struct in6_addr)];

	if (len == 0 || len >= sizeof(addr))
		return false;
	memcpy(addr, tok, len);
	addr[len] = '\0';
	if (!scope)
		return inet_pton(AF_INET, addr, buf) == 1 || inet_pton(AF_INET6, addr, buf) == 1;
	/* The scope lands in a config line: an interface name and nothing else. */
	return inet_pton(AF_INET6, addr, buf) == 1 && netd_ifname_valid(scope + 1);
}

/* The address of a "nameserver ADDR ..." line, NUL-terminated in place; NULL for any other
 * line. */
static char *nameserver_of(char *line)
{
	char *save = NULL, *key = strtok_r(line, SPACE, &save), *tok;

	if (!key || strcmp(key, "nameserver") != 0)
		return NULL;
	tok = strtok_r(NULL, SPACE, &save);
	return tok && server_ok(tok) ? tok : NULL;
}

int netd_dnsmasq_render_servers(const char *resolv_text, char **out)
{
	char *copy = NULL, *text = NULL, *line, *next;
	size_t len = 0;
	FILE *f;
	int ret = -ENOMEM;

	copy = strdup(resolv_text ? resolv_text : "");
	f = copy ? open_memstream(&text, &len) : NULL;
	if (!f)
		goto out;
	for (line = copy; line; line = next) {
		char *addr;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		addr = nameserver_of(line);
		if (addr)
			fprintf(f, "server=%s\n", addr);
	}
	ret = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) != 0)
		ret = -ENOMEM;
	if (ret == 0) {
		*out = text;
		text = NULL;
	}
out:
	free(text);
	free(copy);
	return ret;
}
