/*
 * Unsolicited IPv6 neighbour advertisements from a link (the message: netd/na.h). After a
 * bond under a bridge fails over, the engine announces the bridge's IPv6 addresses with these
 * as it announces its IPv4 ones with kernel/garp.h.
 */
#ifndef NETD_KERNEL_UNSOL_NA_H
#define NETD_KERNEL_UNSOL_NA_H

#include <stdbool.h>
#include <stddef.h>

#include "netd/kernel/netlink.h"
#include "netd/na.h"

/* One advertisement of target (an address of the link) from the link with this index and
 * MAC: to ff02::1, from target itself, hop limit 255, over a raw ICMPv6 socket. */
int netd_na_send(int ifindex, const uint8_t mac[6], const struct in6_addr *target, bool router);

/*
 * One advertisement for each usable IPv6 address of link li (global, unique local and
 * link-local; not tentative, not failed DAD), from li's MAC, Router set when the link
 * forwards IPv6 (its net.ipv6.conf.<link>.forwarding), as the kernel's own. Best effort: every
 * address is tried, the first error returned; *sent counts those that went. A link without
 * IPv6 sends nothing and returns 0.
 */
int netd_na_announce(struct netd_nl *nl, const struct netd_link_info *li, size_t *sent);

#endif
