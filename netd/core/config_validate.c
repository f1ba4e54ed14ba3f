/*
 * The rules that tie a network file's keys together, checked once the whole file is in: the
 * mode's requirements, the DHCP range inside the subnet, [Host] leases, [Policy], a guest's
 * address. config_parse.c runs them and config_tap.c shares the guest address rule; they
 * call only config_diag.c (errors) and the model, never the key table or its parsers.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config_priv.h"

static void suggest_range(const struct netd_network *n, char *buf, size_t len)
{
	uint32_t net = hval(netd_prefix_network(&n->address));
	uint32_t bcast = hval(netd_prefix_broadcast(&n->address));
	uint32_t host = hval(n->address.addr);
	uint32_t first = host + 1, last = bcast - 1;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	if (host - net - 1 > bcast - host - 1) {
		first = net + 1;
		last = host - 1;
	}
	snprintf(buf, len, "Range=%s %s", ip_str(ip_of(first), a), ip_str(ip_of(last), b));
}

int cfg_check_mode_rules(struct parser *p, const struct netd_mode_ops *ops)
{
	struct netd_network *n = p->n;
	const char *mode = ops->name;
	unsigned hdr = p->sec_line[SEC_NETWORK];

	if (ops->needs_address && !n->has_address)
		return cfg_fail(
		    p, hdr, "Address= is required for Mode=%s, e.g. Address=192.122.1.1/24", mode);
	if (!ops->allows_address && n->has_address)
		return cfg_fail(
		    p, n->line_address,
		    "Address= is not allowed for Mode=%s: netd gives the host no address "
		    "on such a network; remove it",
		    mode);
	if (p->sec_line[SEC_DHCP] && !ops->allows_dhcp)
		return cfg_fail(
		    p, p->sec_line[SEC_DHCP],
		    "[DHCP] is not allowed for Mode=%s: netd serves DHCP only where the "
		    "host has an address on the network; remove the section",
		    mode);
	if (n->n_hosts && !ops->allows_dhcp)
		return cfg_fail(
		    p, n->hosts[0].line,
		    "[Host] is not allowed for Mode=%s: static leases need netd's DHCP, "
		    "which this mode does not run; remove the section",
		    mode);
	if (ops->needs_uplink && !n->uplink[0])
		return cfg_fail(
		    p, hdr,
		    "Uplink= is required for Mode=%s: name the host NIC to enslave to the "
		    "bridge, e.g. Uplink=eth0",
		    mode);
	if (!ops->needs_uplink && n->uplink[0])
		return cfg_fail(
		    p, n->line_uplink,
		    "Uplink= is not allowed for Mode=%s: only a network that enslaves a "
		    "host NIC has one; remove it",
		    mode);
	return 0;
}

int cfg_check_range(struct parser *p)
{
	struct netd_network *n = p->n;
	const struct netd_prefix *sub = &n->address;
	char net[32], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN], hint[64];
	unsigned line = n->line_range;
	uint32_t bound;

	if (!n->line_range) {
		if (n->has_address) {
			suggest_range(n, hint, sizeof(hint));
			return cfg_fail(p, p->sec_line[SEC_DHCP],
			                "[DHCP] has no Range=; add the addresses to lease, e.g. %s",
			                hint);
		}
		return cfg_fail(p, p->sec_line[SEC_DHCP], "[DHCP] has no Range=");
	}
	if (!n->has_address)
		return cfg_fail(p, p->sec_line[SEC_DHCP], "[DHCP] needs Address= in [Network]");
	netd_prefix_format(sub, true, net, sizeof(net));
	ip_str(n->dhcp_first, a);
	ip_str(n->dhcp_last, b);
	if (!netd_prefix_contains(sub, n->dhcp_first) || !netd_prefix_contains(sub, n->dhcp_last))
		return cfg_fail(p, line, "DHCP range %s - %s is not inside the subnet %s", a, b,
		                net);
	if (hval(n->dhcp_first) > hval(n->dhcp_last))
		return cfg_fail(
		    p, line, "DHCP range %s - %s is reversed; write the lower address first", a, b);
	/* The suggested bound skips the host's own address, or the fix would fail next. */
	if (n->dhcp_first.s_addr == netd_prefix_network(sub).s_addr) {
		bound = hval(n->dhcp_first) + 1;
		bound += bound == hval(sub->addr);
		return cfg_fail(
		    p, line,
		    "DHCP range %s - %s starts at the network address of %s; start it at "
		    "%s or later",
		    a, b, net, ip_str(ip_of(bound), c));
	}
	if (n->dhcp_last.s_addr == netd_prefix_broadcast(sub).s_addr) {
		bound = hval(n->dhcp_last) - 1;
		bound -= bound == hval(sub->addr);
		return cfg_fail(
		    p, line,
		    "DHCP range %s - %s ends at the broadcast address of %s; end it at %s "
		    "or earlier",
		    a, b, net, ip_str(ip_of(bound), c));
	}
	if (hval(n->dhcp_first) <= hval(sub->addr) && hval(sub->addr) <= hval(n->dhcp_last)) {
		suggest_range(n, hint, sizeof(hint));
		return cfg_fail(p, line,
		                "DHCP range %s - %s contains the host's own address %s (line %u); "
		                "leave it out, e.g. %s",
		                a, b, ip_str(sub->addr, c), n->line_address, hint);
	}
	return 0;
}

int cfg_check_guest_addr(struct parser *p, const char *who, struct in_addr a, unsigned line)
{
	const struct netd_prefix *sub = &p->n->address;
	char net[32], ip[INET_ADDRSTRLEN];

	netd_prefix_format(sub, true, net, sizeof(net));
	ip_str(a, ip);
	switch (netd_guest_addr_check(sub, a)) {
	case NETD_GUEST_ADDR_OUTSIDE:
		return cfg_fail(p, line, "%s address %s is not inside the subnet %s", who, ip, net);
	case NETD_GUEST_ADDR_HOST:
		return cfg_fail(p, line,
		                "%s address %s is the host's own address (line %u); give the guest "
		                "another one",
		                who, ip, p->n->line_address);
	case NETD_GUEST_ADDR_NETWORK:
		return cfg_fail(p, line, "%s address %s is the network address of %s", who, ip,
		                net);
	case NETD_GUEST_ADDR_BROADCAST:
		return cfg_fail(p, line, "%s address %s is the broadcast address of %s", who, ip,
		                net);
	case NETD_GUEST_ADDR_OK:
		break;
	}
	return 0;
}

int cfg_check_host(struct parser *p, size_t i)
{
	struct netd_network *n = p->n;
	const struct netd_host *h = &n->hosts[i];
	const struct host_lines *hl = &p->hl[i];
	char ip[INET_ADDRSTRLEN], mac[18];

	if (!hl->mac)
		return cfg_fail(p, h->line,
		                "[Host] has no MAC=; a static lease needs the guest's MAC, e.g. "
		                "MAC=52:54:00:12:34:56");
	ip_str(h->addr, ip);
	if (hl->addr && cfg_check_guest_addr(p, "host", h->addr, hl->addr) < 0)
		return p->err;
	for (size_t j = 0; j < i; j++) {
		const struct netd_host *o = &n->hosts[j];

		if (memcmp(o->mac, h->mac, sizeof(h->mac)) == 0) {
			netd_mac_format(h->mac, mac);
			return cfg_fail(p, hl->mac,
			                "MAC %s is already given to the [Host] on line %u", mac,
			                o->line);
		}
		if (hl->addr && p->hl[j].addr && o->addr.s_addr == h->addr.s_addr)
			return cfg_fail(p, hl->addr,
			                "address %s is already given to the [Host] on line %u", ip,
			                o->line);
		if (hl->name && p->hl[j].name && strcasecmp(o->name, h->name) == 0)
			return cfg_fail(p, hl->name,
			                "host name '%s' is already given to the [Host] on line %u",
			                h->name, o->line);
	}
	return 0;
}

int cfg_check_policy(struct parser *p, const struct netd_mode_ops *ops)
{
	struct netd_network *n = p->n;

	for (int c = 0; c < NETD_CELL_MAX; c++) {
		n->policy_set[c] = n->policy_line[c] != 0;
		if (!n->policy_set[c])
			n->policy[c] = ops->defaults[c];
		if (!n->policy_set[c] || (ops->flippable & (1u << c)) ||
		    n->policy[c] == ops->defaults[c])
			continue;
		return cfg_fail(p, n->policy_line[c], "%s=%s cannot be set for Mode=%s: %s",
		                netd_cell_to_string(c), netd_policy_to_string(n->policy[c]),
		                ops->name,
		                ops->why_not[c] ? ops->why_not[c] : "the mode cannot do it");
	}
	return 0;
}
