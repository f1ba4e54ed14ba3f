/* hostonly: guests and the host share a bridge; nothing is routed until a policy says so. */
#include "netd/mode.h"

const struct netd_mode_ops netd_mode_hostonly = {
    .mode = NETD_MODE_HOSTONLY,
    .name = "hostonly",
    /* The documents' table: "x, can be allowed" for the four host/outside cells. The
     * host still serves DHCP and DNS on the bridge: that is why it has an address. */
    .defaults =
        {
            [NETD_CELL_VM_TO_HOST] = NETD_POLICY_DENY,
            [NETD_CELL_HOST_TO_VM] = NETD_POLICY_DENY,
            [NETD_CELL_VM_TO_OUTSIDE] = NETD_POLICY_DENY,
            [NETD_CELL_OUTSIDE_TO_VM] = NETD_POLICY_DENY,
            [NETD_CELL_VM_TO_VM] = NETD_POLICY_ALLOW,
        },
    .flippable = (1u << NETD_CELL_MAX) - 1,
    .needs_address = true,
    .allows_address = true,
    .allows_dhcp = true,
    /* The host routes (without NAT) only where a [Policy] cell towards the outside says so. */
    .routed = true,
    /* Guests find the host's own address, DHCP and DNS, and nothing else of the host. */
    .arp_ignore = 1,
    .no_ipv6 = true,
};
