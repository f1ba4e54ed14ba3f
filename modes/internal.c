/* internal: a switch for guests only; the host has no address on it. */
#include "netd/mode.h"

#define NO_HOST                                                                                    \
	"an internal network has no host address, so the host can neither reach nor "              \
	"route for its guests; use Mode=hostonly for that"

const struct netd_mode_ops netd_mode_internal = {
    .mode = NETD_MODE_INTERNAL,
    .name = "internal",
    .defaults =
        {
            [NETD_CELL_VM_TO_HOST] = NETD_POLICY_DENY,
            [NETD_CELL_HOST_TO_VM] = NETD_POLICY_DENY,
            [NETD_CELL_VM_TO_OUTSIDE] = NETD_POLICY_DENY,
            [NETD_CELL_OUTSIDE_TO_VM] = NETD_POLICY_DENY,
            [NETD_CELL_VM_TO_VM] = NETD_POLICY_DENY,
        },
    /* A lab network is internal with VMToVM=allow. */
    .flippable = 1u << NETD_CELL_VM_TO_VM,
    .why_not =
        {
            [NETD_CELL_VM_TO_HOST] = NO_HOST,
            [NETD_CELL_HOST_TO_VM] = NO_HOST,
            [NETD_CELL_VM_TO_OUTSIDE] = NO_HOST,
            [NETD_CELL_OUTSIDE_TO_VM] = NO_HOST,
        },
    /* No host address: the host answers ARP for none of its addresses. */
    .arp_ignore = 8,
    .no_ipv6 = true,
};
