/*
 * IPv6 in a network file (issue 10): Address=, Range= and [Host] Address= once per family,
 * IPv6NAT=, and every bad IPv6 input refused with its exact message naming file:line; the
 * prefix against other networks' and the host's; the nft and dnsmasq text a dual-stack network
 * gets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/config.h"
#include "netd/dnsmasq.h"
#include "netd/nft.h"

#define NAT  "[Network]\nName=n\nMode=nat\nBridge=b0\nAddress=10.0.0.1/24\n"
#define NAT6 NAT "Address=fd42:7a:1::1/64\n"
#define DHCP "[DHCP]\nRange=10.0.0.2 10.0.0.9\n"

static struct netd_network *parse_ok(const char *text)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	if (netd_config_parse_string(text, "t.conf", &n, &d) != 0)
		fail_msg("refused: %s\n--- text ---\n%s", d.msg, text);
	return n;
}

static void parse_err(const char *text, const char *want)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};

	if (netd_config_parse_string(text, "t.conf", &n, &d) != -EINVAL) {
		netd_network_free(n);
		fail_msg("accepted, wanted: %s\n--- text ---\n%s", want, text);
	}
	assert_string_equal(d.msg, want);
}

static void assert_ip6(const struct in6_addr *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];

	assert_string_equal(inet_ntop(AF_INET6, a, buf, sizeof(buf)), want);
}

static void address_once_per_family(void **state)
{
	struct netd_network *n =
	    parse_ok(NAT6 DHCP "Range=fd42:7a:1::100 fd42:7a:1::1ff\n"
	                       "[Host]\nMAC=52:54:00:00:00:01\nAddress=10.0.0.5\n"
	                       "Address=fd42:7a:1::5\n");

	assert_true(n->has_address && n->has_address6);
	assert_ip6(&n->address6.addr, "fd42:7a:1::1");
	assert_int_equal(n->address6.len, 64);
	assert_int_equal(n->line_address6, 6);
	assert_true(n->has_dhcp6);
	assert_ip6(&n->dhcp6_first, "fd42:7a:1::100");
	assert_ip6(&n->dhcp6_last, "fd42:7a:1::1ff");
	assert_ip6(&n->hosts[0].addr6, "fd42:7a:1::5");
	assert_true(n->ipv6_nat);
	netd_network_free(n);

	/* IPv4 alone keeps today's meaning: no IPv6 at all. */
	n = parse_ok(NAT);
	assert_false(n->has_address6);
	assert_false(n->has_dhcp6);
	netd_network_free(n);

	n = parse_ok(NAT6 "IPv6NAT=no\n");
	assert_false(n->ipv6_nat);
	netd_network_free(n);
	/* The IPv6 line may come first. */
	n = parse_ok("[Network]\nName=n\nMode=hostonly\nBridge=b0\nAddress=fd42::1/64\n"
	             "Address=10.0.0.1/24\n");
	assert_true(n->has_address && n->has_address6);
	netd_network_free(n);
}

static void a_family_given_twice_is_refused(void **state)
{
	parse_err(NAT6 "Address=fd42:7a:2::1/64\n",
	          "t.conf:7: Address= is given twice in [Network] (first on line 6); keep one");
	parse_err(NAT6 DHCP "Range=fd42:7a:1::100 fd42:7a:1::1ff\n"
	                    "Range=fd42:7a:1::200 fd42:7a:1::2ff\n",
	          "t.conf:10: Range= is given twice in [DHCP] (first on line 9); keep one");
}

static void bad_prefixes(void **state)
{
	parse_err(NAT "Address=fd42::1\n",
	          "t.conf:6: invalid Address 'fd42::1': give the host's IPv6 address with its "
	          "prefix length, e.g. Address=fd42:7a:1::1/64");
	parse_err(NAT "Address=fd42::zz/64\n",
	          "t.conf:6: invalid Address 'fd42::zz/64': give the host's IPv6 address with "
	          "its prefix length, e.g. Address=fd42:7a:1::1/64");
	parse_err(NAT "Address=fe80::1/64\n",
	          "t.conf:6: Address fe80::1/64 is link-local (fe80::/10): every bridge has its "
	          "own link-local addresses already; use a ULA (fd00::/8) or global prefix");
	parse_err(NAT "Address=ff02::1/64\n",
	          "t.conf:6: Address ff02::1/64 is multicast (ff00::/8); use a ULA (fd00::/8) or "
	          "global unicast prefix");
	parse_err(NAT "Address=::ffff:10.0.0.1/120\n",
	          "t.conf:6: Address ::ffff:10.0.0.1/120 is an IPv4-mapped address; give IPv4 as "
	          "IPv4");
	parse_err(NAT "Address=fd42::1/32\n",
	          "t.conf:6: Address fd42::1/32: use a prefix length between 48 and 120 (/64 for "
	          "SLAAC)");
	parse_err(NAT "Address=fd42:7a:1::/64\n",
	          "t.conf:6: Address fd42:7a:1::/64 is the subnet-router anycast address of "
	          "fd42:7a:1::/64; use a host address such as ...::1");
	/* Not /64 and no DHCPv6 range: SLAAC could give guests nothing, and the error says why. */
	parse_err(NAT "Address=fd42:7a:1::1/80\n",
	          "t.conf:6: Address fd42:7a:1::1/80: guests get IPv6 addresses by SLAAC, which "
	          "needs a /64; use a /64, or add an IPv6 Range= to [DHCP] so that DHCPv6 hands "
	          "the addresses out");
	struct netd_network *n =
	    parse_ok(NAT "Address=fd42:7a:1::1/80\n" DHCP "Range=fd42:7a:1::100 fd42:7a:1::1ff\n");
	netd_network_free(n);
}

static void ipv6_where_the_mode_has_no_address(void **state)
{
	parse_err("[Network]\nName=n\nMode=internal\nBridge=b0\nAddress=fd42::1/64\n",
	          "t.conf:5: Address= is not allowed for Mode=internal: netd gives the host no "
	          "address of any family on such a network; remove it");
	parse_err("[Network]\nName=n\nMode=bridged\nBridge=b0\nUplink=eth0\nAddress=fd42::1/64\n",
	          "t.conf:6: Address= is not allowed for Mode=bridged: netd gives the host no "
	          "address of any family on such a network; remove it");
	parse_err("[Network]\nName=n\nMode=hostonly\nBridge=b0\nAddress=fd42::1/64\n",
	          "t.conf:1: Address= is required for Mode=hostonly, e.g. "
	          "Address=192.122.1.1/24");
}

static void bad_ranges(void **state)
{
	parse_err(NAT DHCP "Range=fd42::100 fd42::1ff\n",
	          "t.conf:8: IPv6 Range fd42::100 - fd42::1ff needs an IPv6 Address= in [Network] "
	          "(the host's address on the prefix)");
	parse_err(NAT6 DHCP "Range=fd42:7a:1::100 10.0.0.20\n",
	          "t.conf:9: Range fd42:7a:1::100 10.0.0.20 mixes the families: give both ends as "
	          "IPv6 (an IPv4 range is a Range= line of its own)");
	parse_err(NAT6 DHCP "Range=fd42:7a:1::100\n",
	          "t.conf:9: invalid Range 'fd42:7a:1::100': give the first and last IPv6 address "
	          "to lease, e.g. Range=fd42:7a:1::100 fd42:7a:1::1ff");
	parse_err(NAT6 DHCP "Range=fd42:7a:2::100 fd42:7a:2::1ff\n",
	          "t.conf:9: DHCPv6 range fd42:7a:2::100 - fd42:7a:2::1ff is not inside the "
	          "prefix fd42:7a:1::/64");
	parse_err(NAT6 DHCP "Range=fd42:7a:1::1ff fd42:7a:1::100\n",
	          "t.conf:9: DHCPv6 range fd42:7a:1::1ff - fd42:7a:1::100 is reversed; write the "
	          "lower address first");
	parse_err(NAT6 DHCP "Range=fd42:7a:1::0:1 fd42:7a:1::1ff\n",
	          "t.conf:9: DHCPv6 range fd42:7a:1::1 - fd42:7a:1::1ff contains the host's own "
	          "address fd42:7a:1::1 (line 6); leave it out");
}

static void bad_hosts_and_nat(void **state)
{
	parse_err(NAT6 DHCP "[Host]\nMAC=52:54:00:00:00:01\nAddress=fd42:7a:1::5\n",
	          "t.conf:11: host address fd42:7a:1::5 needs stateful DHCPv6: add an IPv6 Range= "
	          "to [DHCP]");
	parse_err(NAT6 DHCP "Range=fd42:7a:1::100 fd42:7a:1::1ff\n[Host]\nMAC=52:54:00:00:00:01\n"
	                    "Address=fd42:7a:2::5\n",
	          "t.conf:12: host address fd42:7a:2::5 is not inside the prefix fd42:7a:1::/64");
	parse_err(NAT6 DHCP "Range=fd42:7a:1::100 fd42:7a:1::1ff\n[Host]\nMAC=52:54:00:00:00:01\n"
	                    "Address=fd42:7a:1::1\n",
	          "t.conf:12: host address fd42:7a:1::1 is the host's own address (line 6); give "
	          "the guest another one");
	parse_err(NAT6 DHCP "Range=fd42:7a:1::100 fd42:7a:1::1ff\n[Host]\nMAC=52:54:00:00:00:01\n"
	                    "Address=fd42:7a:1::5\n[Host]\nMAC=52:54:00:00:00:02\n"
	                    "Address=fd42:7a:1::5\n",
	          "t.conf:15: address fd42:7a:1::5 is already given to the [Host] on line 10");
	parse_err("[Network]\nName=n\nMode=hostonly\nBridge=b0\nAddress=10.0.0.1/24\n"
	          "Address=fd42::1/64\nIPv6NAT=no\n",
	          "t.conf:7: IPv6NAT= does not apply to Mode=hostonly: only a mode that "
	          "masquerades (nat) has IPv6 NAT to turn off; remove it");
	parse_err(NAT "IPv6NAT=no\n", "t.conf:6: IPv6NAT= needs an IPv6 Address= in [Network]; "
	                              "without one the network has no IPv6 to translate");
}

static void overlaps(void **state)
{
	struct netd_network *a = parse_ok(NAT6);
	struct netd_network *b = parse_ok("[Network]\nName=m\nMode=nat\nBridge=b1\n"
	                                  "Address=10.0.1.1/24\nAddress=fd42:7a:1:0:8000::1/80\n"
	                                  "[DHCP]\nRange=10.0.1.2 10.0.1.9\n"
	                                  "Range=fd42:7a:1:0:8000::100 fd42:7a:1:0:8000::1ff\n");
	struct netd_network *nets[] = {a, b};
	struct netd_config c = {.networks = nets, .n_networks = 2};
	struct netd_host_prefix6 hp[2] = {0};
	struct netd_diag d = {""};

	assert_int_equal(netd_config_check_set(&c, &d), -EINVAL);
	assert_string_equal(d.msg, "t.conf:6: prefix fd42:7a:1:0:8000::/80 of network 'm' overlaps "
	                           "prefix fd42:7a:1::/64 of network 'n' (t.conf:6); choose a "
	                           "prefix of its own");

	/* The host's own: an address elsewhere; a route; its link-local and default routes
	 * claim nothing. */
	netd_prefix6_parse("fe80::1/64", &hp[0].prefix);
	hp[0].is_route = true;
	netd_prefix6_parse("::/0", &hp[1].prefix);
	hp[1].is_route = true;
	assert_int_equal(netd_config_check_host6(a, hp, 2, &d), 0);
	netd_prefix6_parse("fd42:7a::5/32", &hp[1].prefix);
	hp[1].is_route = false;
	snprintf(hp[1].ifname, sizeof(hp[1].ifname), "eth0");
	assert_int_equal(netd_config_check_host6(a, hp, 2, &d), -EINVAL);
	assert_string_equal(d.msg, "t.conf:6: prefix fd42:7a:1::/64 overlaps fd42:7a::/32 already "
	                           "on the host (address on eth0)");
	/* ... unless it is this network's own bridge's. */
	snprintf(hp[1].owned_by, sizeof(hp[1].owned_by), "n");
	assert_int_equal(netd_config_check_host6(a, hp, 2, &d), 0);
	netd_network_free(a);
	netd_network_free(b);
}

static char *render(const struct netd_nft_net *x)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(netd_nft_render_inet(x, f), 0);
	fclose(f);
	return text;
}

/* The IPv6 rules stand where their IPv4 counterparts do, and the cells stay family-free. */
static void nft_dual_stack(void **state)
{
	struct netd_network *n = parse_ok(NAT6 DHCP "Range=fd42:7a:1::100 fd42:7a:1::1ff\n");
	struct netd_nft_net *x = NULL;
	char *text;

	assert_int_equal(netd_nft_net_build(n, &x), 0);
	assert_true(x->chains[NETD_NFT_CHAIN_POST6].present);
	text = render(x);
	assert_non_null(strstr(text, "\tchain in_n {\n"
	                             "\t\tip saddr 0.0.0.0 udp dport 67 accept\n"
	                             "\t\tip saddr != 10.0.0.0/24 drop\n"
	                             "\t\ticmpv6 type nd-router-solicit accept\n"
	                             "\t\ticmpv6 type nd-neighbor-solicit accept\n"
	                             "\t\ticmpv6 type nd-neighbor-advert accept\n"
	                             "\t\tudp dport 547 accept\n"
	                             "\t\tip6 saddr != fd42:7a:1::/64 ip6 saddr != fe80::/10 drop\n"
	                             "\t\tct state established,related accept\n"));
	assert_non_null(strstr(text, "\t\tudp sport 67 accept\n"
	                             "\t\ticmpv6 type nd-router-advert accept\n"
	                             "\t\ticmpv6 type nd-neighbor-solicit accept\n"
	                             "\t\ticmpv6 type nd-neighbor-advert accept\n"
	                             "\t\tudp sport 547 accept\n"
	                             "\t\tmeta l4proto tcp reject with tcp reset\n"));
	assert_non_null(strstr(text, "\t\tip saddr != 10.0.0.0/24 drop\n"
	                             "\t\tip6 saddr != fd42:7a:1::/64 ip6 saddr != fe80::/10 "
	                             "ip6 saddr != :: drop\n"
	                             "\t\toifname \"b0\" accept\n"));
	assert_non_null(strstr(text, "\tchain post6_n {\n"
	                             "\t\tip6 daddr ff00::/8 return\n"
	                             "\t\tip6 daddr != fd42:7a:1::/64 meta l4proto tcp masquerade "
	                             "to :1024-65535\n"
	                             "\t\tip6 daddr != fd42:7a:1::/64 meta l4proto udp masquerade "
	                             "to :1024-65535\n"
	                             "\t\tip6 daddr != fd42:7a:1::/64 masquerade\n\t}\n"));
	assert_non_null(strstr(text, "add element inet netd nat6_src { fd42:7a:1::/64 : jump "
	                             "post6_n }\n"));
	free(text);
	netd_nft_net_free(x);

	/* IPv6NAT=no: routed unchanged, no post6_ chain; the filter rules stay. */
	n->ipv6_nat = false;
	assert_int_equal(netd_nft_net_build(n, &x), 0);
	assert_false(x->chains[NETD_NFT_CHAIN_POST6].present);
	assert_true(x->chains[NETD_NFT_CHAIN_POST].present);
	text = render(x);
	assert_null(strstr(text, "nat6_src"));
	assert_non_null(strstr(
	    text, "ip6 saddr != fd42:7a:1::/64 ip6 saddr != fe80::/10 ip6 saddr != :: drop"));
	free(text);
	netd_nft_net_free(x);
	netd_network_free(n);
}

static char *conf_of(const struct netd_network *n)
{
	struct netd_dnsmasq_paths p;
	char *text = NULL;

	assert_int_equal(netd_dnsmasq_paths_init(&p, "/run/netd", "/var/lib/netd", n->name), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &p, &text), 0);
	return text;
}

static void dnsmasq_ra_and_dhcpv6(void **state)
{
	struct netd_network *n = parse_ok(NAT6 DHCP);
	char *text = conf_of(n), *hosts = NULL;

	assert_non_null(strstr(text, "listen-address=fd42:7a:1::1\nenable-ra\n"
	                             "ra-param=b0,600,1800\n"
	                             "dhcp-range=fd42:7a:1::,ra-only,64\n"));
	free(text);
	netd_network_free(n);

	/* hostonly does not route by default: its RA says so (router lifetime 0). */
	n = parse_ok(
	    "[Network]\nName=h\nMode=hostonly\nBridge=b0\nAddress=10.0.0.1/24\n"
	    "Address=fd42:7a:1::1/64\n" DHCP "Range=fd42:7a:1::100 fd42:7a:1::1ff\n"
	    "LeaseTime=2h\n[Host]\nMAC=52:54:00:00:00:01\nAddress=fd42:7a:1::5\nName=vm1\n");
	text = conf_of(n);
	assert_non_null(strstr(text, "ra-param=b0,600,0\n"
	                             "dhcp-range=fd42:7a:1::100,fd42:7a:1::1ff,slaac,64,7200\n"));
	assert_int_equal(netd_dnsmasq_render_hosts(n, &hosts), 0);
	assert_string_equal(hosts, "52:54:00:00:00:01,[fd42:7a:1::5],vm1\n");
	free(hosts);
	free(text);
	netd_network_free(n);

	/* No IPv6, no IPv6 lines. */
	n = parse_ok(NAT DHCP);
	text = conf_of(n);
	assert_null(strstr(text, "enable-ra"));
	free(text);
	netd_network_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(address_once_per_family),
	    cmocka_unit_test(a_family_given_twice_is_refused),
	    cmocka_unit_test(bad_prefixes),
	    cmocka_unit_test(ipv6_where_the_mode_has_no_address),
	    cmocka_unit_test(bad_ranges),
	    cmocka_unit_test(bad_hosts_and_nat),
	    cmocka_unit_test(overlaps),
	    cmocka_unit_test(nft_dual_stack),
	    cmocka_unit_test(dnsmasq_ra_and_dhcpv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
