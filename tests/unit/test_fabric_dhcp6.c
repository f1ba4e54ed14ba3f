/*
 * The DHCPv6 range of a spanning network (fabric_dhcp.c): cut into one slice per host of the
 * fabric, the same place as IPv4's and the same way (the last host takes what does not divide
 * evenly), in 128-bit arithmetic (a slice's bounds carry across the 64-bit halves, and a
 * range of all 2^128 addresses cuts too); a range with fewer addresses than hosts refused
 * with the range's file:line.
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

static struct in6_addr ip6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static const char *str6(const struct in6_addr *a)
{
	static char buf[INET6_ADDRSTRLEN];

	return inet_ntop(AF_INET6, a, buf, sizeof(buf));
}

static char got[2][INET6_ADDRSTRLEN];

/* Slice place of n of [first, last]: its bounds into got[0] and got[1]. */
static int cut(size_t n, size_t place, const char *first, const char *last)
{
	struct in6_addr a = ip6(first), b = ip6(last);
	int ret = netd_fabric_dhcp6_cut(n, place, &a, &b);

	inet_ntop(AF_INET6, &a, got[0], sizeof(got[0]));
	inet_ntop(AF_INET6, &b, got[1], sizeof(got[1]));
	return ret;
}

#define SLICE(n, place, first, last, want_first, want_last)                                        \
	do {                                                                                       \
		assert_int_equal(cut(n, place, first, last), 0);                                   \
		assert_string_equal(got[0], want_first);                                           \
		assert_string_equal(got[1], want_last);                                            \
	} while (0)

/* 256 addresses: in two even halves; in three, 85 each and the last host 86. */
static void test_cut(void **state)
{
	SLICE(2, 0, "fd42::100", "fd42::1ff", "fd42::100", "fd42::17f");
	SLICE(2, 1, "fd42::100", "fd42::1ff", "fd42::180", "fd42::1ff");
	SLICE(3, 0, "fd42::100", "fd42::1ff", "fd42::100", "fd42::154");
	SLICE(3, 1, "fd42::100", "fd42::1ff", "fd42::155", "fd42::1a9");
	SLICE(3, 2, "fd42::100", "fd42::1ff", "fd42::1aa", "fd42::1ff");
	/* one host: the whole range */
	SLICE(1, 0, "fd42::100", "fd42::1ff", "fd42::100", "fd42::1ff");
}

/* Exactly one address each, and one fewer than hosts: refused, the range untouched. */
static void test_too_small(void **state)
{
	SLICE(3, 0, "fd42::100", "fd42::102", "fd42::100", "fd42::100");
	SLICE(3, 2, "fd42::100", "fd42::102", "fd42::102", "fd42::102");
	assert_int_equal(cut(3, 1, "fd42::100", "fd42::101"), -ERANGE);
	assert_string_equal(got[0], "fd42::100");
	assert_string_equal(got[1], "fd42::101");
	assert_int_equal(cut(2, 0, "fd42::7", "fd42::7"), -ERANGE);
	assert_int_equal(cut(0, 0, "fd42::100", "fd42::1ff"), -EINVAL);
	assert_int_equal(cut(2, 2, "fd42::100", "fd42::1ff"), -EINVAL);
	assert_int_equal(cut(2, 0, "fd42::1ff", "fd42::100"), -EINVAL);
}

/* Beyond 64 bits: bounds that carry from the low half into the high one, a range wider than
 * 2^64, and every address there is. */
static void test_wide(void **state)
{
	SLICE(2, 0, "fd42::ffff:ffff:ffff:fffe", "fd42:0:0:1::1", "fd42::ffff:ffff:ffff:fffe",
	      "fd42::ffff:ffff:ffff:ffff");
	SLICE(2, 1, "fd42::ffff:ffff:ffff:fffe", "fd42:0:0:1::1", "fd42:0:0:1::", "fd42:0:0:1::1");
	SLICE(2, 0, "fd42::", "fd42::ffff:ffff:ffff:ffff:ffff",
	      "fd42::", "fd42::7fff:ffff:ffff:ffff:ffff");
	SLICE(2, 1, "fd42::", "fd42::ffff:ffff:ffff:ffff:ffff",
	      "fd42:0:0:8000::", "fd42::ffff:ffff:ffff:ffff:ffff");
	/* 2^128 / 3 = 0x5555...5555 (and a third): the last host takes the rest */
	SLICE(3, 0, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	      "::", "5555:5555:5555:5555:5555:5555:5555:5554");
	SLICE(3, 1, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	      "5555:5555:5555:5555:5555:5555:5555:5555", "aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaa9");
	SLICE(3, 2, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	      "aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static struct in_addr ip(const char *s)
{
	struct in_addr a = {inet_addr(s)};
	return a;
}

/* Host self of the mesh 10.250.0.1-3, peers listed in another order than the addresses'. */
static void mesh_of(struct netd_fabric *f, const char *self)
{
	const char *all[] = {"10.250.0.3", "10.250.0.1", "10.250.0.2"};

	memset(f, 0, sizeof(*f));
	f->asn = 65000;
	f->role = NETD_FABRIC_MESH;
	for (size_t i = 0; i < 3; i++)
		if (strcmp(all[i], self) != 0)
			f->peers[f->n_peers++] = ip(all[i]);
}

/* Each host's IPv6 slice is at its IPv4 slice's place: the first host and the last too. */
static void test_same_place(void **state)
{
	const char *hosts[] = {"10.250.0.1", "10.250.0.2", "10.250.0.3"};
	const char *want[3][2] = {
	    {"fd42::100", "fd42::154"}, {"fd42::155", "fd42::1a9"}, {"fd42::1aa", "fd42::1ff"}};
	const unsigned want4[3] = {100, 133, 166};
	struct netd_fabric f;

	for (size_t i = 0; i < 3; i++) {
		struct in6_addr a = ip6("fd42::100"), b = ip6("fd42::1ff");
		struct in_addr a4 = ip("192.168.77.100"), b4 = ip("192.168.77.199");

		mesh_of(&f, hosts[i]);
		assert_int_equal(netd_fabric_dhcp_hosts(&f), 3);
		assert_int_equal(netd_fabric_dhcp6_slice(&f, ip(hosts[i]), &a, &b), 0);
		assert_int_equal(netd_fabric_dhcp_slice(&f, ip(hosts[i]), &a4, &b4), 0);
		assert_string_equal(str6(&a), want[i][0]);
		assert_string_equal(str6(&b), want[i][1]);
		assert_int_equal(ntohl(a4.s_addr) & 0xff, want4[i]);
	}
}

/* A client of a reflector knows no other host: no cut, the range untouched. */
static void test_not_mesh(void **state)
{
	struct netd_fabric f = {.asn = 65000, .role = NETD_FABRIC_CLIENT, .n_peers = 1};
	struct in6_addr a = ip6("fd42::100"), b = ip6("fd42::1ff");

	f.peers[0] = ip("10.250.0.9");
	assert_int_equal(netd_fabric_dhcp_hosts(&f), 0);
	assert_int_equal(netd_fabric_dhcp6_slice(&f, ip("10.250.0.1"), &a, &b), -ENOTSUP);
	assert_string_equal(str6(&a), "fd42::100");
	assert_string_equal(str6(&b), "fd42::1ff");
}

#define NET6                                                                                       \
	"[Network]\nName=wan\nMode=nat\nBridge=brwan\nAddress=192.168.77.1/24\n"                   \
	"Address=fd42:77::1/64\n[DHCP]\nRange=192.168.77.100 192.168.77.199\n"

/* The network (its DHCPv6 Range= on line 9) against the fabric: 0, or the error's text. */
static int check(const char *range6, const char *fabric, const char *vxlan, struct netd_diag *d)
{
	char text[512];
	struct netd_network *n = NULL;
	struct netd_config c = {.n_networks = 1};
	int ret;

	snprintf(text, sizeof(text), NET6 "Range=%s\n%s", range6, vxlan);
	assert_int_equal(netd_config_parse_string(text, "wan.conf", &n, d), 0);
	assert_int_equal(netd_fabric_parse_string(fabric, "host.fabric", &c.fabric, d), 0);
	c.networks = &n;
	ret = netd_fabric_check_networks(&c, d);
	netd_network_free(n);
	free(c.fabric);
	return ret;
}

#define VXLAN  "[VXLAN]\nVNI=200\n"
#define MESH3  "[Fabric]\nASN=65000\nUnderlay=10.250.0.1\nPeers=10.250.0.2 10.250.0.3\n"
#define CLIENT "[Fabric]\nASN=65000\nUnderlay=10.250.0.1\nRouteReflector=10.250.0.9\n"

static void test_config(void **state)
{
	struct netd_diag d = {{0}};

	assert_int_equal(check("fd42:77::100 fd42:77::101", MESH3, VXLAN, &d), -EINVAL);
	if (!strstr(d.msg, "wan.conf:9: DHCPv6 range fd42:77::100 - fd42:77::101 of network "
	                   "'wan' is too small for the fabric's 3 hosts (host.fabric:4)"))
		fail_msg("unexpected: %s", d.msg);
	/* one address per host is enough; a reflector's fabric cuts nothing; a network that
	 * does not span hosts is not the fabric's */
	assert_int_equal(check("fd42:77::100 fd42:77::102", MESH3, VXLAN, &d), 0);
	assert_int_equal(check("fd42:77::100 fd42:77::100", CLIENT, VXLAN, &d), 0);
	assert_int_equal(check("fd42:77::100 fd42:77::100", MESH3, "", &d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cut),      cmocka_unit_test(test_too_small),
	    cmocka_unit_test(test_wide),     cmocka_unit_test(test_same_place),
	    cmocka_unit_test(test_not_mesh), cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
