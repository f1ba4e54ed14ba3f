/* The networks libvirt's network driver runs, from its status files ($NETD_LIBVIRT_NETWORK_DIR
 * or /run/libvirt/network/NAME.xml); facts only (netd/libvirt.h parses them). */
#ifndef NETD_KERNEL_LIBVIRT_STATE_H
#define NETD_KERNEL_LIBVIRT_STATE_H

#include "netd/libvirt.h"

/* Every *.xml of the directory that parses (caller frees *out); no directory: 0 networks. */
int netd_libvirt_networks_read(struct netd_libvirt_net **out, size_t *n);

#endif
