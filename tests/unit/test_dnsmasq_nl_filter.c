/* The socket filter of a dnsmasq's rtnetlink socket (netd/core/dnsmasq_nl_filter.c), run by the
 * kernel: attached to one end of an AF_UNIX datagram pair (no root needed), with netlink-shaped
 * messages in host order sent through it; what arrives is what the filter accepts. And what a
 * rendered config says: the bridge it is for, whether its dnsmasq acts on address notices. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/dnsmasq.h"
#include "netd/dnsmasq_nl_filter.h"
#include "netd/mode.h"

#define BRIDGE 0x01020304u /* every byte differs: a swapped comparison would miss */

static int pair[2];

static int setup(void **state)
{
	struct sock_filter code[NETD_DNSMASQ_NL_FILTER_LEN];
	struct sock_fprog prog = {.len = (unsigned short)netd_dnsmasq_nl_filter(BRIDGE, code),
	                          .filter = code};

	(void)state;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) < 0)
		return -1;
	return setsockopt(pair[1], SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

static int teardown(void **state)
{
	(void)state;
	close(pair[0]);
	close(pair[1]);
	return 0;
}

/* A message of type and flags (an ifaddrmsg of ifindex after the header when len says so)
 * sent through the filter: whether it arrived. */
static bool passes(uint16_t type, uint16_t flags, uint32_t ifindex, size_t len)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
	} m = {.h = {.nlmsg_len = (uint32_t)len, .nlmsg_type = type, .nlmsg_flags = flags},
	       .ifa = {.ifa_family = 2, .ifa_index = ifindex}};
	char buf[64];
	ssize_t got;

	assert_true(len <= sizeof(m));
	assert_int_equal(send(pair[0], &m, len, 0), (ssize_t)len);
	got = recv(pair[1], buf, sizeof(buf), MSG_DONTWAIT);
	assert_true(got == (ssize_t)len || (got < 0 && errno == EAGAIN));
	return got == (ssize_t)len;
}

#define FULL sizeof(struct nlmsghdr) + sizeof(struct ifaddrmsg)

static void test_own_bridge_addresses_pass(void **state)
{
	(void)state;
	assert_true(passes(RTM_NEWADDR, 0, BRIDGE, FULL));
	assert_true(passes(RTM_DELADDR, 0, BRIDGE, FULL));
	assert_true(passes(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, BRIDGE, FULL));
}

static void test_other_links_and_routes_drop(void **state)
{
	(void)state;
	assert_false(passes(RTM_NEWADDR, 0, BRIDGE + 1, FULL));
	assert_false(passes(RTM_DELADDR, 0, 7, FULL));
	/* the index byte-swapped: a comparison in the wrong order would take it */
	assert_false(passes(RTM_NEWADDR, 0, 0x04030201u, FULL));
	/* route notices carry an rtmsg, whatever bytes sit where an ifa_index would */
	assert_false(passes(RTM_NEWROUTE, 0, BRIDGE, FULL));
	assert_false(passes(RTM_DELROUTE, NLM_F_REPLACE, BRIDGE, FULL));
	assert_false(passes(RTM_NEWLINK, 0, BRIDGE, FULL));
	assert_false(passes(RTM_NEWNEIGH, 0, BRIDGE, FULL));
	/* an address notice too short to hold its index */
	assert_false(passes(RTM_NEWADDR, 0, BRIDGE, sizeof(struct nlmsghdr) + 2));
}

/* dnsmasq's own dumps (every reply NLM_F_MULTI, NLMSG_DONE too) and acks arrive. */
static void test_dump_replies_and_acks_pass(void **state)
{
	(void)state;
	assert_true(passes(RTM_NEWADDR, NLM_F_MULTI, 7, FULL));
	assert_true(passes(RTM_NEWLINK, NLM_F_MULTI, 7, FULL));
	assert_true(passes(RTM_NEWNEIGH, NLM_F_MULTI, 7, FULL));
	assert_true(passes(NLMSG_DONE, NLM_F_MULTI, 0, sizeof(struct nlmsghdr) + 4));
	assert_true(passes(NLMSG_ERROR, 0, 0, sizeof(struct nlmsghdr) + 4));
	assert_false(passes(NLMSG_DONE, 0, 0, sizeof(struct nlmsghdr) + 4));
}

static void test_conf_interface(void **state)
{
	char name[16];

	(void)state;
	assert_int_equal(netd_dnsmasq_conf_interface("port=53\ninterface=virbr7\nbind-interfaces\n"
	                                             "except-interface=lo\n",
	                                             name, sizeof(name)),
	                 0);
	assert_string_equal(name, "virbr7");
	assert_int_equal(netd_dnsmasq_conf_interface("interface=br0", name, sizeof(name)), 0);
	assert_string_equal(name, "br0");
	assert_int_equal(netd_dnsmasq_conf_interface("except-interface=lo\n", name, sizeof(name)),
	                 -ENOENT);
	assert_int_equal(netd_dnsmasq_conf_interface("interface=\n", name, sizeof(name)), -ENOENT);
	assert_int_equal(
	    netd_dnsmasq_conf_interface("interface=a\ninterface=b\n", name, sizeof(name)), -EINVAL);
	assert_int_equal(
	    netd_dnsmasq_conf_interface("interface=a-name-far-too-long\n", name, sizeof(name)),
	    -EINVAL);
}

/* The config netd renders for a NAT network with DHCP, and IPv6 (RA and SLAAC, then a DHCPv6
 * range too) when addr6 is given. */
static char *rendered(const char *addr6, bool dhcp6)
{
	struct netd_network *n = netd_network_new();
	const struct netd_mode_ops *ops = netd_mode_ops(NETD_MODE_NAT);
	struct netd_dnsmasq_paths p;
	char *text = NULL;

	assert_non_null(n);
	strcpy(n->name, "nf");
	n->mode = NETD_MODE_NAT;
	strcpy(n->bridge, "nfbr0");
	for (int c = 0; c < NETD_CELL_MAX; c++)
		n->policy[c] = ops->defaults[c];
	n->has_address = n->has_dhcp = true;
	assert_int_equal(netd_prefix_parse("10.61.0.1/24", &n->address), 0);
	assert_int_equal(netd_ipv4_parse("10.61.0.10", &n->dhcp_first), 0);
	assert_int_equal(netd_ipv4_parse("10.61.0.20", &n->dhcp_last), 0);
	n->lease_time = 3600;
	if (addr6) {
		n->has_address6 = true;
		assert_int_equal(netd_prefix6_parse(addr6, &n->address6), 0);
	}
	if (dhcp6) {
		n->has_dhcp6 = true;
		assert_int_equal(netd_ipv6_parse("fd61::10", &n->dhcp6_first), 0);
		assert_int_equal(netd_ipv6_parse("fd61::20", &n->dhcp6_last), 0);
	}
	assert_int_equal(netd_dnsmasq_paths_init(&p, "/run/netd", "/var/lib/netd", n->name), 0);
	assert_int_equal(netd_dnsmasq_render_conf(n, &p, &text), 0);
	netd_network_free(n);
	return text;
}

static void test_conf_addr_notices(void **state)
{
	char *v4 = rendered(NULL, false), *ra = rendered("fd61::1/64", false),
	     *dhcp6 = rendered("fd61::1/64", true);

	(void)state;
	/* netd's IPv4-only dnsmasq never looks at an address notice; its IPv6 one does (RA). */
	assert_false(netd_dnsmasq_conf_addr_notices(v4));
	assert_true(netd_dnsmasq_conf_addr_notices(ra));
	assert_true(netd_dnsmasq_conf_addr_notices(dhcp6));
	/* Whatever else makes dnsmasq 2.90 act on them, at the start of a line only. */
	assert_true(netd_dnsmasq_conf_addr_notices("interface=b\nbind-dynamic\n"));
	assert_true(netd_dnsmasq_conf_addr_notices("local-service"));
	assert_true(netd_dnsmasq_conf_addr_notices("dhcp-relay=10.0.0.1,10.0.1.1\n"));
	assert_true(netd_dnsmasq_conf_addr_notices("dhcp-range=::,constructor:br0,ra-only\n"));
	assert_false(netd_dnsmasq_conf_addr_notices("# enable-ra\ndhcp-range=10.0.0.2,10.0.0.9\n"));
	assert_false(netd_dnsmasq_conf_addr_notices(""));
	free(v4);
	free(ra);
	free(dhcp6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_own_bridge_addresses_pass, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_links_and_routes_drop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dump_replies_and_acks_pass, setup, teardown),
	    cmocka_unit_test(test_conf_interface),
	    cmocka_unit_test(test_conf_addr_notices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
