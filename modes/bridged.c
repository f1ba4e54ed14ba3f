/* bridged: guests sit on the LAN beside the host, through the uplink enslaved to the bridge. */
#include <errno.h>
#include <string.h>

#include "netd/mode.h"

#define ON_LAN                                                                                     \
	"a bridged guest is a host on the LAN like any other: traffic between it, the "            \
	"host and the LAN is switched, not routed, so this mode cannot filter it; use "            \
	"Mode=nat or Mode=hostonly to restrict it"

static int bridged_validate(const struct netd_network *n, struct netd_diag *diag)
{
	if (strcmp(n->uplink, n->bridge) == 0) {
		netd_diag_set(diag, "%s:%u: Uplink=%s is the network's own bridge", n->source,
		              n->line_uplink, n->uplink);
		return -EINVAL;
	}
	return 0;
}

const struct netd_mode_ops netd_mode_bridged = {
    .mode = NETD_MODE_BRIDGED,
    .name = "bridged",
    .defaults =
        {
            [NETD_CELL_VM_TO_HOST] = NETD_POLICY_ALLOW,
            [NETD_CELL_HOST_TO_VM] = NETD_POLICY_ALLOW,
            [NETD_CELL_VM_TO_OUTSIDE] = NETD_POLICY_ALLOW,
            [NETD_CELL_OUTSIDE_TO_VM] = NETD_POLICY_ALLOW,
            [NETD_CELL_VM_TO_VM] = NETD_POLICY_ALLOW,
        },
    /* Guests' ports can be isolated from each other; the uplink port never is. */
    .flippable = 1u << NETD_CELL_VM_TO_VM,
    .why_not =
        {
            [NETD_CELL_VM_TO_HOST] = ON_LAN,
            [NETD_CELL_HOST_TO_VM] = ON_LAN,
            [NETD_CELL_VM_TO_OUTSIDE] = ON_LAN,
            [NETD_CELL_OUTSIDE_TO_VM] = ON_LAN,
        },
    .needs_uplink = true,
    .switched = true,
    .why_no_vxlan = "a bridged network's bridge holds the LAN's uplink: with a VXLAN port too, "
                    "the LAN and the tunnel join the hosts twice, a layer-2 loop with no "
                    "spanning tree to break it; span hosts with Mode=nat, hostonly or internal",
    .validate = bridged_validate,
};
