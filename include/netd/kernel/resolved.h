/*
 * systemd-resolved, told over the system D-Bus that a network's domain is answered by the
 * network's dnsmasq on its bridge (SetLinkDNS and SetLinkDomains, what `resolvectl dns` and
 * `resolvectl domain` call), and taken back (RevertLink). No file is edited. The bus is
 * $DBUS_SYSTEM_BUS_ADDRESS (unix:path=...) or /run/dbus/system_bus_socket; every call opens
 * its own connection, bounded by a 1 s timeout.
 */
#ifndef NETD_KERNEL_RESOLVED_H
#define NETD_KERNEL_RESOLVED_H

#include <netinet/in.h>

#include "netd/model.h"

/* 1 when systemd-resolved holds its name on the system bus and runs in netd's network
 * namespace (a link's ifindex means nothing in another); 0 when not, or when there is no
 * system bus at all; -errno when the bus could not be asked. The calls below answer -ENOENT
 * in those cases. */
int netd_resolved_running(void);
/* Link ifindex: DNS server `server`, and `domain` routed to it only (~DOMAIN). */
int netd_resolved_set_link(int ifindex, struct in_addr server, const char *domain,
                           struct netd_diag *diag);
/* What netd told resolved about link ifindex, taken back. */
int netd_resolved_revert_link(int ifindex, struct netd_diag *diag);

#endif
