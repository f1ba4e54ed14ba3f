/* What status says about a network's DNS and how the host resolves its guests (pure:
 * core/dns_status.c). */
#ifndef NETD_DNS_STATUS_H
#define NETD_DNS_STATUS_H

#include <json-c/json.h>

#include "netd/model.h"

/* How the host resolves the network's domain, as netd last found out. */
enum netd_host_resolver {
	NETD_HOST_RESOLVER_UNKNOWN,  /* not asked yet */
	NETD_HOST_RESOLVER_RESOLVED, /* systemd-resolved runs, and netd told it */
	NETD_HOST_RESOLVER_NONE,     /* systemd-resolved does not run */
};
/* {"enabled", "server", "domain", "host_resolver", "resolver_line": "server=/DOMAIN/ADDR",
 * the one line a user adds to their resolver}; NULL for a network without an address. */
json_object *netd_dns_status_json(const struct netd_network *n, enum netd_host_resolver r);

#endif
