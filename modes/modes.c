/* The table of modes, indexed by enum netd_mode. */
#include <string.h>

#include "netd/mode.h"

extern const struct netd_mode_ops netd_mode_nat, netd_mode_bridged, netd_mode_hostonly,
    netd_mode_internal, netd_mode_routed;

static const struct netd_mode_ops *const modes[NETD_MODE_MAX] = {
    [NETD_MODE_NAT] = &netd_mode_nat,           [NETD_MODE_BRIDGED] = &netd_mode_bridged,
    [NETD_MODE_HOSTONLY] = &netd_mode_hostonly, [NETD_MODE_INTERNAL] = &netd_mode_internal,
    [NETD_MODE_ROUTED] = &netd_mode_routed,
};

const struct netd_mode_ops *netd_mode_ops(enum netd_mode m)
{
	return (unsigned)m < NETD_MODE_MAX ? modes[m] : 0;
}

bool netd_network_needs_forwarding(const struct netd_network *n)
{
	const struct netd_mode_ops *ops = netd_mode_ops(n->mode);

	/* Switched guests reach the LAN through the bridge; internal ones reach nothing. */
	if (!ops || !ops->routed)
		return false;
	return n->policy[NETD_CELL_VM_TO_OUTSIDE] == NETD_POLICY_ALLOW ||
	       n->policy[NETD_CELL_OUTSIDE_TO_VM] == NETD_POLICY_ALLOW;
}

bool netd_network_host_is_router(const struct netd_network *n)
{
	const struct netd_mode_ops *ops = netd_mode_ops(n->mode);

	return (ops && ops->host_is_router) || netd_network_needs_forwarding(n);
}

bool netd_port_isolated(const struct netd_network *n, const char *port)
{
	if (n->policy[NETD_CELL_VM_TO_VM] != NETD_POLICY_DENY)
		return false;
	return !port || !n->uplink[0] || strcmp(port, n->uplink) != 0;
}
