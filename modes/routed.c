/*
 * routed (libvirt's <forward mode='route'>): the host has an address on the bridge and routes
 * the guests' subnet without NAT. Guests reach the outside with their own addresses, so the
 * upstream router must route the subnet to the host; nothing outside reaches them unless
 * OutsideToVM says so.
 */
#include "netd/mode.h"

const struct netd_mode_ops netd_mode_routed = {
    .mode = NETD_MODE_ROUTED,
    .name = "routed",
    /* nat's column: what differs is the source address the outside sees (the guest's own). */
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
    /* The guests' gateway is the host, as on libvirt's routed networks, whatever the policy. */
    .host_is_router = true,
    /* The host routes to the guests, so it can DNAT a port of its own to one of them; the
     * hairpin alone is masqueraded (post_<net>, core/nft_forward.c), nothing else. */
    .port_forwards = true,
    /* Without an IPv6 prefix the bridge has no IPv6 at all, as libvirt's virbr0 (disable_ipv6
     * on an IPv4-only network): nothing of the host answers there over IPv6, and the bridge
     * adds five fewer address and route notices at up and down, each of which wakes every
     * process that listens to them (every other network's dnsmasq among them). */
    .no_ipv6 = true,
};
