/* The unsolicited neighbour advertisement netd sends after a bond failover, byte by byte
 * (RFC 4861 4.4: the message, 4.6.1: the target link-layer address option). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "netd/na.h"

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc};

static void announces_the_target_with_override_and_its_mac(void **state)
{
	const uint8_t want[NETD_NA_LEN] = {
	    136,  0,                                  /* type: neighbour advertisement, code 0 */
	    0,    0,                                  /* checksum: the kernel's */
	    0x20, 0,    0,    0,                      /* Override; not Router, not Solicited */
	    0xfd, 0x00, 0x00, 0x99, 0,    0,    0, 0, /* target fd00:99::1 */
	    0,    0,    0,    0,    0,    0,    0, 1,
	    2,    1,                            /* option: target link-layer address, 8 bytes */
	    0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc, /* the MAC */
	};
	uint8_t buf[NETD_NA_LEN];
	struct in6_addr a;

	(void)state;
	memset(buf, 0xee, sizeof(buf)); /* no byte left as it was */
	inet_pton(AF_INET6, "fd00:99::1", &a);
	assert_int_equal(netd_na_build(mac, &a, false, buf), NETD_NA_LEN);
	assert_memory_equal(buf, want, NETD_NA_LEN);
}

static void a_forwarding_link_says_router(void **state)
{
	uint8_t buf[NETD_NA_LEN];
	struct in6_addr a;

	(void)state;
	inet_pton(AF_INET6, "fe80::5054:ff:feaa:bbcc", &a);
	netd_na_build(mac, &a, true, buf);
	assert_int_equal(buf[4], NETD_NA_F_ROUTER | NETD_NA_F_OVERRIDE);
	assert_int_equal(buf[4] & NETD_NA_F_SOLICIT, 0);
	assert_memory_equal(buf + 8, &a, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(announces_the_target_with_override_and_its_mac),
	    cmocka_unit_test(a_forwarding_link_says_router),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
