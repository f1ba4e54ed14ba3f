/* A gratuitous ARP sent on one end of a veth pair arrives on the other as a broadcast from
 * the sender's MAC, announcing the address. Private network namespace. */
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

#include "netd/kernel/garp.h"

static void arrives_on_the_peer_as_a_broadcast_from_the_sender(void **state)
{
	const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
	uint8_t frame[128], want[NETD_GARP_LEN];
	struct sockaddr_ll from,
	    bind_to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP)};
	socklen_t flen = sizeof(from);
	struct pollfd pfd;
	struct in_addr a;
	ssize_t n;
	int rx;

	assert_int_equal(system("ip link add ga type veth peer name gb && "
	                        "ip link set ga address 02:00:00:00:00:0a && "
	                        "ip link set ga up && ip link set gb up"),
	                 0);
	bind_to.sll_ifindex = (int)if_nametoindex("gb");
	rx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP));
	assert_true(rx >= 0);
	assert_int_equal(bind(rx, (struct sockaddr *)&bind_to, sizeof(bind_to)), 0);

	inet_pton(AF_INET, "203.0.113.2", &a);
	assert_int_equal(netd_garp_send((int)if_nametoindex("ga"), mac, a), 0);

	pfd = (struct pollfd){.fd = rx, .events = POLLIN};
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	n = recvfrom(rx, frame, sizeof(frame), 0, (struct sockaddr *)&from, &flen);
	assert_true(n >= 14 + NETD_GARP_LEN);
	assert_memory_equal(frame, "\xff\xff\xff\xff\xff\xff", 6); /* to everyone */
	assert_memory_equal(frame + 6, mac, 6);                    /* from the bridge */
	assert_int_equal(frame[12] << 8 | frame[13], ETH_P_ARP);
	netd_garp_build(mac, a, want);
	assert_memory_equal(frame + 14, want, NETD_GARP_LEN);
	close(rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(arrives_on_the_peer_as_a_broadcast_from_the_sender),
	};

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s: this test needs root\n",
		        strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
