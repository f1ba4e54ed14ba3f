/*
 * Gratuitous ARP. When a bond under a bridged network's bridge fails over, the kernel
 * announces only the bond's own addresses, and here those live on the bridge above it: the
 * LAN would keep sending the host's traffic to the dead port until the host happened to
 * transmit. netd announces the bridge's addresses itself.
 */
#ifndef NETD_GARP_H
#define NETD_GARP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define NETD_GARP_LEN 28 /* an Ethernet/IPv4 ARP payload */

/* Pure: an ARP request announcing addr at mac (sender = target = addr), into buf. */
size_t netd_garp_build(const uint8_t mac[6], struct in_addr addr, uint8_t buf[NETD_GARP_LEN]);

/* Broadcast one gratuitous ARP for addr from the link with this index and MAC. */
int netd_garp_send(int ifindex, const uint8_t mac[6], struct in_addr addr);

#endif
