/* Unsolicited neighbour advertisements sent from one end of a veth pair arrive on the other
 * as netd/na.h builds them: one per usable IPv6 address of the link (global and link-local,
 * not a tentative one), to ff02::1 from the address itself with hop limit 255 and a valid
 * checksum; a neighbour's stale entry for the address takes the announced MAC (Override);
 * Router follows the link's forwarding sysctl. Private network namespace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netd/kernel/netlink.h"
#include "netd/kernel/unsol_na.h"

static const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};

/* The advertisements captured on nb: target and flags byte of each, at most max. */
struct seen {
	struct in6_addr target[8];
	uint8_t flags[8];
	size_t n;
};

static int setup(void **state)
{
	(void)state;
	/* na's link-local is made at once (no DAD on na), fd00:98::1 stays tentative for 10 s
	 * (DAD on for it alone, with 10 probes) */
	return system(
	    "ip link add na type veth peer name nb && "
	    "ip link set na address 02:00:00:00:00:0a && "
	    "sysctl -qw net.ipv6.conf.na.accept_dad=0 net.ipv6.conf.nb.accept_dad=0 && "
	    "ip addr add fd00:99::1/64 dev na nodad && ip addr add fd00:99::2/64 dev nb && "
	    "ip link set na up && ip link set nb up && "
	    "for i in $(seq 50); do ip -6 addr show dev na scope link | grep -q inet6 && "
	    "break; sleep 0.1; done && "
	    "sysctl -qw net.ipv6.conf.na.accept_dad=1 net.ipv6.conf.na.dad_transmits=10 && "
	    "ip addr add fd00:98::1/64 dev na && "
	    "ip -6 addr show dev na tentative | grep -q fd00:98::1");
}

static int teardown(void **state)
{
	(void)state;
	return system("ip link del na");
}

static uint16_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* One frame from nb: if it is an ICMPv6 neighbour advertisement, check its envelope and bytes
 * against netd_na_build's and record it. */
static void check_frame(const uint8_t *f, ssize_t n, struct seen *s)
{
	const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	uint8_t want[NETD_NA_LEN], pseudo[40] = {0};
	const uint8_t *ip = f + 14, *icmp = f + 54;
	struct in6_addr target;
	uint32_t sum;

	if (n < 54 + NETD_NA_LEN || (f[12] << 8 | f[13]) != ETH_P_IPV6 || ip[6] != 58 ||
	    icmp[0] != 136)
		return;
	assert_memory_equal(f, "\x33\x33\x00\x00\x00\x01", 6); /* ff02::1's group MAC */
	assert_memory_equal(f + 6, mac, 6);
	assert_int_equal(ip[7], 255);                      /* hop limit */
	assert_int_equal(ip[4] << 8 | ip[5], NETD_NA_LEN); /* payload: the message alone */
	assert_memory_equal(ip + 24, all_nodes, 16);
	memcpy(&target, icmp + 8, 16);
	assert_memory_equal(ip + 8, &target, 16); /* from the address it announces */
	netd_na_build(mac, &target, (icmp[4] & NETD_NA_F_ROUTER) != 0, want);
	assert_memory_equal(icmp + 4, want + 4, NETD_NA_LEN - 4);
	assert_int_equal(icmp[0], want[0]);
	assert_int_equal(icmp[1], want[1]);
	/* the checksum the kernel filled in: over the pseudo-header and the message */
	memcpy(pseudo, ip + 8, 32);
	pseudo[35] = NETD_NA_LEN;
	pseudo[39] = 58;
	sum = csum_add(0, pseudo, sizeof(pseudo));
	assert_int_equal(csum_add(sum, icmp, NETD_NA_LEN), 0xffff);
	assert_true(s->n < 8);
	s->target[s->n] = target;
	s->flags[s->n++] = icmp[4];
}

/* Announce na's addresses, capturing on nb for a second. */
static void announce_and_capture(struct seen *s, size_t *sent)
{
	struct sockaddr_ll at = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6)};
	struct netd_link_info li = {0};
	struct netd_nl *nl;
	struct pollfd pfd;
	uint8_t frame[256];
	int rx;

	memset(s, 0, sizeof(*s));
	assert_int_equal(netd_nl_open(&nl), 0);
	assert_int_equal(netd_nl_link_get(nl, "na", &li), 0);
	at.sll_ifindex = (int)if_nametoindex("nb");
	rx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IPV6));
	assert_true(rx >= 0);
	assert_int_equal(bind(rx, (struct sockaddr *)&at, sizeof(at)), 0);
	assert_int_equal(netd_na_announce(nl, &li, sent), 0);
	pfd = (struct pollfd){.fd = rx, .events = POLLIN};
	while (poll(&pfd, 1, 1000) == 1)
		check_frame(frame, recv(rx, frame, sizeof(frame), 0), s);
	close(rx);
	netd_nl_close(nl);
}

static bool seen_addr(const struct seen *s, const char *addr)
{
	struct in6_addr a;

	inet_pton(AF_INET6, addr, &a);
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(&s->target[i], &a, 16) == 0)
			return true;
	return false;
}

static void every_usable_address_is_announced_and_a_neighbour_takes_it(void **state)
{
	struct seen s;
	size_t sent;

	(void)state;
	/* nb's entry for fd00:99::1 says another MAC: the advertisement must override it */
	assert_int_equal(system("ip -6 neigh replace fd00:99::1 lladdr 02:00:00:00:00:99 dev nb "
	                        "nud stale"),
	                 0);
	announce_and_capture(&s, &sent);
	assert_int_equal(sent, 2);
	assert_int_equal(s.n, 2);
	assert_true(seen_addr(&s, "fd00:99::1"));
	assert_true(seen_addr(&s, "fe80::ff:fe00:a")); /* EUI-64 of 02:00:00:00:00:0a */
	assert_false(seen_addr(&s, "fd00:98::1"));     /* tentative: not the host's yet */
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(s.flags[i], NETD_NA_F_OVERRIDE);
	assert_int_equal(system("ip -6 neigh show fd00:99::1 dev nb | "
	                        "grep -q 'lladdr 02:00:00:00:00:0a'"),
	                 0);
}

static void a_forwarding_link_announces_itself_as_router(void **state)
{
	struct seen s;
	size_t sent;

	(void)state;
	assert_int_equal(system("sysctl -qw net.ipv6.conf.na.forwarding=1"), 0);
	announce_and_capture(&s, &sent);
	assert_int_equal(s.n, 2);
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(s.flags[i], NETD_NA_F_ROUTER | NETD_NA_F_OVERRIDE);
}

static void a_link_without_ipv6_sends_nothing(void **state)
{
	struct seen s;
	size_t sent = 99;

	(void)state;
	assert_int_equal(system("sysctl -qw net.ipv6.conf.na.disable_ipv6=1"), 0);
	announce_and_capture(&s, &sent);
	assert_int_equal(sent, 0);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        every_usable_address_is_announced_and_a_neighbour_takes_it, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_forwarding_link_announces_itself_as_router, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(a_link_without_ipv6_sends_nothing, setup, teardown),
	};

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s: this test needs root\n",
		        strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
