/*
 * A network that cannot come up because its bridge name or subnet is held by one of libvirt's
 * networks says so by name ("virbr0 belongs to libvirt's network 'default' (virsh net-destroy
 * default, or use another Bridge=)") instead of a bare collision.
 */
#include <stdlib.h>

#include "engine_priv.h"
#include "netd/kernel/libvirt_state.h"

void netd_libvirt_hint(const struct netd_network *n, struct netd_diag *diag)
{
	struct netd_libvirt_net *v = NULL;
	size_t k = 0;

	if (netd_libvirt_networks_read(&v, &k) == 0)
		netd_libvirt_conflict(n, v, k, diag);
	free(v);
}
