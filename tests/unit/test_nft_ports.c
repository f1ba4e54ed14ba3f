/*
 * GuestSourceCheck in the IR: each guest port netd knows bound to its guest's MAC and address
 * (or subnet), [Tap]s and attached taps alike; the digests that let attach change one port
 * alone. The rendered text of whole networks with ports is in the goldens
 * (tests/data/nft/nat_guests.nft, bridged_guests.nft; test_nft_build.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/mode.h"
#include "netd/nft.h"
#include "netd/tap.h"

static const uint8_t mac_a[6] = {0x52, 0x54, 0, 0xaa, 0, 1};
static const uint8_t mac_b[6] = {0x52, 0x54, 0, 0xaa, 0, 2};

static struct netd_network *make_net(enum netd_mode mode, const char *address)
{
	struct netd_network *n = netd_network_new();

	assert_non_null(n);
	strcpy(n->name, "net1");
	strcpy(n->bridge, "br1");
	n->mode = mode;
	memcpy(n->policy, netd_mode_ops(mode)->defaults, sizeof(n->policy));
	if (address) {
		n->has_address = true;
		assert_int_equal(netd_prefix_parse(address, &n->address), 0);
		n->has_dhcp = true;
	}
	return n;
}

static struct netd_nft_guest guest(const char *port, const uint8_t mac[6], const char *addr)
{
	struct netd_nft_guest g = {0};

	snprintf(g.port, sizeof(g.port), "%s", port);
	memcpy(g.mac, mac, 6);
	if (addr)
		assert_int_equal(netd_ipv4_parse(addr, &g.addr), 0);
	return g;
}

static struct netd_nft_net *build(const struct netd_network *n, const struct netd_nft_guest *g,
                                  size_t count)
{
	struct netd_nft_net *x;

	assert_int_equal(netd_nft_net_build_guests(n, g, count, &x), 0);
	return x;
}

static const struct netd_nft_rule *expect_rule(const struct netd_nft_chain *c, size_t i,
                                               enum netd_nft_verdict v, enum netd_nft_match_kind k)
{
	assert_true(i < c->n_rules);
	assert_int_equal(c->rules[i].verdict, v);
	assert_int_equal(c->rules[i].match[0].kind, k);
	return &c->rules[i];
}

static void expect_prefix(const struct netd_nft_rule *r, const char *addr, unsigned len)
{
	struct in_addr a;

	assert_int_equal(netd_ipv4_parse(addr, &a), 0);
	assert_int_equal(r->match[0].u.prefix.addr.s_addr, a.s_addr);
	assert_int_equal(r->match[0].u.prefix.len, len);
}

/* The MAC part every bound port has: frames, VLAN tags, ARP's sender. */
static void expect_mac_rules(const struct netd_nft_chain *c, const uint8_t mac[6])
{
	assert_memory_equal(
	    expect_rule(c, 0, NETD_NFT_V_DROP, NETD_NFT_M_ETHER_SADDR_NE)->match[0].u.mac, mac, 6);
	assert_int_equal(
	    expect_rule(c, 1, NETD_NFT_V_DROP, NETD_NFT_M_ETHER_TYPE)->match[0].u.ether_type,
	    ETH_P_8021Q);
	assert_int_equal(
	    expect_rule(c, 2, NETD_NFT_V_DROP, NETD_NFT_M_ETHER_TYPE)->match[0].u.ether_type,
	    ETH_P_8021AD);
	assert_memory_equal(
	    expect_rule(c, 3, NETD_NFT_V_DROP, NETD_NFT_M_ARP_SHA_NE)->match[0].u.mac, mac, 6);
}

/* The address part: 0.0.0.0 for ARP probes and DHCP, then nothing but `bound`. */
static void expect_address_rules(const struct netd_nft_chain *c, const char *bound, unsigned len)
{
	const struct netd_nft_rule *r;

	expect_prefix(expect_rule(c, 4, NETD_NFT_V_RETURN, NETD_NFT_M_ARP_SPA), "0.0.0.0", 32);
	expect_prefix(expect_rule(c, 5, NETD_NFT_V_DROP, NETD_NFT_M_ARP_SPA_NE), bound, len);
	r = expect_rule(c, 6, NETD_NFT_V_RETURN, NETD_NFT_M_IP_SADDR);
	expect_prefix(r, "0.0.0.0", 32);
	assert_int_equal(r->n_match, 2);
	assert_int_equal(r->match[1].kind, NETD_NFT_M_UDP_DPORT);
	assert_int_equal(r->match[1].u.port, 67);
	expect_prefix(expect_rule(c, 7, NETD_NFT_V_DROP, NETD_NFT_M_IP_SADDR_NE), bound, len);
	assert_int_equal(c->n_rules, 8);
}

/* A tap with a static lease: its MAC and that address; one without: its MAC and the subnet. */
static void test_tap_with_and_without_address(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT, "10.5.0.1/16");
	struct netd_nft_guest g[] = {guest("vnet0", mac_a, "10.5.3.4"),
	                             guest("vnet1", mac_b, NULL)};
	struct netd_nft_net *x = build(n, g, 2);

	assert_int_equal(x->n_ports, 2);
	assert_string_equal(x->ports[0].ifname, "vnet0");
	assert_string_equal(x->ports[0].chain.name, "port_net1.vnet0");
	assert_true(x->ports[0].chain.present);
	expect_mac_rules(&x->ports[0].chain, mac_a);
	expect_address_rules(&x->ports[0].chain, "10.5.3.4", 32);
	assert_string_equal(x->ports[1].chain.name, "port_net1.vnet1");
	expect_mac_rules(&x->ports[1].chain, mac_b);
	expect_address_rules(&x->ports[1].chain, "10.5.0.0", 16);
	assert_ptr_equal(netd_nft_net_port(x, "vnet1"), &x->ports[1]);
	assert_null(netd_nft_net_port(x, "vnet2"));
	netd_nft_net_free(x);
	netd_network_free(n);
}

/* [Tap]s come first and say who their guest is; a record of the same port is not a second
 * binding. A [Tap] without Address= has the MAC config_tap.c derived for it. */
static void test_declared_taps_win(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_HOSTONLY, "192.168.9.1/24");
	struct netd_nft_guest g[] = {guest("vm0", mac_b, "192.168.9.77"),
	                             guest("vnet3", mac_b, NULL)};
	struct netd_nft_net *x;

	n->n_taps = 1;
	strcpy(n->taps[0].name, "vm0");
	memcpy(n->taps[0].mac, mac_a, 6);
	assert_int_equal(netd_ipv4_parse("192.168.9.20", &n->taps[0].addr), 0);
	x = build(n, g, 2);
	assert_int_equal(x->n_ports, 2);
	assert_string_equal(x->ports[0].ifname, "vm0");
	expect_mac_rules(&x->ports[0].chain, mac_a);
	expect_address_rules(&x->ports[0].chain, "192.168.9.20", 32);
	assert_string_equal(x->ports[1].ifname, "vnet3");
	netd_nft_net_free(x);
	/* netd_nft_net_build() binds the [Tap]s alone. */
	assert_int_equal(netd_nft_net_build(n, &x), 0);
	assert_int_equal(x->n_ports, 1);
	netd_nft_net_free(x);
	netd_network_free(n);
}

/* No subnet (internal; bridged: the host does not own the LAN's addresses): the MAC alone. */
static void test_no_subnet_binds_the_mac(void **state)
{
	const enum netd_mode modes[] = {NETD_MODE_INTERNAL, NETD_MODE_BRIDGED};

	for (size_t i = 0; i < 2; i++) {
		struct netd_network *n = make_net(modes[i], NULL);
		struct netd_nft_guest g = guest("tap9", mac_a, NULL);
		struct netd_nft_net *x = build(n, &g, 1);

		assert_int_equal(x->n_ports, 1);
		expect_mac_rules(&x->ports[0].chain, mac_a);
		assert_int_equal(x->ports[0].chain.n_rules, 4);
		assert_int_equal(x->ports[0].chain.rules[0].match[0].kind,
		                 NETD_NFT_M_ETHER_SADDR_NE);
		netd_nft_net_free(x);
		netd_network_free(n);
	}
}

static char *render(const struct netd_nft_net *x, bool inet_only)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(inet_only ? netd_nft_render_inet(x, f) : netd_nft_render_net(x, f), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* GuestSourceCheck=no binds nothing, and changes nothing else: the subnet check stays. */
static void test_guest_source_check_off(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT, "10.5.0.1/16");
	struct netd_nft_guest g = guest("vnet0", mac_a, "10.5.3.4");
	struct netd_nft_net *on = build(n, &g, 1), *off;
	char *a, *b;

	n->guest_source_check = false;
	off = build(n, &g, 1);
	assert_int_equal(off->n_ports, 0);
	assert_string_equal(off->digest, on->digest);
	a = render(on, true);
	b = render(off, false);
	assert_string_equal(a, b);
	assert_non_null(strstr(b, "ip saddr != 10.5.0.0/16 drop"));
	free(a);
	free(b);
	netd_nft_net_free(on);
	netd_nft_net_free(off);
	netd_network_free(n);
}

/* The inet chains' digest does not see the ports (attach touches no inet chain); each port
 * has its own, which moves with its guest's address and only with its own guest's. */
static void test_digests(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT, "10.5.0.1/16");
	struct netd_nft_guest g[] = {guest("vnet0", mac_a, "10.5.3.4"),
	                             guest("vnet1", mac_b, NULL)};
	struct netd_nft_net *none = build(n, NULL, 0), *two = build(n, g, 2), *moved;

	assert_int_equal(none->n_ports, 0);
	assert_string_equal(none->digest, two->digest);
	assert_int_equal(strlen(two->ports[0].digest), NETD_NFT_DIGEST_LEN);
	assert_string_not_equal(two->ports[0].digest, two->ports[1].digest);
	assert_int_equal(netd_ipv4_parse("10.5.3.5", &g[0].addr), 0);
	moved = build(n, g, 2);
	assert_string_not_equal(moved->ports[0].digest, two->ports[0].digest);
	assert_string_equal(moved->ports[1].digest, two->ports[1].digest);
	netd_nft_net_free(none);
	netd_nft_net_free(two);
	netd_nft_net_free(moved);
	netd_network_free(n);
}

/* A port chain's name says whose it is: a network's name has no '.'. */
static void test_port_chain_names(void **state)
{
	char buf[NETD_NFT_CHAIN_MAX], port[IFNAMSIZ];

	assert_int_equal(netd_nft_port_chain("a-b_1", "vnet0", buf), 0);
	assert_string_equal(buf, "port_a-b_1.vnet0");
	assert_true(netd_nft_port_of(buf, "a-b_1", port));
	assert_string_equal(port, "vnet0");
	assert_false(netd_nft_port_of(buf, "a-b", NULL));
	assert_false(netd_nft_port_of(buf, "a", NULL));
	assert_false(netd_nft_port_of("in_a-b_1", "a-b_1", NULL));
	assert_false(netd_nft_port_of("port_a-b_1.", "a-b_1", NULL));
	assert_true(netd_nft_port_of("port_x.eth0.100", "x", port));
	assert_string_equal(port, "eth0.100");
	assert_int_equal(netd_nft_port_chain("bad name", "vnet0", buf), -EINVAL);
	assert_int_equal(netd_nft_port_chain("n", "a/b", buf), -EINVAL);
	/* The longest names fit. */
	assert_int_equal(
	    netd_nft_port_chain("n234567890123456789012345678901", "t23456789012345", buf), 0);
	assert_true(netd_nft_port_of(buf, "n234567890123456789012345678901", port));
	assert_string_equal(port, "t23456789012345");
}

/* A ruleset notification names a chain: whose network's it is (engine/heal.c). */
static void test_chain_owner(void **state)
{
	char net[NETD_NAME_MAX], buf[NETD_NFT_CHAIN_MAX];

	(void)state;
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		snprintf(buf, sizeof(buf), "%sa-b_1", netd_nft_chain_prefix(k));
		assert_true(netd_nft_chain_owner(buf, net));
		assert_string_equal(net, "a-b_1");
	}
	assert_true(netd_nft_chain_owner("port_lab.vnet7", net));
	assert_string_equal(net, "lab");
	assert_true(netd_nft_chain_owner("port_x.eth0.100", net));
	assert_string_equal(net, "x");
	assert_int_equal(
	    netd_nft_port_chain("n234567890123456789012345678901", "t23456789012345", buf), 0);
	assert_true(netd_nft_chain_owner(buf, net));
	assert_string_equal(net, "n234567890123456789012345678901");
	/* Base chains and names netd does not make belong to no network. */
	const char *none[] = {"input",
	                      "output",
	                      "forward",
	                      "postrouting",
	                      "prerouting",
	                      "in_",
	                      "port_",
	                      "port_.vnet0",
	                      "port_lab.",
	                      "port_lab",
	                      "in_a.b",
	                      "DOCKER-USER",
	                      "port_n2345678901234567890123456789012.t"};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		assert_false(netd_nft_chain_owner(none[i], net));
}

/* The record of a network's taps becomes its guests: attached taps bound as recorded. */
static void test_tap_record_bound(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_NAT, "10.5.0.1/16");
	struct netd_tap_state s = {0};
	struct netd_tap_record r = {0};
	struct netd_nft_net *x;

	strcpy(r.tap, "vnet7");
	memcpy(r.mac, mac_b, 6);
	assert_int_equal(netd_ipv4_parse("10.5.0.9", &r.addr), 0);
	assert_int_equal(netd_tap_state_add(&s, &r), 0);
	assert_int_equal(netd_tap_nft_build(n, &s, &x), 0);
	assert_int_equal(x->n_ports, 1);
	assert_string_equal(x->ports[0].chain.name, "port_net1.vnet7");
	expect_mac_rules(&x->ports[0].chain, mac_b);
	expect_address_rules(&x->ports[0].chain, "10.5.0.9", 32);
	netd_nft_net_free(x);
	assert_int_equal(netd_tap_nft_build(n, NULL, &x), 0);
	assert_int_equal(x->n_ports, 0);
	netd_nft_net_free(x);
	netd_tap_state_clear(&s);
	netd_network_free(n);
}

/* The text of a port: its chain and its element, what its digest is of. */
static void test_render_port(void **state)
{
	struct netd_network *n = make_net(NETD_MODE_INTERNAL, NULL);
	struct netd_nft_guest g = guest("t0", mac_a, NULL);
	struct netd_nft_net *x = build(n, &g, 1);
	char *text = NULL, d[NETD_NFT_DIGEST_LEN + 1];
	size_t len;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(netd_nft_render_port(&x->ports[0], f), 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text,
	                    "\tchain port_net1.t0 {\n"
	                    "\t\tether saddr != 52:54:00:aa:00:01 drop\n"
	                    "\t\tether type 8021q drop\n"
	                    "\t\tether type 8021ad drop\n"
	                    "\t\tarp saddr ether != 52:54:00:aa:00:01 drop\n"
	                    "\t}\n"
	                    "add element bridge netd port_if { \"t0\" : jump port_net1.t0 }\n");
	netd_nft_digest(text, len, d);
	assert_string_equal(d, x->ports[0].digest);
	free(text);
	netd_nft_net_free(x);
	netd_network_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tap_with_and_without_address),
	    cmocka_unit_test(test_declared_taps_win),
	    cmocka_unit_test(test_no_subnet_binds_the_mac),
	    cmocka_unit_test(test_guest_source_check_off),
	    cmocka_unit_test(test_digests),
	    cmocka_unit_test(test_port_chain_names),
	    cmocka_unit_test(test_chain_owner),
	    cmocka_unit_test(test_tap_record_bound),
	    cmocka_unit_test(test_render_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
