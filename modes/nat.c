/* nat: guests reach the host and the world through masquerade; nothing reaches them. */
#include "netd/mode.h"

const struct netd_mode_ops netd_mode_nat = {
    .mode = NETD_MODE_NAT,
    .name = "nat",
    .defaults =
        {
            [NETD_CELL_VM_TO_HOST] = NETD_POLICY_ALLOW,
            [NETD_CELL_HOST_TO_VM] = NETD_POLICY_DENY,
            [NETD_CELL_VM_TO_OUTSIDE] = NETD_POLICY_ALLOW,
            [NETD_CELL_OUTSIDE_TO_VM] = NETD_POLICY_DENY,
            [NETD_CELL_VM_TO_VM] = NETD_POLICY_ALLOW,
        },
    /* Every cell is a rule in table inet netd (VM <-> VM also a port flag). */
    .flippable = (1u << NETD_CELL_MAX) - 1,
    .needs_address = true,
    .allows_address = true,
    .allows_dhcp = true,
    .routed = true,
    /* libvirt's NAT guests expect the host as gateway even where the policy routes nothing. */
    .host_is_router = true,
    .masquerade = true,
    /* Without an IPv6 prefix the bridge has no IPv6 at all, as libvirt's virbr0 (disable_ipv6
     * on an IPv4-only network): nothing of the host answers there over IPv6, and the bridge
     * adds five fewer address and route notices at up and down, each of which wakes every
     * process that listens to them (every other network's dnsmasq among them). */
    .no_ipv6 = true,
    /* Its guests are behind the host's addresses: forwards are how anything reaches them. */
    .port_forwards = true,
};
