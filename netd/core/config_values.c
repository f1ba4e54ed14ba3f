/*
 * The typed parsers that the key table (config_keys.c) shares between sections: names,
 * addresses, MACs, booleans, numbers and times with limits, enum tables. Each checks one
 * value, stores it at the row's offset, and on error names the key, the value and what is
 * wanted, in the row's words where keys of one type word it differently.
 *
 * The table calls these through its rows (and config_bond.c reuses one); they call only
 * config_diag.c, for the error and the key's name, never the table back.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_priv.h"

static void *dst(const struct cfg_key *k, void *obj)
{
	return (char *)obj + k->off;
}

/* An unsigned value into a field of the row's width (bool, uint8_t ... enum). */
static void store(const struct cfg_key *k, void *obj, unsigned long v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;
	uint64_t u64 = v;

	switch (k->size) {
	case 1:
		memcpy(dst(k, obj), &u8, 1);
		break;
	case 2:
		memcpy(dst(k, obj), &u16, 2);
		break;
	case 4:
		memcpy(dst(k, obj), &u32, 4);
		break;
	default:
		memcpy(dst(k, obj), &u64, 8);
		break;
	}
}

/* A decimal number without sign or blanks, at most max; the rest after it in *rest, or
 * nothing may follow when rest is NULL. */
static int parse_ulong(const char *s, unsigned long max, unsigned long *out, const char **rest)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	if (!rest && *end)
		return -EINVAL;
	if (rest)
		*rest = end;
	*out = v;
	return 0;
}

/* A systemd time span in whole ms (µs dropped, as networkd drops them), at most max. */
static int parse_ms(const char *v, unsigned long max, unsigned long *out)
{
	uint64_t us;

	if (cfg_timespan_us(v, &us) < 0 || us / 1000 > max)
		return -EINVAL;
	*out = (unsigned long)(us / 1000);
	return 0;
}

int cfg_parse_netname(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (!netd_netname_valid(v))
		return cfg_invalid(p, k, v, "use 1-%d letters, digits, '_' or '-'",
		                   NETD_NAME_MAX - 1);
	snprintf(dst(k, obj), k->size, "%s", v);
	return 0;
}

int cfg_parse_ifname(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (!netd_ifname_valid(v))
		return cfg_invalid(p, k, v, "%s " CFG_IFNAME_RULE, k->hint ? k->hint : "an",
		                   IFNAMSIZ - 1);
	snprintf(dst(k, obj), k->size, "%s", v);
	return 0;
}

int cfg_parse_hostname(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (!netd_hostname_valid(v))
		return cfg_invalid(p, k, v,
		                   "a host name is 1-%d letters, digits or '-', and does not start "
		                   "or end with '-'",
		                   NETD_HOSTNAME_MAX - 1);
	snprintf(dst(k, obj), k->size, "%s", v);
	return 0;
}

int cfg_parse_ipv4(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (netd_ipv4_parse(v, dst(k, obj)) < 0)
		return cfg_invalid(p, k, v,
		                   "give one IPv4 address without a prefix length, e.g. "
		                   "%s=192.122.1.10",
		                   cfg_key_name(k));
	return 0;
}

/* The host's own address on the network with the subnet's length, limited to min..max. */
int cfg_parse_host_prefix(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	const char *key = cfg_key_name(k);
	struct netd_prefix a;
	char net[32], ip[INET_ADDRSTRLEN];

	if (netd_prefix_parse(v, &a) < 0)
		return cfg_invalid(p, k, v,
		                   "give the host's IPv4 address with its prefix length, e.g. "
		                   "%s=192.122.1.1/24",
		                   key);
	if (a.len < k->min)
		return cfg_fail(p, p->line,
		                "%s %s: a /%u subnet is far too wide for a virtual network; use a "
		                "prefix length between %lu and %lu",
		                key, v, a.len, k->min, k->max);
	if (a.len > k->max)
		return cfg_fail(p, p->line,
		                "%s %s: a /%u subnet leaves no address for guests; use a prefix "
		                "length between %lu and %lu",
		                key, v, a.len, k->min, k->max);
	netd_prefix_format(&a, true, net, sizeof(net));
	if (a.addr.s_addr == netd_prefix_network(&a).s_addr)
		return cfg_fail(p, p->line,
		                "%s %s is the network address of %s; use a host address such as "
		                "%s/%u",
		                key, v, net, ip_str(ip_of(hval(a.addr) + 1), ip), a.len);
	if (a.addr.s_addr == netd_prefix_broadcast(&a).s_addr)
		return cfg_fail(p, p->line,
		                "%s %s is the broadcast address of %s; use a host address such as "
		                "%s/%u",
		                key, v, net, ip_str(ip_of(hval(netd_prefix_network(&a)) + 1), ip),
		                a.len);
	memcpy(dst(k, obj), &a, sizeof(a));
	return 0;
}

/* Any MAC; the row's hint is the example. */
int cfg_parse_mac(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (netd_mac_parse(v, dst(k, obj)) < 0)
		return cfg_invalid(p, k, v, "give six hex bytes separated by ':', e.g. %s=%s",
		                   cfg_key_name(k), k->hint);
	return 0;
}

int cfg_parse_bool(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	/* systemd's parse_boolean(): a networkd file's booleans read the same here */
	static const char *const yes[] = {"yes", "true", "on", "1", "y", "t"};
	static const char *const no[] = {"no", "false", "off", "0", "n", "f"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			store(k, obj, strcasecmp(v, yes[i]) == 0);
			return 0;
		}
	}
	return cfg_invalid(p, k, v, "use yes or no");
}

/* A whole number from min to max; the row's hint says what it is ("a whole number"). */
int cfg_parse_uint(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	unsigned long n;

	if (parse_ulong(v, k->max, &n, NULL) < 0 || n < k->min)
		return cfg_invalid(p, k, v, "give %s from %lu to %lu",
		                   k->hint ? k->hint : "a whole number", k->min, k->max);
	store(k, obj, n);
	return 0;
}

/* A time in ms, at most max ms, written as systemd writes times (a bare number is seconds). */
int cfg_parse_ms(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	const char *key = cfg_key_name(k);
	unsigned long ms;

	if (parse_ms(v, k->max, &ms) < 0)
		return cfg_invalid(p, k, v,
		                   "give a time as systemd writes it, e.g. %s=100ms or %s=1s (a "
		                   "bare number is seconds), at most %lums",
		                   key, key, k->max);
	store(k, obj, ms);
	return 0;
}

/* A time in whole seconds (the rest dropped, as networkd drops it), at most max. */
int cfg_parse_secs(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	unsigned long ms;

	if (parse_ms(v, ULONG_MAX, &ms) < 0 || ms / 1000 < k->min || ms / 1000 > k->max)
		return cfg_invalid(
		    p, k, v, "give a time as systemd writes it, from %lus to %lus, e.g. %s=1s",
		    k->min, k->max, cfg_key_name(k));
	store(k, obj, ms / 1000);
	return 0;
}

/* One name of a table: the kernel's (a name or its number, listed in the message) or the
 * model's (lookup; the row's hint lists them). */
int cfg_parse_enum(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	char list[160];
	int e;

	if (k->values) {
		e = netd_bond_table_lookup(k->values, v);
		if (e < 0)
			return cfg_invalid(p, k, v, "use %s (or its number, 0-%zu)",
			                   netd_bond_table_list(k->values, list, sizeof(list)),
			                   k->values->n - 1);
	} else {
		e = k->lookup(v);
		if (e < 0)
			return cfg_invalid(p, k, v, "%s", k->hint);
	}
	store(k, obj, (unsigned long)e);
	return 0;
}

/* [DHCP] Range=: "FIRST LAST", "FIRST-LAST" or "FIRST,LAST", blanks allowed around - and ,. */
int cfg_parse_range(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	struct netd_network *n = obj;
	char buf[64], *first, *last, *s;

	if (strlen(v) >= sizeof(buf))
		goto bad;
	strcpy(buf, v);
	first = buf;
	s = first + strcspn(first, " \t,-");
	if (!*s)
		goto bad;
	last = s;
	last += strspn(last, " \t");
	if (*last == '-' || *last == ',')
		last++;
	last += strspn(last, " \t");
	*s = '\0';
	if (netd_ipv4_parse(first, &n->dhcp_first) < 0 || netd_ipv4_parse(last, &n->dhcp_last) < 0)
		goto bad;
	return 0;
bad:
	return cfg_invalid(p, k, v,
	                   "give the first and last address to lease, e.g. %s=192.122.1.2 "
	                   "192.122.1.254",
	                   cfg_key_name(k));
}

/* [DHCP] LeaseTime=: seconds with an optional unit s, m, h or d, from min; or "infinite" (0). */
int cfg_parse_lease_time(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	static const struct {
		char unit;
		unsigned mult;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
	const char *key = cfg_key_name(k), *unit;
	unsigned long n, mult = 1;
	size_t i;
	int ret;

	if (strcmp(v, "infinite") == 0) {
		store(k, obj, 0);
		return 0;
	}
	ret = parse_ulong(v, ULONG_MAX, &n, &unit);
	if (ret == -ERANGE)
		goto big;
	if (ret < 0)
		goto bad;
	if (*unit) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]) && units[i].unit != *unit; i++)
			;
		if (i == sizeof(units) / sizeof(units[0]) || unit[1])
			goto bad;
		mult = units[i].mult;
	}
	if (n > k->max / mult)
		goto big;
	if (n * mult < k->min)
		return cfg_fail(p, p->line,
		                "%s %s is below dnsmasq's minimum of 2 minutes; use at least 120s "
		                "or 2m",
		                key, v);
	store(k, obj, n * mult);
	return 0;
bad:
	return cfg_invalid(p, k, v,
	                   "use a number of seconds with an optional unit s, m, h or d (e.g. "
	                   "12h), or 'infinite'");
big:
	return cfg_fail(p, p->line, "%s %s is too long; use 'infinite' for leases that never end",
	                key, v);
}
