/*
 * A guest's MAC and static address on a network: who holds one already, a free random MAC.
 * Pure: the random bytes and the time come from the caller.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netd/dnsmasq.h"
#include "netd/tap.h"

bool netd_tap_mac_taken(const struct netd_network *n, const struct netd_tap_state *s,
                        const struct netd_lease *leases, size_t n_leases, const uint8_t mac[6],
                        bool with_hosts, char *who, size_t len)
{
	for (size_t i = 0; with_hosts && i < n->n_hosts; i++)
		if (memcmp(n->hosts[i].mac, mac, 6) == 0)
			return snprintf(who, len, "the [Host] on line %u of %s", n->hosts[i].line,
			                n->source) > 0;
	for (size_t i = 0; i < n->n_taps; i++)
		if (memcmp(n->taps[i].mac, mac, 6) == 0)
			return snprintf(who, len, "the [Tap] %s", n->taps[i].name) > 0;
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->v[i].mac, mac, 6) == 0)
			return snprintf(who, len, "tap %s", s->v[i].tap) > 0;
	for (size_t i = 0; i < n_leases; i++)
		if (memcmp(leases[i].mac, mac, 6) == 0)
			return snprintf(who, len, "a lease") > 0;
	return false;
}

int netd_tap_pick_mac(const struct netd_network *n, const struct netd_tap_state *s,
                      const struct netd_lease *leases, size_t n_leases, const uint8_t *random,
                      size_t tries, uint8_t mac[6])
{
	char who[128];

	for (size_t t = 0; t < tries; t++) {
		/* qemu's own prefix: what a guest's MAC looks like to anyone reading a lease. */
		mac[0] = 0x52;
		mac[1] = 0x54;
		mac[2] = 0x00;
		memcpy(mac + 3, random + 3 * t, 3);
		if (!netd_tap_mac_taken(n, s, leases, n_leases, mac, true, who, sizeof(who)))
			return 0;
	}
	return -EADDRINUSE;
}

/* A static lease of the config or the record holding a: -EADDRINUSE with diag saying whose. */
static int static_lease_of(const struct netd_network *n, const struct netd_tap_state *s,
                           struct in_addr a, const char *ip, struct netd_diag *diag)
{
	for (size_t i = 0; i < n->n_hosts; i++)
		if (n->hosts[i].addr.s_addr == a.s_addr) {
			netd_diag_set(diag,
			              "address %s is the static lease of the [Host] on line %u "
			              "of %s",
			              ip, n->hosts[i].line, n->source);
			return -EADDRINUSE;
		}
	for (size_t i = 0; i < n->n_taps; i++)
		if (n->taps[i].addr.s_addr == a.s_addr) {
			netd_diag_set(diag, "address %s is the static lease of the [Tap] %s", ip,
			              n->taps[i].name);
			return -EADDRINUSE;
		}
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].addr.s_addr == a.s_addr) {
			netd_diag_set(diag, "address %s is the static lease of tap %s", ip,
			              s->v[i].tap);
			return -EADDRINUSE;
		}
	return 0;
}

int netd_tap_address_check(const struct netd_network *n, const struct netd_tap_state *s,
                           const struct netd_lease *leases, size_t n_leases, const uint8_t mac[6],
                           struct in_addr a, time_t now, struct netd_diag *diag)
{
	char ip[INET_ADDRSTRLEN], net[32], m[18];
	int ret;

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	netd_prefix_format(&n->address, true, net, sizeof(net));
	if (!n->has_dhcp) {
		netd_diag_set(diag,
		              "%s serves no DHCP: a static address needs the network's [DHCP] "
		              "section",
		              n->name);
		return -EINVAL;
	}
	switch (netd_guest_addr_check(&n->address, a)) {
	case NETD_GUEST_ADDR_OK:
		break;
	case NETD_GUEST_ADDR_HOST:
		netd_diag_set(diag, "address %s is the host's own address on %s", ip, n->name);
		return -EINVAL;
	default: /* outside, or the subnet's network or broadcast address */
		netd_diag_set(diag, "address %s is not a guest address of %s's subnet %s", ip,
		              n->name, net);
		return -EINVAL;
	}
	ret = static_lease_of(n, s, a, ip, diag);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n_leases; i++)
		if (leases[i].addr.s_addr == a.s_addr && memcmp(leases[i].mac, mac, 6) != 0 &&
		    (leases[i].expiry == 0 || leases[i].expiry > now)) {
			netd_mac_format(leases[i].mac, m);
			netd_diag_set(diag, "address %s is leased to %s; detach that guest first",
			              ip, m);
			return -EADDRINUSE;
		}
	return 0;
}
