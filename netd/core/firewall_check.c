/* Which matrix cells a foreign firewall chain can break: pure, unit-tested. */
#include <stdio.h>
#include <string.h>

#include "netd/firewall.h"
#include "netd/mode.h"

/* The cells whose packets a hook of the IPv4 path sees. A switched network's traffic with the
 * host and the LAN is bridged: with br_netfilter it all crosses forward. Otherwise what leaves
 * the bridge passes the host's input, output and forward hooks (netd_mode_ops.switched). */
static unsigned cells_of_hook(const struct netd_network *n, const struct netd_fw_chain *c,
                              bool bridge_nf)
{
	const struct netd_mode_ops *ops = netd_mode_ops(n->mode);
	bool ipv4 = strcmp(c->family, "ip") == 0 || strcmp(c->family, "inet") == 0;
	bool bridge = strcmp(c->family, "bridge") == 0;
	unsigned all = (1u << NETD_CELL_MAX) - 1;

	if (ops && ops->switched) {
		if (bridge && c->hook == NETD_FW_HOOK_FORWARD)
			return all;
		if (ipv4 && c->hook == NETD_FW_HOOK_FORWARD && bridge_nf)
			return all;
		if (ipv4 && c->hook == NETD_FW_HOOK_INPUT)
			return 1u << NETD_CELL_VM_TO_HOST;
		if (ipv4 && c->hook == NETD_FW_HOOK_OUTPUT)
			return 1u << NETD_CELL_HOST_TO_VM;
		return 0;
	}
	if (bridge)
		return c->hook == NETD_FW_HOOK_FORWARD ? 1u << NETD_CELL_VM_TO_VM : 0;
	if (!ipv4)
		return 0;
	switch (c->hook) {
	case NETD_FW_HOOK_INPUT:
		return 1u << NETD_CELL_VM_TO_HOST;
	case NETD_FW_HOOK_OUTPUT:
		return 1u << NETD_CELL_HOST_TO_VM;
	case NETD_FW_HOOK_FORWARD:
		return (1u << NETD_CELL_VM_TO_OUTSIDE) | (1u << NETD_CELL_OUTSIDE_TO_VM) |
		       (bridge_nf ? 1u << NETD_CELL_VM_TO_VM : 0);
	default:
		return 0;
	}
}

size_t netd_fw_check(const struct netd_network *n, const struct netd_fw_chain *chains,
                     size_t n_chains, bool bridge_nf, struct netd_fw_finding *out, size_t max)
{
	unsigned allowed = 0;
	size_t found = 0;

	for (int c = 0; c < NETD_CELL_MAX; c++)
		if (n->policy[c] == NETD_POLICY_ALLOW)
			allowed |= 1u << c;
	for (size_t i = 0; i < n_chains && found < max; i++) {
		const struct netd_fw_chain *c = &chains[i];
		unsigned hit;

		if (!c->policy_drop && c->drop_rules == 0)
			continue;
		hit = cells_of_hook(n, c, bridge_nf) & allowed;
		if (!hit)
			continue;
		out[found].chain = c;
		out[found].certain = c->policy_drop;
		out[found].cells = hit;
		found++;
	}
	return found;
}

static const char *hook_name(enum netd_fw_hook h)
{
	switch (h) {
	case NETD_FW_HOOK_INPUT:
		return "input";
	case NETD_FW_HOOK_FORWARD:
		return "forward";
	case NETD_FW_HOOK_OUTPUT:
		return "output";
	default:
		return "other";
	}
}

void netd_fw_describe(const struct netd_fw_finding *f, char *buf, size_t len)
{
	const struct netd_fw_chain *c = f->chain;
	char cells[128] = "";
	size_t used = 0;

	for (int i = 0; i < NETD_CELL_MAX; i++)
		if (f->cells & (1u << i))
			used += snprintf(cells + used, sizeof(cells) - used, "%s%s",
			                 used ? ", " : "", netd_cell_to_string(i));
	if (f->certain)
		snprintf(buf, len,
		         "table %s %s chain %s (hook %s, policy drop) blocks %s: an accept in "
		         "table inet netd cannot override it; accept the network's traffic in "
		         "that chain (e.g. `nft insert rule %s %s %s iifname <bridge> accept` and "
		         "the same for oifname), or let that firewall manage the bridge",
		         c->family, c->table, c->chain, hook_name(c->hook), cells, c->family,
		         c->table, c->chain);
	else
		snprintf(buf, len,
		         "table %s %s chain %s (hook %s) has %u drop/reject rule%s that may block "
		         "%s: check that they spare the network's bridge",
		         c->family, c->table, c->chain, hook_name(c->hook), c->drop_rules,
		         c->drop_rules == 1 ? "" : "s", cells);
}
