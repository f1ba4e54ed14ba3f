/*
 * IPv6 in a network file (issue 10): the IPv6 twins of [Network] Address=, [DHCP] Range= and
 * [Host] Address= (a key given once per family, as systemd-networkd writes it), IPv6NAT=,
 * and the rules that tie them together once the whole file is in. Guests get addresses by
 * SLAAC from the network's dnsmasq, so the prefix is a /64 unless a DHCPv6 range hands them
 * out instead.
 *
 * Called by the key table (the parsers) and config_parse.c (cfg_check_ipv6); calls only
 * config_diag.c and the model.
 */
#include <stdio.h>
#include <string.h>

#include "config_priv.h"

#define SLAAC_LEN 64

static const char *ip6_str(const struct in6_addr *a, char buf[INET6_ADDRSTRLEN])
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

const struct cfg_key *cfg_key_for_value(const struct cfg_key *k, const char *v)
{
	return (k->flags & CFG_V6_TWIN) && v && strchr(v, ':') ? k + 1 : k;
}

/* Why an address cannot be a network's, or NULL: scopes a virtual network cannot use. */
static const char *unusable(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return "is link-local (fe80::/10): every bridge has its own link-local addresses "
		       "already; use a ULA (fd00::/8) or global prefix";
	if (IN6_IS_ADDR_MULTICAST(a))
		return "is multicast (ff00::/8); use a ULA (fd00::/8) or global unicast prefix";
	if (IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a))
		return "is not a unicast address of a network";
	if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a))
		return "is an IPv4-mapped address; give IPv4 as IPv4";
	return NULL;
}

int cfg_parse_host_prefix6(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	const char *key = cfg_key_name(k), *why;
	struct netd_prefix6 a, *dst = (struct netd_prefix6 *)((char *)obj + k->off);
	struct in6_addr net;
	char buf[64];

	if (netd_prefix6_parse(v, &a) < 0)
		return cfg_invalid(p, k, v,
		                   "give the host's IPv6 address with its prefix length, e.g. "
		                   "%s=fd42:7a:1::1/64",
		                   key);
	if ((why = unusable(&a.addr)))
		return cfg_fail(p, p->line, "%s %s %s", key, v, why);
	if (a.len < k->min || a.len > k->max)
		return cfg_fail(p, p->line,
		                "%s %s: use a prefix length between %lu and %lu (/64 for SLAAC)",
		                key, v, k->min, k->max);
	net = netd_prefix6_network(&a);
	if (memcmp(&net, &a.addr, sizeof(net)) == 0)
		return cfg_fail(p, p->line,
		                "%s %s is the subnet-router anycast address of %s; use a host "
		                "address such as ...::1",
		                key, v, netd_prefix6_format(&a, true, buf, sizeof(buf)));
	*dst = a;
	return 0;
}

int cfg_parse_ipv6(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	if (netd_ipv6_parse(v, (struct in6_addr *)((char *)obj + k->off)) < 0)
		return cfg_invalid(p, k, v,
		                   "give one IPv6 address without a prefix length, e.g. "
		                   "%s=fd42:7a:1::10",
		                   cfg_key_name(k));
	return 0;
}

/* "FIRST LAST", "FIRST,LAST" (no '-': an IPv6 address has none, but a range in this form
 * would read badly next to IPv4's). */
int cfg_parse_range6(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	struct netd_network *n = obj;
	char buf[2 * INET6_ADDRSTRLEN + 8], *first, *last, *s;

	if (strlen(v) >= sizeof(buf))
		goto bad;
	strcpy(buf, v);
	first = buf;
	s = first + strcspn(first, " \t,");
	if (!*s)
		goto bad;
	last = s + strspn(s, " \t");
	if (*last == ',')
		last++;
	last += strspn(last, " \t");
	*s = '\0';
	if (netd_ipv6_parse(first, &n->dhcp6_first) < 0)
		goto bad;
	if (netd_ipv6_parse(last, &n->dhcp6_last) < 0) {
		struct in_addr a4;

		if (netd_ipv4_parse(last, &a4) == 0)
			return cfg_fail(p, p->line,
			                "Range %s mixes the families: give both ends as IPv6 (an "
			                "IPv4 range is a Range= line of its own)",
			                v);
		goto bad;
	}
	return 0;
bad:
	return cfg_invalid(p, k, v,
	                   "give the first and last IPv6 address to lease, e.g. "
	                   "%s=fd42:7a:1::100 fd42:7a:1::1ff",
	                   cfg_key_name(k));
}

/* The DHCPv6 range: inside the prefix, in order, without the host's address. */
static int check_range6(struct parser *p)
{
	const struct netd_network *n = p->n;
	const struct netd_prefix6 *sub = &n->address6;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN], net[64];
	unsigned line = n->line_range6;

	ip6_str(&n->dhcp6_first, a);
	ip6_str(&n->dhcp6_last, b);
	if (!n->has_address6)
		return cfg_fail(p, line,
		                "IPv6 Range %s - %s needs an IPv6 Address= in [Network] (the "
		                "host's address on the prefix)",
		                a, b);
	netd_prefix6_format(sub, true, net, sizeof(net));
	if (!netd_prefix6_contains(sub, &n->dhcp6_first) ||
	    !netd_prefix6_contains(sub, &n->dhcp6_last))
		return cfg_fail(p, line, "DHCPv6 range %s - %s is not inside the prefix %s", a, b,
		                net);
	if (memcmp(&n->dhcp6_first, &n->dhcp6_last, 16) > 0)
		return cfg_fail(p, line,
		                "DHCPv6 range %s - %s is reversed; write the lower address first",
		                a, b);
	if (memcmp(&n->dhcp6_first, &sub->addr, 16) <= 0 &&
	    memcmp(&sub->addr, &n->dhcp6_last, 16) <= 0)
		return cfg_fail(
		    p, line,
		    "DHCPv6 range %s - %s contains the host's own address %s (line %u); "
		    "leave it out",
		    a, b, ip6_str(&sub->addr, c), n->line_address6);
	return 0;
}

/* [Host] Address= in IPv6: a DHCPv6 static lease of the prefix. */
static int check_hosts6(struct parser *p)
{
	const struct netd_network *n = p->n;
	char ip[INET6_ADDRSTRLEN], net[64];

	for (size_t i = 0; i < n->n_hosts; i++) {
		const struct netd_host *h = &n->hosts[i];
		unsigned line = p->hl[i].addr6;

		if (!line)
			continue;
		ip6_str(&h->addr6, ip);
		if (!n->has_dhcp6)
			return cfg_fail(p, line,
			                "host address %s needs stateful DHCPv6: add an IPv6 Range= "
			                "to [DHCP]",
			                ip);
		if (!netd_prefix6_contains(&n->address6, &h->addr6))
			return cfg_fail(p, line, "host address %s is not inside the prefix %s", ip,
			                netd_prefix6_format(&n->address6, true, net, sizeof(net)));
		if (memcmp(&h->addr6, &n->address6.addr, 16) == 0)
			return cfg_fail(p, line,
			                "host address %s is the host's own address (line %u); give "
			                "the guest another one",
			                ip, n->line_address6);
		for (size_t j = 0; j < i; j++)
			if (p->hl[j].addr6 && memcmp(&n->hosts[j].addr6, &h->addr6, 16) == 0)
				return cfg_fail(
				    p, line, "address %s is already given to the [Host] on line %u",
				    ip, n->hosts[j].line);
	}
	return 0;
}

int cfg_check_ipv6(struct parser *p, const struct netd_mode_ops *ops)
{
	struct netd_network *n = p->n;
	char buf[64];

	if (n->has_address6 && !ops->allows_address)
		return cfg_fail(
		    p, n->line_address6,
		    "Address= is not allowed for Mode=%s: netd gives the host no address "
		    "of any family on such a network; remove it",
		    ops->name);
	if (n->has_address6 && !n->has_address)
		return cfg_fail(p, n->line_address6,
		                "an IPv6 Address= comes with the network's IPv4 Address=; add one, "
		                "e.g. Address=192.122.1.1/24");
	if (n->has_dhcp6 && !n->has_dhcp)
		return cfg_fail(p, n->line_range6, "IPv6 Range= is only allowed inside [DHCP]");
	if (n->has_dhcp6 && check_range6(p) < 0)
		return p->err;
	/* SLAAC builds a guest's address from a 64-bit interface identifier (RFC 4862 with
	 * RFC 4291's identifiers): on any other length guests get no address from the RAs. */
	if (n->has_address6 && n->address6.len != SLAAC_LEN && !n->has_dhcp6)
		return cfg_fail(
		    p, n->line_address6,
		    "Address %s: guests get IPv6 addresses by SLAAC, which needs a /64; "
		    "use a /64, or add an IPv6 Range= to [DHCP] so that DHCPv6 hands "
		    "the addresses out",
		    netd_prefix6_format(&n->address6, false, buf, sizeof(buf)));
	if (check_hosts6(p) < 0)
		return p->err;
	if (n->line_ipv6_nat && !ops->masquerade)
		return cfg_fail(p, n->line_ipv6_nat,
		                "IPv6NAT= does not apply to Mode=%s: only a mode that masquerades "
		                "(nat) has IPv6 NAT to turn off; remove it",
		                ops->name);
	if (n->line_ipv6_nat && !n->has_address6)
		return cfg_fail(p, n->line_ipv6_nat,
		                "IPv6NAT= needs an IPv6 Address= in [Network]; without one the "
		                "network has no IPv6 to translate");
	return 0;
}

int cfg_check_pair6(const struct netd_network *a, const struct netd_network *b,
                    struct netd_diag *diag)
{
	char pa[64], pb[64];

	if (!a->has_address6 || !b->has_address6 ||
	    !netd_prefix6_overlaps(&a->address6, &b->address6))
		return 0;
	return cfg_diag(diag, b->source, b->line_address6,
	                "prefix %s of network '%s' overlaps prefix %s of network '%s' (%s:%u); "
	                "choose a prefix of its own",
	                netd_prefix6_format(&b->address6, true, pb, sizeof(pb)), b->name,
	                netd_prefix6_format(&a->address6, true, pa, sizeof(pa)), a->name, a->source,
	                a->line_address6);
}

int netd_config_check_host6(const struct netd_network *n, const struct netd_host_prefix6 *hp,
                            size_t n_hp, struct netd_diag *diag)
{
	char mine[64], theirs[64];

	if (!n->has_address6)
		return 0;
	for (size_t i = 0; i < n_hp; i++) {
		const struct netd_prefix6 *o = &hp[i].prefix;

		if (hp[i].owned_by[0] && strcmp(hp[i].owned_by, n->name) == 0)
			continue;
		/* A default route claims no prefix; link-local and multicast routes are on every
		 * link and never a network's. */
		if ((hp[i].is_route && o->len == 0) || IN6_IS_ADDR_LINKLOCAL(&o->addr) ||
		    IN6_IS_ADDR_MULTICAST(&o->addr))
			continue;
		if (!netd_prefix6_overlaps(&n->address6, o))
			continue;
		return cfg_diag(diag, n->source, n->line_address6,
		                "prefix %s overlaps %s already on the host (%s %s)",
		                netd_prefix6_format(&n->address6, true, mine, sizeof(mine)),
		                netd_prefix6_format(o, true, theirs, sizeof(theirs)),
		                hp[i].is_route ? "route via" : "address on", hp[i].ifname);
	}
	return 0;
}
