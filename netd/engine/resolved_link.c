/*
 * The host resolves a network's guests: after the network came up (or a reload brought it to
 * its new definition), systemd-resolved is told that the network's domain is answered by its
 * dnsmasq on its bridge; before it goes down, that is taken back. Where resolved does not run,
 * status prints the line a user adds to their resolver instead (core/dns_status.c). A failure
 * here is logged, never a reason to refuse the network.
 */
#include <errno.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/kernel/resolved.h"
#include "netd/util/log.h"

void netd_resolved_sync(struct netd_engine *e, const struct netd_network *n, bool up)
{
	struct netd_link_info li;
	struct netd_diag d = {{0}};
	int ret;

	if (!n->has_address || n->dns.disabled || !n->dns.domain[0] ||
	    !netd_engine_bridge_get(e, n, &li))
		return;
	ret = up ? netd_resolved_set_link(li.ifindex, n->address.addr, n->dns.domain, &d)
	         : netd_resolved_revert_link(li.ifindex, &d);
	if (ret == 0) {
		e->host_resolver = NETD_HOST_RESOLVER_RESOLVED;
		netd_log_net(LOG_INFO, n->name, "systemd-resolved %s %s on %s",
		             up ? "resolves" : "no longer resolves", n->dns.domain, n->bridge);
	} else if (ret == -ENOENT) {
		e->host_resolver = NETD_HOST_RESOLVER_NONE;
	} else {
		netd_log_net(LOG_WARNING, n->name, "telling systemd-resolved about %s: %s",
		             n->bridge, d.msg[0] ? d.msg : strerror(-ret));
	}
}
