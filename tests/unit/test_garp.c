/* The gratuitous ARP netd sends after a bond failover, byte by byte (RFC 826 layout). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "netd/kernel/garp.h"

static void announces_the_address_as_both_sender_and_target(void **state)
{
	const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc};
	const uint8_t want[NETD_GARP_LEN] = {
	    0x00, 0x01,                         /* hardware: Ethernet */
	    0x08, 0x00,                         /* protocol: IPv4 */
	    6,    4,                            /* address lengths */
	    0x00, 0x01,                         /* request */
	    0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc, /* sender MAC */
	    203,  0,    113,  2,                /* sender IP */
	    0,    0,    0,    0,    0,    0,    /* target MAC: unknown */
	    203,  0,    113,  2,                /* target IP = sender IP: gratuitous */
	};
	uint8_t buf[NETD_GARP_LEN];
	struct in_addr a;

	inet_pton(AF_INET, "203.0.113.2", &a);
	assert_int_equal(netd_garp_build(mac, a, buf), NETD_GARP_LEN);
	assert_memory_equal(buf, want, NETD_GARP_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(announces_the_address_as_both_sender_and_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
