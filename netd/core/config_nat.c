/*
 * [Network] NATAddress= and NATPorts=: the NAT's outside, as libvirt's <nat><address> and
 * <port>. The port range's parser, the rules that need the whole file (a mode that NATs, an
 * address outside the network's own subnet), and the one rule that needs the host: the
 * address is one of the host's, or no reply would ever come back to it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

/* "1024-65535" or one port "2000"; each 1..65535, the first not above the last. */
int cfg_parse_nat_ports(struct parser *p, const struct cfg_key *k, const char *v, void *obj)
{
	unsigned long a, b;
	char *end;
	uint16_t r[2];

	errno = 0;
	a = strtoul(v, &end, 10);
	b = a;
	if (end != v && *end == '-' && end[1] >= '0' && end[1] <= '9')
		b = strtoul(end + 1, &end, 10);
	if (errno || end == v || *end || v[0] < '0' || v[0] > '9' || a < 1 || b > 65535 || a > b)
		return cfg_invalid(p, k, v,
		                   "give the source ports as FIRST-LAST, each 1-65535, e.g. "
		                   "%s=1024-65535",
		                   cfg_key_name(k));
	r[0] = (uint16_t)a;
	r[1] = (uint16_t)b;
	memcpy((char *)obj + k->off, r, sizeof(r));
	return 0;
}

int cfg_check_nat(struct parser *p, const struct netd_mode_ops *ops)
{
	struct netd_network *n = p->n;
	uint32_t a = hval(n->nat_address);
	unsigned line = n->line_nat_address ? n->line_nat_address : n->line_nat_ports;
	char ip[INET_ADDRSTRLEN], net[32];

	if (line && !ops->masquerade)
		return cfg_fail(p, line,
		                "%s= applies only where netd translates the guests' addresses "
		                "(Mode=nat); Mode=%s does not; remove it",
		                n->line_nat_address ? "NATAddress" : "NATPorts", ops->name);
	if (!n->line_nat_address)
		return 0;
	if (a == 0 || a >= 0xe0000000u || (a >> 24) == 127)
		return cfg_fail(p, n->line_nat_address,
		                "NATAddress=%s: give a unicast address the host has on its uplink",
		                ip_str(n->nat_address, ip));
	if (n->has_address && netd_prefix_contains(&n->address, n->nat_address))
		return cfg_fail(p, n->line_nat_address,
		                "NATAddress=%s is inside the network's own subnet %s: give an "
		                "address the host has on its uplink",
		                ip_str(n->nat_address, ip),
		                netd_prefix_format(&n->address, true, net, sizeof(net)));
	return 0;
}

int cfg_check_nat_host(const struct netd_network *n, const struct netd_host_prefix *hp, size_t n_hp,
                       struct netd_diag *diag)
{
	char ip[INET_ADDRSTRLEN], have[256] = "", one[INET_ADDRSTRLEN + IFNAMSIZ + 8];

	if (!n->nat_address.s_addr)
		return 0;
	for (size_t i = 0; i < n_hp; i++) {
		if (hp[i].is_route)
			continue;
		if (hp[i].prefix.addr.s_addr == n->nat_address.s_addr)
			return 0;
		if (strlen(have) + sizeof(one) < sizeof(have)) {
			snprintf(one, sizeof(one), "%s%s on %s", have[0] ? ", " : "",
			         ip_str(hp[i].prefix.addr, ip), hp[i].ifname);
			strcat(have, one);
		}
	}
	return cfg_diag(diag, n->source, n->line_nat_address,
	                "NATAddress=%s is not an address of this host, so no reply to the guests' "
	                "connections would come back; give one the host has (%s), or add it "
	                "to the uplink first",
	                ip_str(n->nat_address, ip), have[0] ? have : "none");
}
