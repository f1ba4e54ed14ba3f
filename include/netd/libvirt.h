/*
 * Living next to libvirt: the networks libvirt's network driver runs (its status files,
 * /run/libvirt/network/NAME.xml), so that `up` names libvirt's network when its bridge name
 * or subnet is libvirt's, instead of a bare "File exists". Pure: core/libvirt_status.c; the
 * files are read by netd/kernel/libvirt_state.c.
 */
#ifndef NETD_LIBVIRT_H
#define NETD_LIBVIRT_H

#include "netd/model.h"

#define NETD_LIBVIRT_NETWORK_DIR "/run/libvirt/network"

struct netd_libvirt_net {
	char name[128];
	char bridge[IFNAMSIZ]; /* "" when the file names none */
	bool has_prefix;
	struct netd_prefix prefix; /* its first IPv4 <ip address= netmask=|prefix=> */
};

/* Pure: the network of a libvirt network (or network status) XML text, as libvirt writes it.
 * -EINVAL when it has no <name>. */
int netd_libvirt_net_parse(const char *xml, struct netd_libvirt_net *out);

/* Pure: when one of v[0..k) holds n's bridge name or overlaps its subnet, diag says so ("<n>:
 * virbr0 belongs to libvirt's network 'default' (virsh net-destroy default, or use another
 * Bridge=)") and true is returned; false (diag untouched) when none does. */
bool netd_libvirt_conflict(const struct netd_network *n, const struct netd_libvirt_net *v, size_t k,
                           struct netd_diag *diag);

#endif
