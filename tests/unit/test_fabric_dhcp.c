/*
 * The fabric's rules: DHCP on a spanning network (each host's slice of the range, distinct,
 * covering it, the same cut on every host), the tunnel-safe MTU, the VXLAN port's chain in
 * table bridge netd that keeps DHCP on its host, and the guard that takes VXLAN and BGP only
 * from the peers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/config.h"
#include "netd/fabric.h"
#include "netd/nft.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a = {inet_addr(s)};
	return a;
}

/* Host self of a mesh of 10.250.0.1-3 (as its own fabric file lists the others). */
static int slice(const char *self, const char *first, const char *last, uint32_t *lo, uint32_t *hi)
{
	struct netd_fabric f = {.asn = 65000, .role = NETD_FABRIC_MESH};
	const char *all[] = {"10.250.0.3", "10.250.0.1", "10.250.0.2"};
	struct in_addr a = ip(first), b = ip(last);
	int ret;

	for (size_t i = 0; i < 3; i++)
		if (strcmp(all[i], self) != 0)
			f.peers[f.n_peers++] = ip(all[i]);
	ret = netd_fabric_dhcp_slice(&f, ip(self), &a, &b);
	*lo = ntohl(a.s_addr) & 0xff;
	*hi = ntohl(b.s_addr) & 0xff;
	return ret;
}

static void test_slices(void **state)
{
	uint32_t lo, hi;

	assert_int_equal(slice("10.250.0.1", "192.168.77.100", "192.168.77.199", &lo, &hi), 0);
	assert_int_equal(lo, 100);
	assert_int_equal(hi, 132);
	assert_int_equal(slice("10.250.0.2", "192.168.77.100", "192.168.77.199", &lo, &hi), 0);
	assert_int_equal(lo, 133);
	assert_int_equal(hi, 165);
	/* the last takes the remainder: the slices cover the range */
	assert_int_equal(slice("10.250.0.3", "192.168.77.100", "192.168.77.199", &lo, &hi), 0);
	assert_int_equal(lo, 166);
	assert_int_equal(hi, 199);
	assert_int_equal(slice("10.250.0.2", "192.168.77.100", "192.168.77.101", &lo, &hi),
	                 -ERANGE);
}

static void test_slice_roles(void **state)
{
	struct netd_fabric f = {.asn = 65000, .role = NETD_FABRIC_CLIENT, .n_peers = 1};
	struct in_addr a = ip("10.0.0.2"), b = ip("10.0.0.9");

	f.peers[0] = ip("10.250.0.9");
	assert_int_equal(netd_fabric_dhcp_slice(&f, ip("10.250.0.1"), &a, &b), -ENOTSUP);
	assert_int_equal(a.s_addr, ip("10.0.0.2").s_addr);
}

static void test_mtu(void **state)
{
	assert_int_equal(netd_fabric_guest_mtu(1500), 1450);
	assert_int_equal(netd_fabric_guest_mtu(1549), 1499);
	assert_int_equal(netd_fabric_guest_mtu(1550), 0);
	assert_int_equal(netd_fabric_guest_mtu(9000), 0);
}

static char *render(const char *conf)
{
	struct netd_network *n = NULL;
	struct netd_nft_net *x = NULL;
	struct netd_diag d = {{0}};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(netd_config_parse_string(conf, "n.conf", &n, &d), 0);
	assert_int_equal(netd_nft_net_build(n, &x), 0);
	f = open_memstream(&buf, &len);
	assert_int_equal(netd_nft_render_net(x, f), 0);
	fclose(f);
	netd_nft_net_free(x);
	netd_network_free(n);
	return buf;
}

/* "ether saddr <wan's gateway MAC> drop" first in the tunnel's chain. */
static void gw_mac(const char *t)
{
	uint8_t m[6];
	char want[64];

	netd_fabric_gateway_mac("wan", m);
	snprintf(want, sizeof(want), "ether saddr %02x:%02x:%02x:%02x:%02x:%02x drop", m[0], m[1],
	         m[2], m[3], m[4], m[5]);
	if (!strstr(t, want))
		fail_msg("no '%s' in:\n%s", want, t);
}

#define WAN "[Network]\nName=wan\nMode=nat\nBridge=brwan\nAddress=192.168.77.1/24\n"

static void test_tunnel_port(void **state)
{
	char *t = render(WAN "[DHCP]\nRange=192.168.77.100 192.168.77.199\n[VXLAN]\nVNI=200\n");

	if (!strstr(t, "chain port_wan.vx200 {") || !strstr(t, "udp dport 67 drop") ||
	    !strstr(t, "udp dport 68 drop") || !strstr(t, "\"vx200\" : jump port_wan.vx200"))
		fail_msg("no tunnel port chain in:\n%s", t);
	/* the gateway's frames, leaving or arriving, and ARP for its address from the tunnel;
	 * the chain is reached by what the host sends through the port too */
	gw_mac(t);
	if (!strstr(t, "arp daddr ip 192.168.77.1 drop") ||
	    !strstr(t, "add element bridge netd port_out_if { \"vx200\" : jump port_wan.vx200 }"))
		fail_msg("no gateway rules in:\n%s", t);
	free(t);
	/* with GuestSourceCheck off too: the tunnel's chain is not a guest's binding */
	t = render(WAN "GuestSourceCheck=no\n[DHCP]\nRange=192.168.77.100 192.168.77.199\n"
	               "[VXLAN]\nVNI=200\n");
	assert_non_null(strstr(t, "chain port_wan.vx200 {"));
	free(t);
	/* no DHCP: the gateway's rules alone; no address and no DHCP (internal), or not
	 * spanning: no chain */
	t = render(WAN "[VXLAN]\nVNI=200\n");
	assert_non_null(strstr(t, "chain port_wan.vx200 {"));
	assert_null(strstr(t, "udp dport 67"));
	assert_null(strstr(t, "nd-router"));
	free(t);
	/* IPv6: router discovery stays on each host, either way */
	t = render(WAN "Address=fd42:88::1/64\n[VXLAN]\nVNI=200\n");
	if (!strstr(t, "icmpv6 type nd-router-solicit drop") ||
	    !strstr(t, "icmpv6 type nd-router-advert drop"))
		fail_msg("no router discovery rules in:\n%s", t);
	assert_null(strstr(t, "udp dport 547"));
	free(t);
	/* DHCPv6 stays on each host too (each serves its slice of the DHCPv6 range) */
	t = render(WAN "Address=fd42:88::1/64\n[DHCP]\nRange=192.168.77.100 192.168.77.199\n"
	               "Range=fd42:88::100 fd42:88::1ff\n[VXLAN]\nVNI=200\n");
	if (!strstr(t, "udp dport 547 drop") || !strstr(t, "udp dport 546 drop") ||
	    !strstr(t, "udp dport 67 drop"))
		fail_msg("no DHCPv6 rules in:\n%s", t);
	free(t);
	t = render("[Network]\nName=lab\nMode=internal\nBridge=brlab\n[VXLAN]\nVNI=100\n");
	assert_null(strstr(t, "vx100"));
	free(t);
	t = render(WAN "[DHCP]\nRange=192.168.77.100 192.168.77.199\n");
	assert_null(strstr(t, "port_wan.vx"));
	free(t);
}

static char *guard_text(const struct netd_fabric *f)
{
	struct netd_nft_chain c;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_int_equal(netd_nft_fabric_guard(f, &c), 0);
	assert_string_equal(c.name, "input");
	for (size_t i = 0; i < c.n_rules; i++) {
		netd_nft_render_rule(&c.rules[i], out);
		fputc('\n', out);
	}
	fclose(out);
	free(c.rules);
	return buf;
}

static void test_guard(void **state)
{
	struct netd_fabric f = {.asn = 65000, .role = NETD_FABRIC_MESH, .n_peers = 2, .port = 8472};
	char *t;

	f.peers[0] = ip("10.250.0.2");
	f.peers[1] = ip("10.250.0.3");
	t = guard_text(&f);
	assert_string_equal(t, "ip saddr 10.250.0.2 udp dport 8472 accept\n"
	                       "ip saddr 10.250.0.2 tcp dport 179 accept\n"
	                       "ip saddr 10.250.0.3 udp dport 8472 accept\n"
	                       "ip saddr 10.250.0.3 tcp dport 179 accept\n"
	                       "udp dport 8472 drop\n"
	                       "tcp dport 179 drop\n");
	free(t);
	/* the reflector accepts its Listen= prefix */
	memset(&f, 0, sizeof(f));
	f.role = NETD_FABRIC_REFLECTOR;
	f.port = 4789;
	netd_prefix_parse("10.250.0.0/24", &f.listen);
	t = guard_text(&f);
	assert_string_equal(t, "ip saddr 10.250.0.0/24 udp dport 4789 accept\n"
	                       "ip saddr 10.250.0.0/24 tcp dport 179 accept\n"
	                       "udp dport 4789 drop\n"
	                       "tcp dport 179 drop\n");
	free(t);
}

/* A network whose IPv4 Range= (line 7) is first - last, spanning hosts, against a mesh of
 * three: 0, or -EINVAL with the error in d. */
static int check_range(const char *first, const char *last, struct netd_diag *d)
{
	char text[512];
	struct netd_network *n = NULL;
	struct netd_config c = {.n_networks = 1};
	int ret;

	snprintf(text, sizeof(text),
	         "[Network]\nName=wan\nMode=nat\nBridge=brwan\nAddress=192.168.77.1/24\n"
	         "[DHCP]\nRange=%s %s\n[VXLAN]\nVNI=200\n",
	         first, last);
	assert_int_equal(netd_config_parse_string(text, "wan.conf", &n, d), 0);
	assert_int_equal(netd_fabric_parse_string("[Fabric]\nASN=65000\nUnderlay=10.250.0.1\n"
	                                          "Peers=10.250.0.2 10.250.0.3\n",
	                                          "host.fabric", &c.fabric, d),
	                 0);
	c.networks = &n;
	ret = netd_fabric_check_networks(&c, d);
	netd_network_free(n);
	free(c.fabric);
	return ret;
}

/* A range with fewer addresses than hosts is refused at its line: every host would otherwise
 * serve the whole of it, and two could hand out one address. One per host is enough. */
static void test_range_too_small(void **state)
{
	struct netd_diag d = {{0}};

	(void)state;
	assert_int_equal(check_range("192.168.77.100", "192.168.77.101", &d), -EINVAL);
	if (!strstr(d.msg, "wan.conf:7: DHCP range 192.168.77.100 - 192.168.77.101 of network "
	                   "'wan' is too small for the fabric's 3 hosts (host.fabric:4)"))
		fail_msg("unexpected: %s", d.msg);
	assert_int_equal(check_range("192.168.77.100", "192.168.77.102", &d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slices), cmocka_unit_test(test_slice_roles),
	    cmocka_unit_test(test_mtu),    cmocka_unit_test(test_tunnel_port),
	    cmocka_unit_test(test_guard),  cmocka_unit_test(test_range_too_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
