/* Reading other tables' base chains from the kernel (firewall_scan.c), for firewall.h's checks. */
#ifndef NETD_KERNEL_FIREWALL_H
#define NETD_KERNEL_FIREWALL_H

#include "netd/firewall.h"

struct netd_nft;

/* Kernel: every base chain of every table but inet netd (libnftnl dump), read on nft's socket.
 * Caller frees. */
int netd_fw_scan(struct netd_nft *nft, struct netd_fw_chain **out, size_t *n);

#endif
