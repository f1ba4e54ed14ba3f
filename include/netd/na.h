/*
 * Unsolicited IPv6 neighbour advertisements (RFC 4861 7.2.6), the IPv6 twin of
 * kernel/garp.h's gratuitous ARP. When a bond under a bridged network's bridge fails over,
 * the kernel announces only the bond's own addresses (its NETDEV_NOTIFY_PEERS), and the
 * host's IPv6 addresses live on the bridge above it: netd announces those itself, so the LAN's
 * switches learn the host's new port and its neighbours refresh their entries. Pure: the
 * message only; kernel/unsol_na.h sends it.
 */
#ifndef NETD_NA_H
#define NETD_NA_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ICMPv6 header and target (24 bytes) and one target link-layer address option (8). */
#define NETD_NA_LEN 32

/* Flag bits of the advertisement's first word after the checksum (RFC 4861 4.4). */
#define NETD_NA_F_ROUTER   0x80
#define NETD_NA_F_SOLICIT  0x40
#define NETD_NA_F_OVERRIDE 0x20

/*
 * An unsolicited advertisement of target at mac, into buf: type 136, code 0, Override set
 * (the receivers replace whatever link-layer address they had), Solicited clear, Router as
 * the announcing link forwards (a neighbour told IsRouter=false drops the host from its
 * default routers), and the target link-layer address option. The checksum is left 0: it
 * covers the IPv6 pseudo-header, which the kernel's raw ICMPv6 socket fills in as it sends.
 * Returns NETD_NA_LEN.
 */
size_t netd_na_build(const uint8_t mac[6], const struct in6_addr *target, bool router,
                     uint8_t buf[NETD_NA_LEN]);

#endif
