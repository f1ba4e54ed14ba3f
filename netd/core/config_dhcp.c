/*
 * [DHCP]'s options beyond the first range and the lease time: more ranges, Router=, DNS=,
 * NTP=, Option= (numbered or by dnsmasq's name, netd/dns.h's table), BootFile=/NextServer=
 * (PXE, as libvirt's <bootp>). The parsers the key table names, and the rules that need the
 * whole file.
 *
 * Called by the key table (the parsers) and config_parse.c (cfg_check_dhcp_opts()); calls
 * down to config_validate.c (cfg_check_range()), config_values.c and config_diag.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/dns.h"
#include "config_priv.h"

#define LIST_SEP " \t,"

/* Range=: the first into dhcp_first/last (line_range), each further one into dhcp.ranges. */
int cfg_parse_ranges(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	struct netd_network *n = obj;
	struct in_addr first = n->dhcp_first, last = n->dhcp_last;
	struct netd_dhcp_range *r;

	if (!n->line_range) {
		if (cfg_parse_range(p, k, v, obj) < 0)
			return p->err;
		n->line_range = p->line;
		return 0;
	}
	if (n->dhcp.n_ranges == NETD_DHCP_RANGES_MAX)
		return cfg_fail(p, p->line, "more than %d Range= lines in [DHCP]",
		                NETD_DHCP_RANGES_MAX + 1);
	if (cfg_parse_range(p, k, v, obj) < 0)
		return p->err;
	r = &n->dhcp.ranges[n->dhcp.n_ranges++];
	r->first = n->dhcp_first;
	r->last = n->dhcp_last;
	r->line = p->line;
	n->dhcp_first = first;
	n->dhcp_last = last;
	return 0;
}

/* Router=ADDR, or Router=no: the guests get no default route from DHCP. */
int cfg_parse_router(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	struct netd_network *n = obj;

	if (strcmp(v, "no") == 0) {
		n->dhcp.no_router = true;
		return 0;
	}
	if (netd_ipv4_parse(v, &n->dhcp.router) < 0)
		return cfg_invalid(p, k, v,
		                   "give the guests' gateway as one IPv4 address, or no for none");
	return 0;
}

/* DNS=, NTP=: 1 to k->max IPv4 addresses separated by blanks or commas, 0-terminated. */
int cfg_parse_addr_list(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	struct in_addr *out = (struct in_addr *)((char *)obj + k->off);
	char buf[256], *save = NULL, *tok;
	size_t i = 0;

	if (strlen(v) >= sizeof(buf))
		goto bad;
	strcpy(buf, v);
	for (tok = strtok_r(buf, LIST_SEP, &save); tok; tok = strtok_r(NULL, LIST_SEP, &save)) {
		if (i == k->max)
			return cfg_invalid(p, k, v, "give at most %lu addresses", k->max);
		if (netd_ipv4_parse(tok, &out[i]) < 0 || !out[i].s_addr)
			goto bad;
		for (size_t j = 0; j < i; j++)
			if (out[j].s_addr == out[i].s_addr)
				return cfg_invalid(p, k, v, "%s is named twice", tok);
		i++;
	}
	if (i == 0)
		goto bad;
	return 0;
bad:
	return cfg_invalid(p, k, v, "give IPv4 addresses separated by spaces, e.g. %s=192.0.2.53",
	                   cfg_key_name(k));
}

/* What a key of netd's own sets: an Option= for that code is refused with the key's name. */
static const char *own_key(unsigned code)
{
	switch (code) {
	case 1:
		return "[Network] Address= (the netmask)";
	case 3:
		return "Router=";
	case 6:
		return "DNS=";
	case 15:
		return "[DNS] Domain=";
	case 42:
		return "NTP=";
	case 51:
		return "LeaseTime=";
	case 66:
	case 67:
		return "BootFile= and NextServer=";
	}
	return NULL;
}

/* The option's code from "NUMBER" or a dnsmasq name (with or without "option:"). */
static int option_code(const char *what, const char **name)
{
	char *end;
	long c;

	*name = NULL;
	if (strncmp(what, "option:", 7) == 0)
		what += 7;
	if (isdigit((unsigned char)what[0])) {
		c = strtol(what, &end, 10);
		return *end || c < 1 || c > 254 ? -EINVAL : (int)c;
	}
	*name = what;
	return netd_dhcp_option_code(what);
}

/* Option=CODE,VALUE: CODE a number (1-254) or one of dnsmasq's names; VALUE as dnsmasq's
 * dhcp-option takes it (may be empty: the option sent empty). Repeats, one per code. */
int cfg_parse_dhcp_option(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	struct netd_dhcp_opts *o = &((struct netd_network *)obj)->dhcp;
	char what[64];
	const char *comma = strchr(v, ','), *value = comma ? comma + 1 : "", *name, *own;
	size_t len = comma ? (size_t)(comma - v) : strlen(v);
	int code;

	if (len == 0 || len >= sizeof(what))
		goto bad;
	memcpy(what, v, len);
	what[len] = '\0';
	code = option_code(what, &name);
	if (code == -ENOENT)
		return cfg_invalid(p, k, v,
		                   "'%s' is not a DHCP option dnsmasq knows; give its number "
		                   "(1-254) or a name from `dnsmasq --help dhcp`",
		                   name);
	if (code < 0)
		goto bad;
	own = own_key((unsigned)code);
	if (own)
		return cfg_invalid(p, k, v, "option %d is set by %s; use that key", code, own);
	for (const char *c = value; *c; c++)
		if (!isprint((unsigned char)*c))
			goto bad;
	for (size_t i = 0; i < o->n_options; i++) {
		const char *other = strchr(o->options[i], ',');
		char prev[64];
		const char *pn;

		snprintf(prev, sizeof(prev), "%.*s", (int)(other - o->options[i]), o->options[i]);
		if (option_code(prev, &pn) == code)
			return cfg_fail(p, p->line, "option %d is already given on line %u", code,
			                o->option_line[i]);
	}
	if (o->n_options == NETD_DHCP_OPTIONS_MAX)
		return cfg_fail(p, p->line, "more than %d Option= lines in [DHCP]",
		                NETD_DHCP_OPTIONS_MAX);
	snprintf(o->options[o->n_options], sizeof(o->options[0]), "%s%s,%s", name ? "option:" : "",
	         name ? name : what, value);
	o->option_line[o->n_options++] = p->line;
	return 0;
bad:
	return cfg_invalid(p, k, v,
	                   "give CODE,VALUE with CODE a number from 1 to 254 or a dnsmasq option "
	                   "name, e.g. Option=ntp-server,192.0.2.123 or Option=252,\"http://"
	                   "wpad/wpad.dat\"");
}

/* BootFile=: the PXE boot file name, printable and without blanks or commas. */
int cfg_parse_bootfile(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (strlen(v) >= k->size)
		return cfg_invalid(p, k, v, "at most %zu characters", k->size - 1);
	for (const char *c = v; *c; c++)
		if (!isgraph((unsigned char)*c) || *c == ',')
			return cfg_invalid(p, k, v, "a file name without blanks or commas");
	snprintf((char *)obj + k->off, k->size, "%s", v);
	return 0;
}

static size_t count(const struct in_addr *a, size_t max)
{
	size_t i = 0;

	while (i < max && a[i].s_addr)
		i++;
	return i;
}

/* Range i of the extra ones through the first range's checks, then against the others. */
static int check_extra_range(struct parser *p, size_t i)
{
	struct netd_network *n = p->n;
	const struct netd_dhcp_range *r = &n->dhcp.ranges[i];
	struct in_addr first = n->dhcp_first, last = n->dhcp_last;
	unsigned line = n->line_range;
	int ret;

	n->dhcp_first = r->first;
	n->dhcp_last = r->last;
	n->line_range = r->line;
	ret = cfg_check_range(p);
	n->dhcp_first = first;
	n->dhcp_last = last;
	n->line_range = line;
	if (ret < 0)
		return ret;
	if (hval(r->first) <= hval(last) && hval(first) <= hval(r->last))
		return cfg_fail(p, r->line, "this range overlaps the Range= on line %u", line);
	for (size_t j = 0; j < i; j++) {
		const struct netd_dhcp_range *o = &n->dhcp.ranges[j];

		if (hval(r->first) <= hval(o->last) && hval(o->first) <= hval(r->last))
			return cfg_fail(p, r->line, "this range overlaps the Range= on line %u",
			                o->line);
	}
	return 0;
}

int cfg_check_dhcp_opts(struct parser *p)
{
	struct netd_network *n = p->n;
	struct netd_dhcp_opts *o = &n->dhcp;
	char ip[INET_ADDRSTRLEN], net[32];

	o->n_dns = count(o->dns, NETD_DHCP_ADDRS_MAX);
	o->n_ntp = count(o->ntp, NETD_DHCP_ADDRS_MAX);
	if (!n->has_dhcp)
		return 0;
	for (size_t i = 0; i < o->n_ranges; i++)
		if (check_extra_range(p, i) < 0)
			return p->err;
	if (o->router.s_addr && !netd_prefix_contains(&n->address, o->router))
		return cfg_fail(p, o->line_router,
		                "Router= %s is not inside the subnet %s; a gateway must be on the "
		                "guests' link",
		                ip_str(o->router, ip),
		                netd_prefix_format(&n->address, true, net, sizeof(net)));
	if (o->line_next_server && !o->line_bootfile)
		return cfg_fail(
		    p, o->line_next_server,
		    "NextServer= names where BootFile= is fetched from; add a BootFile=");
	return 0;
}
