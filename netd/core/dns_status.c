/*
 * What `status` says about a network's DNS: where guests' names are answered, and how the
 * host resolves them: through systemd-resolved, which netd told (netd/kernel/resolved.h), or,
 * where it does not run, the one line a user adds to their own resolver. Pure.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "netd/dns_status.h"

json_object *netd_dns_status_json(const struct netd_network *n, enum netd_host_resolver r)
{
	static const char *const resolvers[] = {
	    [NETD_HOST_RESOLVER_UNKNOWN] = "unknown",
	    [NETD_HOST_RESOLVER_RESOLVED] = "systemd-resolved",
	    [NETD_HOST_RESOLVER_NONE] = "none",
	};
	char addr[INET_ADDRSTRLEN], line[NETD_DNS_NAME_MAX + 32];
	json_object *o;

	if (!n->has_address)
		return NULL;
	o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "enabled", json_object_new_boolean(!n->dns.disabled));
	if (n->dns.disabled)
		return o;
	inet_ntop(AF_INET, &n->address.addr, addr, sizeof(addr));
	json_object_object_add(o, "server", json_object_new_string(addr));
	if (!n->dns.domain[0])
		return o;
	json_object_object_add(o, "domain", json_object_new_string(n->dns.domain));
	json_object_object_add(o, "host_resolver", json_object_new_string(resolvers[r]));
	/* dnsmasq's syntax (NetworkManager's dnsmasq plugin, a host dnsmasq); unbound and
	 * others take the same pair as a forward zone. */
	snprintf(line, sizeof(line), "server=/%s/%s", n->dns.domain, addr);
	json_object_object_add(o, "resolver_line", json_object_new_string(line));
	return o;
}
